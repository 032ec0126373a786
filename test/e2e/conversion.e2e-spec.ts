import { count, eq } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { orders, users } from '../../src/database/schema';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import {
  CARD,
  createGuestCart,
  MINIMAL_SHIPPING,
  createProduct,
  placeGuestOrder,
  registerUser,
  uniqueEmail,
} from '../support/factories';
import { readMail, verificationToken as tokenOfVerificationMail } from '../support/shopper-mail';
import { createTestApp, TestApp } from '../support/test-app';

describe('guest-to-user conversion (contract §8)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function guestOrder(
    email: string,
    opts: { firstName?: string; phone?: string; sessionId?: string } = {},
  ) {
    const product = await createProduct(t, { stock: 20, unit_price: 500 });
    let sessionId = opts.sessionId;
    if (sessionId === undefined) {
      sessionId = await createGuestCart(t, [[product, 1]]);
    } else {
      await t.request('POST', '/api/v1/cart/guest', {
        body: { session_id: sessionId, items: [{ product_id: product.id, quantity: 1 }] },
      });
    }
    const res = await placeGuestOrder(t, {
      session_id: sessionId,
      customer_info: {
        email,
        first_name: opts.firstName ?? 'Gina',
        last_name: 'Guest',
        ...(opts.phone ? { phone: opts.phone } : {}),
      },
      shipping_address: MINIMAL_SHIPPING,
      payment_info: CARD,
    });
    expect(res.status).toBe(201);
    return { order: res.body.data.order, sessionId };
  }

  /** Delivers the outbox and reads the newest verification token sent to `email` from the .eml files. */
  async function verificationToken(email: string): Promise<string> {
    await t.app.get(MailDispatcher).dispatchDue();
    const dir = join(t.config.dataDir, 'mail');
    const files = readdirSync(dir)
      .filter((f) => f.includes('email-verification'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .filter((raw) => raw.includes(`To: ${email}`));
    const raw = files.at(-1);
    if (raw === undefined) throw new Error(`no verification mail for ${email}`);
    return tokenOfVerificationMail(await readMail(raw));
  }

  it('creates the account, links the named order at once and leaves the others for verification', async () => {
    const email = uniqueEmail('conv');
    const first = await guestOrder(email, { firstName: 'Olga', phone: '+1 555 0101' });
    const second = await guestOrder(email);

    const res = await t.request('POST', '/api/v1/auth/convert-guest/', {
      body: {
        email: email.toUpperCase(),
        password: 'a-good-password',
        guest_order_id: first.order.order_number,
      },
    });

    expect(res.status).toBe(201);
    expect(res.body.data.user).toMatchObject({
      email,
      first_name: 'Olga',
      last_name: 'Guest',
      email_verified: false,
    });
    expect(res.body.data.linked_orders.map((o: { id: string }) => o.id)).toEqual([first.order.id]);
    expect(res.body.data.pending_link_count).toBe(1);
    const mine = await t.request('GET', '/api/v1/orders', { token: res.body.data.token });
    expect(mine.body.data.orders.map((o: { id: string }) => o.id)).toEqual([first.order.id]);

    const verified = await t.request('POST', '/api/v1/auth/verify-email', {
      body: { token: await verificationToken(email) },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.data.linked_orders.map((o: { id: string }) => o.id)).toEqual([second.order.id]);
    const after = await t.request('GET', '/api/v1/orders', { token: res.body.data.token });
    expect(after.body.data.orders).toHaveLength(2);
    // linked orders stay reachable through guest lookup
    const lookup = await t.request('POST', '/api/v1/orders/guest-lookup', {
      body: { email, order_number: second.order.order_number },
    });
    expect(lookup.status).toBe(200);
  });

  it('accepts the order id as well as the order number', async () => {
    const email = uniqueEmail('conv');
    const { order } = await guestOrder(email);
    const res = await t.request('POST', '/api/v1/auth/convert-guest', {
      body: { email, password: 'a-good-password', guest_order_id: order.id },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.linked_orders).toHaveLength(1);
  });

  it('links nothing for an attacker who registers someone else’s email until the mail’s token is used', async () => {
    const victim = uniqueEmail('victim');
    await guestOrder(victim);
    const res = await t.request('POST', '/api/v1/auth/convert-guest', {
      body: { email: victim, password: 'attacker-password' },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.linked_orders).toEqual([]);
    expect(res.body.data.pending_link_count).toBe(1);
    expect(
      (await t.request('GET', '/api/v1/orders', { token: res.body.data.token })).body.data.orders,
    ).toEqual([]);
  });

  it('answers 404 and creates nothing for a stolen order number with the wrong email', async () => {
    const { order } = await guestOrder(uniqueEmail('owner'));
    const thief = uniqueEmail('thief');
    const res = await t.request('POST', '/api/v1/auth/convert-guest', {
      body: { email: thief, password: 'a-good-password', guest_order_id: order.order_number },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ORDER_NOT_FOUND');
    expect(await t.database.db.select().from(users).where(eq(users.email, thief))).toEqual([]);
    const [row] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(row.userId).toBeNull();
  });

  it('links the orders of the guest session and carries its cart over', async () => {
    const email = uniqueEmail('sess');
    const { order, sessionId } = await guestOrder(email);
    const product = await createProduct(t, { stock: 5 });
    await t.request('POST', '/api/v1/cart/guest', {
      body: { session_id: sessionId, items: [{ product_id: product.id, quantity: 2 }] },
    });

    const res = await t.request('POST', '/api/v1/auth/convert-guest', {
      body: { email, password: 'a-good-password', guest_session_id: sessionId },
    });

    expect(res.status).toBe(201);
    expect(res.body.data.linked_orders.map((o: { id: string }) => o.id)).toEqual([order.id]);
    const cart = await t.request('GET', '/api/v1/cart', { token: res.body.data.token });
    expect(cart.body.data.cart.items).toEqual([
      expect.objectContaining({ product_id: product.id, quantity: 2 }),
    ]);
  });

  it('refuses taken and guest-pattern emails', async () => {
    const user = await registerUser(t);
    const taken = await t.request('POST', '/api/v1/auth/convert-guest', {
      body: { email: user.email, password: 'a-good-password' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('EMAIL_ALREADY_REGISTERED');
    const guest = await t.request('POST', '/api/v1/auth/convert-guest', {
      body: { email: 'guest_1@checkout.guest', password: 'a-good-password' },
    });
    expect(guest.status).toBe(422);
    expect(guest.body.error.code).toBe('GUEST_EMAIL_NOT_ALLOWED');
  });

  it('does not let a verification token be used twice', async () => {
    const email = uniqueEmail('twice');
    await t.request('POST', '/api/v1/auth/convert-guest', { body: { email, password: 'a-good-password' } });
    const token = await verificationToken(email);
    expect((await t.request('POST', '/api/v1/auth/verify-email', { body: { token } })).status).toBe(200);
    const again = await t.request('POST', '/api/v1/auth/verify-email', { body: { token } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('INVALID_TOKEN');
  });

  it('creates one account when the same email converts concurrently', async () => {
    const email = uniqueEmail('race');
    await guestOrder(email);
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        t.request('POST', '/api/v1/auth/convert-guest', { body: { email, password: 'a-good-password' } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const [n] = await t.database.db.select({ n: count() }).from(users).where(eq(users.email, email));
    expect(n.n).toBe(1);
  });

  it('validates the body', async () => {
    for (const body of [
      { email: 'x', password: 'a-good-password' },
      { email: uniqueEmail(), password: 'short' },
      { email: uniqueEmail(), password: 'a-good-password', guest_session_id: 'nope' },
    ]) {
      expect((await t.request('POST', '/api/v1/auth/convert-guest', { body })).status).toBe(400);
    }
  });
});
