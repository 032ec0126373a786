import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { mailOutbox } from '../../src/database/schema';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import { CUSTOMER, guestOrderBody, MINIMAL_SHIPPING, SHIPPING, uniqueEmail } from '../support/fixtures';
import { anyIsoTime, anyOrderNumber, anyUuid } from '../support/matchers';
import { ShopApi, shopApi } from '../support/shop-api';
import { TestSmtpServer } from '../support/smtp-server';
import { StoredState, storedState } from '../support/stored-state';
import { createTestApp, TestApp } from '../support/test-app';

describe('guest checkout and its confirmation mail (contract §6, §11)', () => {
  let t: TestApp;
  let api: ShopApi;
  let db: StoredState;
  let dispatcher: MailDispatcher;
  const smtp = new TestSmtpServer();

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp({ SMTP_URL: smtp.url });
    api = shopApi(t, { trailingSlash: true });
    db = storedState(t);
    dispatcher = t.app.get(MailDispatcher);
    // The background poller is stopped so that dispatchDue() is the only sender: every send attempt
    // then happens where the test says, and none races with the assertions.
    await dispatcher.onApplicationShutdown();
  });
  afterEach(() => t.clock.reset());
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  function outboxRows(recipient: string) {
    return t.database.db.select().from(mailOutbox).where(eq(mailOutbox.recipient, recipient));
  }

  it('places a paid guest order, takes the stock, empties the cart and mails the confirmation', async () => {
    const first = await api.product({ name: 'Blue mug', unit_price: 1250, stock: 10 });
    const second = await api.product({ name: 'Tea towel', unit_price: 399, stock: 5 });
    const sessionId = await api.guestCart([
      [first, 2],
      [second, 3],
    ]);
    const email = `Jane.Doe-${randomUUID().slice(0, 8)}@Example.COM`;
    const stored = email.toLowerCase();

    const res = await api.placeGuestOrder(guestOrderBody(sessionId, email));

    expect(res.status).toBe(201);
    expect(Object.keys(res.body.data).sort()).toEqual(['confirmation_details', 'order']);
    const order = res.body.data.order;
    expect(order).toEqual({
      id: anyUuid(),
      order_number: anyOrderNumber(),
      status: 'paid',
      email: stored,
      customer: CUSTOMER,
      shipping_address: { ...SHIPPING, city_id: null, neighborhood_id: null },
      items: expect.any(Array),
      subtotal: 2 * 1250 + 3 * 399,
      total: 2 * 1250 + 3 * 399,
      currency: 'USD',
      is_guest: true,
      created_at: anyIsoTime(),
    });
    expect(order.items).toHaveLength(2);
    expect(order.items).toEqual(
      expect.arrayContaining([
        {
          product_id: first.id,
          sku: first.sku,
          name: 'Blue mug',
          quantity: 2,
          unit_price: 1250,
          line_total: 2500,
        },
        {
          product_id: second.id,
          sku: second.sku,
          name: 'Tea towel',
          quantity: 3,
          unit_price: 399,
          line_total: 1197,
        },
      ]),
    );
    expect(res.body.data.confirmation_details).toEqual({
      order_number: order.order_number,
      email: stored,
      email_queued: true,
      lookup: { path: '/api/v1/orders/guest-lookup/', method: 'POST' },
    });

    expect(await db.stock(first.id)).toBe(8);
    expect(await db.stock(second.id)).toBe(2);
    const cart = await api.readGuestCart(sessionId);
    expect(cart.body.data.cart.items).toEqual([]);
    expect(await db.guestLines(sessionId)).toEqual([]);
    expect(await db.history(order.id)).toEqual(['paid']);

    expect(smtp.to(stored)).toHaveLength(0);
    await dispatcher.dispatchDue();
    const mails = smtp.to(stored);
    expect(mails).toHaveLength(1);
    expect(mails[0].raw).toContain(order.order_number);
  });

  it('answers null, never an absent field, for the optional fields an order was placed without', async () => {
    const product = await api.product({ stock: 5 });
    const sessionId = await api.guestCart([[product, 1]]);
    const { line1, city, postal_code, country } = MINIMAL_SHIPPING;
    const body = guestOrderBody(sessionId, undefined, { shipping_address: MINIMAL_SHIPPING });
    const { phone: _phone, ...customer } = body.customer_info as Record<string, string>;

    const res = await api.placeGuestOrder({ ...body, customer_info: customer });

    expect(res.status).toBe(201);
    expect(res.body.data.order.shipping_address).toEqual({
      line1,
      line2: null,
      city,
      state: null,
      postal_code,
      country,
      city_id: null,
      neighborhood_id: null,
    });
    expect(res.body.data.order.customer.phone).toBeNull();
  });

  it('orders with a guest-pattern email as often as asked and never mails it', async () => {
    const product = await api.product({ stock: 5 });
    const email = 'guest_123@checkout.guest';

    const placed = [
      await api.guestOrder([[product, 1]], { email }),
      await api.guestOrder([[product, 1]], { email }),
    ];

    for (const { order, confirmation_details } of placed) {
      expect(order).toMatchObject({ email, is_guest: true, status: 'paid' });
      expect(confirmation_details).toMatchObject({ email, email_queued: false });
    }
    expect(placed[0].order.order_number).not.toBe(placed[1].order.order_number);
    expect(await db.stock(product.id)).toBe(3);
    await dispatcher.dispatchDue();
    expect(smtp.to(email)).toEqual([]);
    expect(await outboxRows(email)).toEqual([]);
  });

  it('keeps taking orders while SMTP is down and sends each confirmation once when it is back', async () => {
    const product = await api.product({ stock: 10 });
    const emails = [uniqueEmail('down-a'), uniqueEmail('down-b'), uniqueEmail('down-c')];
    await smtp.stop();
    try {
      for (const email of emails) {
        const placed = await api.guestOrder([[product, 1]], { email });
        expect(placed.confirmation_details.email_queued).toBe(true);
      }
      expect(await db.stock(product.id)).toBe(7);

      expect(await dispatcher.dispatchDue()).toBe(0);
      for (const email of emails) {
        expect(smtp.to(email)).toEqual([]);
        expect(await outboxRows(email)).toEqual([
          expect.objectContaining({ status: 'pending', attempts: 1, lastError: expect.any(String) }),
        ]);
      }
    } finally {
      await smtp.start();
    }

    t.clock.advance(60_000);
    expect(await dispatcher.dispatchDue()).toBe(3);
    for (const email of emails) expect(smtp.to(email)).toHaveLength(1);

    expect(await dispatcher.dispatchDue()).toBe(0);
    for (const email of emails) {
      expect(smtp.to(email)).toHaveLength(1);
      expect(await outboxRows(email)).toEqual([expect.objectContaining({ status: 'sent', attempts: 2 })]);
    }
  });
});
