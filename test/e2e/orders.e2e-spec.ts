import { count, eq, ne, notInArray } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { randomUUID } from 'node:crypto';
import { mailOutbox, orderItems, orders, orderStatusHistory } from '../../src/database/schema';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import { guestCartLines, ordersOfSession, productStock, unitsInOpenOrders } from '../support/db-reads';
import {
  adminToken,
  CARD,
  createGuestCart,
  createGuestOrder,
  createProduct,
  CUSTOMER,
  guestOrderBody as baseGuestOrderBody,
  Lines,
  PlacedGuestOrder,
  placeGuestOrder,
  putUserCartItem,
  registerUser,
  uniqueEmail,
  updateProduct,
} from '../support/factories';
import { expectError } from '../support/responses';
import { TestSmtpServer } from '../support/smtp-server';
import { createTestApp, HttpResult, TestApp } from '../support/test-app';

const ORDER_NUMBER = /^GC-[0-9A-HJKMNP-TV-Z]{10}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const DAY_MS = 24 * 60 * 60 * 1000;
const LOOKUP_URL = '/api/v1/orders/guest-lookup/';
/** This suite ships to an address with a second line, so the order checks cover line2 too. */
const SHIPPING = {
  line1: '1 Main Street',
  line2: 'Apt 4',
  city: 'Springfield',
  state: 'IL',
  postal_code: '62701',
  country: 'US',
};

function guestOrderBody(sessionId: string, email?: string, extra: object = {}) {
  return baseGuestOrderBody(sessionId, email, { shipping_address: SHIPPING, ...extra });
}

/** A valid order number that no order has (the odds of a clash are 2^-50). */
function unknownOrderNumber(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomUUID().replace(/-/g, '');
  let out = 'GC-';
  for (let i = 0; i < 10; i++) out += alphabet[parseInt(bytes.slice(2 * i, 2 * i + 2), 16) & 31];
  return out;
}

/** Checkout helpers over one app. */
function shop(t: TestApp) {
  const db = t.database.db;

  async function rowCount(table: PgTable): Promise<number> {
    const [row] = await db.select({ n: count() }).from(table);
    return row.n;
  }

  const helpers = {
    /** A guest session whose cart holds `lines`; returns the session id. */
    guestCart(lines: Lines, remoteAddress?: string): Promise<string> {
      return createGuestCart(t, lines, { remoteAddress });
    },

    placeGuest(body: unknown, options: { key?: string; remoteAddress?: string } = {}): Promise<HttpResult> {
      return placeGuestOrder(t, body, {
        trailingSlash: true,
        headers: options.key === undefined ? undefined : { 'Idempotency-Key': options.key },
        remoteAddress: options.remoteAddress,
      });
    },

    /** Fills a guest cart and orders it; returns the 201 `data`. */
    guestOrder(lines: Lines, email?: string): Promise<PlacedGuestOrder> {
      return createGuestOrder(t, lines, {
        email,
        extra: { shipping_address: SHIPPING },
        trailingSlash: true,
      });
    },

    stock(productId: string): Promise<number> {
      return productStock(t, productId);
    },

    /** The stored lines of a guest cart, straight from the database. */
    cartLines(sessionId: string) {
      return guestCartLines(t, sessionId);
    },

    ordersOfSession(sessionId: string) {
      return ordersOfSession(t, sessionId);
    },

    async history(orderId: string): Promise<string[]> {
      const rows = await db
        .select({ status: orderStatusHistory.status })
        .from(orderStatusHistory)
        .where(eq(orderStatusHistory.orderId, orderId))
        .orderBy(orderStatusHistory.at, orderStatusHistory.status);
      return rows.map((row) => row.status);
    },

    /** Units of a product held by orders that are not cancelled. */
    unitsInOpenOrders(productId: string): Promise<number> {
      return unitsInOpenOrders(t, productId);
    },

    /**
     * What a refused checkout must leave as it was (contract §6): stock, cart, mail and every order a
     * shopper or an admin list could see. A payment that failed leaves a `payment_failed` record for audit.
     */
    async state(productIds: string[], sessionId: string) {
      const shown = notInArray(orders.status, ['awaiting_payment', 'payment_failed']);
      const [visible] = await db.select({ n: count() }).from(orders).where(shown);
      const [visibleItems] = await db
        .select({ n: count() })
        .from(orderItems)
        .innerJoin(orders, eq(orders.id, orderItems.orderId))
        .where(shown);
      const [visibleHistory] = await db
        .select({ n: count() })
        .from(orderStatusHistory)
        .where(ne(orderStatusHistory.status, 'payment_failed'));
      return {
        stock: await Promise.all(productIds.map((id) => helpers.stock(id))),
        cart: await helpers.cartLines(sessionId),
        orders: visible.n,
        orderItems: visibleItems.n,
        history: visibleHistory.n,
        outbox: await rowCount(mailOutbox),
      };
    },

    /** Runs a checkout that must be refused and checks that stock, cart and orders did not move. */
    async expectRefused(
      productIds: string[],
      sessionId: string,
      send: () => Promise<HttpResult>,
      status: number,
      code: string,
      details?: unknown,
    ): Promise<HttpResult> {
      const before = await helpers.state(productIds, sessionId);
      const res = await send();
      expectError(res, status, code, details);
      expect(await helpers.state(productIds, sessionId)).toEqual(before);
      return res;
    },

    lookup(method: 'GET' | 'POST', email: string, orderNumber: string, remoteAddress?: string) {
      return method === 'POST'
        ? t.request('POST', LOOKUP_URL, { body: { email, order_number: orderNumber }, remoteAddress })
        : t.request(
            'GET',
            `${LOOKUP_URL}?email=${encodeURIComponent(email)}&order_number=${encodeURIComponent(orderNumber)}`,
            { remoteAddress },
          );
    },

    async setStatus(orderId: string, body: object, token?: string): Promise<HttpResult> {
      return t.request('PATCH', `/api/v1/admin/orders/${orderId}/status/`, {
        token: token ?? (await adminToken(t)),
        body,
      });
    },
  };
  return helpers;
}

describe('orders (contract §6, §7)', () => {
  let t: TestApp;
  let s: ReturnType<typeof shop>;

  beforeAll(async () => {
    t = await createTestApp();
    s = shop(t);
  });
  afterEach(() => t.clock.reset());
  afterAll(() => t.close());

  it('keeps every line of an order exactly, names with quotes, braces, commas and backslashes included', async () => {
    const awkwardName = 'Mug "Deluxe", {red} \\ blue; ü 🍵 \'NULL\'';
    const awkward = await createProduct(t, { name: awkwardName, unit_price: 1234 });
    const plain = await createProduct(t, { name: 'NULL', unit_price: 500 });
    const sessionId = await s.guestCart([
      [plain, 2],
      [awkward, 1],
    ]);
    const res = await s.placeGuest(guestOrderBody(sessionId));
    expect(res.status).toBe(201);
    const expected = [
      { product_id: plain.id, name: 'NULL', quantity: 2, unit_price: 500, line_total: 1000 },
      { product_id: awkward.id, name: awkwardName, quantity: 1, unit_price: 1234, line_total: 1234 },
    ];
    expect(res.body.data.order.items).toEqual(expected.map((item) => expect.objectContaining(item)));
    const lookup = await t.request('POST', '/api/v1/orders/guest-lookup', {
      body: { email: res.body.data.order.email, order_number: res.body.data.order.order_number },
    });
    expect(lookup.body.data.order.items).toEqual(expected.map((item) => expect.objectContaining(item)));
  });

  describe('refused guest checkouts leave stock, cart and orders as they were', () => {
    it('answers 422 CART_EMPTY for an empty guest cart', async () => {
      const sessionId = await s.guestCart([]);
      await s.expectRefused([], sessionId, () => s.placeGuest(guestOrderBody(sessionId)), 422, 'CART_EMPTY');
    });

    it('answers 422 CART_EMPTY when the same cart is ordered a second time', async () => {
      const product = await createProduct(t, { stock: 5 });
      const sessionId = await s.guestCart([[product, 1]]);
      expect((await s.placeGuest(guestOrderBody(sessionId))).status).toBe(201);
      await s.expectRefused(
        [product.id],
        sessionId,
        () => s.placeGuest(guestOrderBody(sessionId)),
        422,
        'CART_EMPTY',
      );
      expect(await s.stock(product.id)).toBe(4);
    });

    it('answers 409 INSUFFICIENT_STOCK with per-product details when stock fell below the cart quantity', async () => {
      const plenty = await createProduct(t, { stock: 10 });
      const scarce = await createProduct(t, { stock: 5 });
      const sessionId = await s.guestCart([
        [plenty, 2],
        [scarce, 3],
      ]);
      await updateProduct(t, scarce.id, { stock: 1 });
      await s.expectRefused(
        [plenty.id, scarce.id],
        sessionId,
        () => s.placeGuest(guestOrderBody(sessionId)),
        409,
        'INSUFFICIENT_STOCK',
        [{ product_id: scarce.id, requested: 3, available: 1 }],
      );
      expect(await s.stock(plenty.id)).toBe(10);
    });

    it('answers 422 PRODUCT_UNAVAILABLE when a product was deactivated after it was put in the cart', async () => {
      const kept = await createProduct(t, { stock: 4 });
      const dropped = await createProduct(t, { stock: 4 });
      const sessionId = await s.guestCart([
        [kept, 1],
        [dropped, 1],
      ]);
      await updateProduct(t, dropped.id, { is_active: false });
      const res = await s.expectRefused(
        [kept.id, dropped.id],
        sessionId,
        () => s.placeGuest(guestOrderBody(sessionId)),
        422,
        'PRODUCT_UNAVAILABLE',
      );
      expect(JSON.stringify(res.body.error.details)).toContain(dropped.id);
      expect(JSON.stringify(res.body.error.details)).not.toContain(kept.id);
    });

    it.each([
      ['tok_chargeDeclined', 402, 'PAYMENT_DECLINED'],
      ['tok_unavailable', 503, 'PAYMENT_PROVIDER_UNAVAILABLE'],
    ] as const)(
      'answers a %s payment with %i %s, gives the stock back and keeps only a payment_failed record',
      async (token, status, code) => {
        const product = await createProduct(t, { stock: 3 });
        const sessionId = await s.guestCart([[product, 2]]);
        await s.expectRefused(
          [product.id],
          sessionId,
          () =>
            s.placeGuest(guestOrderBody(sessionId, undefined, { payment_info: { method: 'card', token } })),
          status,
          code,
        );
        const [failed] = await s.ordersOfSession(sessionId);
        expect(failed).toMatchObject({
          status: 'payment_failed',
          paymentFailure: token === 'tok_chargeDeclined' ? 'declined' : 'provider_unavailable',
          pendingCartId: null,
          paymentReference: null,
        });
        expect(await s.history(failed.id)).toEqual(['payment_failed']);
      },
    );

    it('refuses raw card data in payment_info with 400 and never echoes it', async () => {
      const product = await createProduct(t, { stock: 3 });
      const sessionId = await s.guestCart([[product, 1]]);
      const res = await s.expectRefused(
        [product.id],
        sessionId,
        () =>
          s.placeGuest(
            guestOrderBody(sessionId, undefined, {
              payment_info: { method: 'card', token: 'tok_visa', number: '4242424242424242', cvc: '123' },
            }),
          ),
        400,
        'VALIDATION_FAILED',
      );
      expect(res.raw).not.toContain('4242424242424242');
    });

    it('refuses a country that is not ISO 3166-1 alpha-2 with 400', async () => {
      const product = await createProduct(t, { stock: 3 });
      const sessionId = await s.guestCart([[product, 1]]);
      await s.expectRefused(
        [product.id],
        sessionId,
        () =>
          s.placeGuest(
            guestOrderBody(sessionId, undefined, { shipping_address: { ...SHIPPING, country: 'USA' } }),
          ),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('answers 404 GUEST_SESSION_NOT_FOUND for an unknown session', async () => {
      const product = await createProduct(t, { stock: 3 });
      const sessionId = randomUUID();
      await s.expectRefused(
        [product.id],
        sessionId,
        () => s.placeGuest(guestOrderBody(sessionId)),
        404,
        'GUEST_SESSION_NOT_FOUND',
      );
    });

    it('answers 410 GUEST_SESSION_EXPIRED for a session idle for 31 days', async () => {
      const product = await createProduct(t, { stock: 3 });
      const sessionId = await s.guestCart([[product, 2]]);
      t.clock.advance(31 * DAY_MS);
      await s.expectRefused(
        [product.id],
        sessionId,
        () => s.placeGuest(guestOrderBody(sessionId)),
        410,
        'GUEST_SESSION_EXPIRED',
      );
    });

    it('answers 409 EMAIL_ALREADY_REGISTERED when the email belongs to an account, in any letter case', async () => {
      const user = await registerUser(t);
      const product = await createProduct(t, { stock: 3 });
      const sessionId = await s.guestCart([[product, 1]]);
      await s.expectRefused(
        [product.id],
        sessionId,
        () => s.placeGuest(guestOrderBody(sessionId, ` ${user.email.toUpperCase()} `)),
        409,
        'EMAIL_ALREADY_REGISTERED',
      );
    });
  });

  it('sells exactly the stock to concurrent checkouts: 5 units, 12 buyers → 5 orders and 7 × 409', async () => {
    const initialStock = 5;
    const product = await createProduct(t, { stock: initialStock });
    const sessions = await Promise.all(Array.from({ length: 12 }, () => s.guestCart([[product, 1]])));

    const results = await Promise.all(sessions.map((sessionId) => s.placeGuest(guestOrderBody(sessionId))));

    const created = results.filter((res) => res.status === 201);
    const refused = results.filter((res) => res.status !== 201);
    expect(created).toHaveLength(5);
    expect(refused).toHaveLength(7);
    for (const res of refused) {
      expectError(res, 409, 'INSUFFICIENT_STOCK', [{ product_id: product.id, requested: 1, available: 0 }]);
    }
    expect(await s.stock(product.id)).toBe(0);
    const ordered = await t.database.db
      .select({ orderId: orderItems.orderId })
      .from(orderItems)
      .where(eq(orderItems.productId, product.id));
    expect(ordered).toHaveLength(5);
    expect(new Set(ordered.map((row) => row.orderId))).toEqual(
      new Set(created.map((res) => res.body.data.order.id as string)),
    );
    expect(initialStock).toBe((await s.stock(product.id)) + (await s.unitsInOpenOrders(product.id)));
    // the losers keep their carts, the winners' carts are empty
    const cartSizes = await Promise.all(sessions.map(async (id) => (await s.cartLines(id)).length));
    expect(cartSizes.filter((n) => n === 0)).toHaveLength(5);
    expect(cartSizes.filter((n) => n === 1)).toHaveLength(7);
  });

  it('orders a guest cart once when it is submitted twice at the same time without a key', async () => {
    const product = await createProduct(t, { stock: 10 });
    const sessionId = await s.guestCart([[product, 3]]);

    const results = await Promise.all([
      s.placeGuest(guestOrderBody(sessionId)),
      s.placeGuest(guestOrderBody(sessionId)),
    ]);

    // the second one either finds the first waiting for its payment (409) or the cart already empty (422)
    const [placed, refused] = [...results].sort((a, b) => a.status - b.status);
    expect(placed.status).toBe(201);
    expect([
      ['409', 'REQUEST_IN_PROGRESS'],
      ['422', 'CART_EMPTY'],
    ]).toContainEqual([String(refused.status), refused.body.error.code]);
    expect(await s.ordersOfSession(sessionId)).toHaveLength(1);
    expect(await s.stock(product.id)).toBe(7);
  });

  describe('Idempotency-Key', () => {
    it('replays the first response byte for byte for the same key and body, without a second order', async () => {
      const product = await createProduct(t, { stock: 5 });
      const sessionId = await s.guestCart([[product, 2]]);
      const body = guestOrderBody(sessionId);
      const key = randomUUID();

      const first = await s.placeGuest(body, { key });
      const second = await s.placeGuest(body, { key });

      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.raw).toBe(first.raw);
      expect(await s.ordersOfSession(sessionId)).toHaveLength(1);
      expect(await s.stock(product.id)).toBe(3);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
      const product = await createProduct(t, { stock: 5 });
      const sessionId = await s.guestCart([[product, 1]]);
      const key = randomUUID();
      const body = guestOrderBody(sessionId);
      expect((await s.placeGuest(body, { key })).status).toBe(201);

      const other = { ...body, customer_info: { ...body.customer_info, last_name: 'Smith' } };
      expectError(await s.placeGuest(other, { key }), 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await s.ordersOfSession(sessionId)).toHaveLength(1);
    });

    it('makes one order of 5 concurrent requests with one key; the others replay it or answer 409 REQUEST_IN_PROGRESS', async () => {
      const product = await createProduct(t, { stock: 10 });
      const sessionId = await s.guestCart([[product, 1]]);
      const body = guestOrderBody(sessionId);
      const key = randomUUID();

      const results = await Promise.all(Array.from({ length: 5 }, () => s.placeGuest(body, { key })));

      const created = results.filter((res) => res.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      for (const res of created) expect(res.raw).toBe(created[0].raw);
      for (const res of results.filter((r) => r.status !== 201)) expectError(res, 409, 'REQUEST_IN_PROGRESS');
      expect(await s.ordersOfSession(sessionId)).toHaveLength(1);
      expect(await s.stock(product.id)).toBe(9);
    });

    it('refuses a key longer than 255 characters with 400 and accepts one of 255', async () => {
      const product = await createProduct(t, { stock: 5 });
      const sessionId = await s.guestCart([[product, 1]]);
      await s.expectRefused(
        [product.id],
        sessionId,
        () => s.placeGuest(guestOrderBody(sessionId), { key: 'k'.repeat(256) }),
        400,
        'VALIDATION_FAILED',
      );
      expect((await s.placeGuest(guestOrderBody(sessionId), { key: 'k'.repeat(255) })).status).toBe(201);
    });

    it('replays a declined payment (402) instead of running the request again', async () => {
      const product = await createProduct(t, { stock: 5 });
      const sessionId = await s.guestCart([[product, 1]]);
      const body = guestOrderBody(sessionId, undefined, {
        payment_info: { method: 'card', token: 'tok_chargeDeclined' },
      });
      const key = randomUUID();

      const first = await s.placeGuest(body, { key });
      expectError(first, 402, 'PAYMENT_DECLINED');
      // run again, the request would now answer 422 PRODUCT_UNAVAILABLE: a 402 proves the replay
      await updateProduct(t, product.id, { is_active: false });
      const second = await s.placeGuest(body, { key });

      expect(second.status).toBe(402);
      expect(second.raw).toBe(first.raw);
      const attempts = await s.ordersOfSession(sessionId);
      expect(attempts.map((order) => order.status)).toEqual(['payment_failed']);
      expect(await s.stock(product.id)).toBe(5);
    });
  });

  describe('user orders', () => {
    function placeUserOrder(token?: string): Promise<HttpResult> {
      return t.request('POST', '/api/v1/orders', {
        token,
        body: { shipping_address: SHIPPING, payment_info: CARD },
      });
    }

    it("orders the user's cart, empties it and lists the order among the user's orders", async () => {
      const user = await registerUser(t);
      const product = await createProduct(t, { unit_price: 700, stock: 4 });
      await putUserCartItem(t, user.token, product, 3);

      const res = await placeUserOrder(user.token);

      expect(res.status).toBe(201);
      const order = res.body.data.order;
      expect(order).toMatchObject({
        order_number: expect.stringMatching(ORDER_NUMBER),
        status: 'paid',
        email: user.email,
        is_guest: false,
        items: [
          expect.objectContaining({ product_id: product.id, quantity: 3, unit_price: 700, line_total: 2100 }),
        ],
        subtotal: 2100,
        total: 2100,
        currency: 'USD',
      });
      expect(res.body.data.confirmation_details).toMatchObject({
        order_number: order.order_number,
        email: user.email,
        email_queued: true,
      });
      expect(await s.stock(product.id)).toBe(1);
      const cart = await t.request('GET', '/api/v1/cart', { token: user.token });
      expect(cart.body.data.cart.items).toEqual([]);

      const list = await t.request('GET', '/api/v1/orders', { token: user.token });
      expect(list.status).toBe(200);
      expect(list.body.data.orders).toEqual([order]);

      const one = await t.request('GET', `/api/v1/orders/${order.order_number}/`, { token: user.token });
      expect(one.status).toBe(200);
      expect(one.body.data.order).toEqual(order);
    });

    it('answers 401 without a token and leaves nothing ordered', async () => {
      const before = await t.database.db.select({ n: count() }).from(orders);
      expectError(await placeUserOrder(), 401, 'UNAUTHENTICATED');
      expectError(await t.request('GET', '/api/v1/orders'), 401, 'UNAUTHENTICATED');
      expect(await t.database.db.select({ n: count() }).from(orders)).toEqual(before);
    });

    it("answers 404 ORDER_NOT_FOUND for another user's order and for a guest order's number", async () => {
      const owner = await registerUser(t);
      const other = await registerUser(t);
      const product = await createProduct(t, { stock: 4 });
      await putUserCartItem(t, owner.token, product, 1);
      const mine = (await placeUserOrder(owner.token)).body.data.order.order_number as string;
      const guest = (await s.guestOrder([[product, 1]])).order.order_number;

      expectError(
        await t.request('GET', `/api/v1/orders/${mine}`, { token: other.token }),
        404,
        'ORDER_NOT_FOUND',
      );
      expectError(
        await t.request('GET', `/api/v1/orders/${guest}`, { token: owner.token }),
        404,
        'ORDER_NOT_FOUND',
      );
      expect((await t.request('GET', '/api/v1/orders', { token: other.token })).body.data.orders).toEqual([]);
    });
  });

  describe('guest order lookup', () => {
    it('finds a guest order by email (any letter case) and number, with GET and with POST', async () => {
      const product = await createProduct(t, { stock: 4 });
      const email = uniqueEmail('lookup');
      const placed = await s.guestOrder([[product, 2]], email);

      for (const method of ['POST', 'GET'] as const) {
        const res = await s.lookup(method, email.toUpperCase(), placed.order.order_number);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          success: true,
          data: {
            order: placed.order,
            tracking_info: {
              status: 'paid',
              status_history: [{ status: 'paid', at: expect.stringMatching(ISO_UTC) }],
              carrier: null,
              tracking_number: null,
            },
          },
        });
      }
    });

    it('answers every mismatch with the same 404 ORDER_NOT_FOUND body, byte for byte, on GET and POST', async () => {
      const product = await createProduct(t, { stock: 4 });
      const email = uniqueEmail('lookup');
      const placed = await s.guestOrder([[product, 1]], email);
      const otherEmail = uniqueEmail('stranger');
      const otherNumber = unknownOrderNumber();

      const answers: HttpResult[] = [];
      for (const method of ['POST', 'GET'] as const) {
        answers.push(await s.lookup(method, otherEmail, placed.order.order_number)); // wrong email
        answers.push(await s.lookup(method, email, otherNumber)); // wrong number
        answers.push(await s.lookup(method, otherEmail, otherNumber)); // both wrong
      }

      expectError(answers[0], 404, 'ORDER_NOT_FOUND');
      for (const res of answers) {
        expect(res.status).toBe(404);
        expect(res.raw).toBe(answers[0].raw);
      }
    });
  });

  describe('admin status changes', () => {
    it('moves an order paid → processing → shipped → delivered and shows tracking in the lookup', async () => {
      const product = await createProduct(t, { stock: 4 });
      const email = uniqueEmail('track');
      const { order } = await s.guestOrder([[product, 1]], email);

      const processing = await s.setStatus(order.id, { status: 'processing' });
      expect(processing.status).toBe(200);
      expect(processing.body.data.order).toMatchObject({ id: order.id, status: 'processing' });
      const shipped = await s.setStatus(order.id, {
        status: 'shipped',
        carrier: 'UPS',
        tracking_number: '1Z999AA10123456784',
      });
      expect(shipped.status).toBe(200);
      expect((await s.setStatus(order.id, { status: 'delivered' })).status).toBe(200);

      const lookup = await s.lookup('POST', email, order.order_number);
      expect(lookup.status).toBe(200);
      const tracking = lookup.body.data.tracking_info;
      expect(tracking).toMatchObject({
        status: 'delivered',
        carrier: 'UPS',
        tracking_number: '1Z999AA10123456784',
      });
      expect(tracking.status_history.map((entry: { status: string }) => entry.status)).toEqual([
        'paid',
        'processing',
        'shipped',
        'delivered',
      ]);
      const times = tracking.status_history.map((entry: { at: string }) => Date.parse(entry.at));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(await s.history(order.id)).toEqual(['paid', 'processing', 'shipped', 'delivered']);
      expect(lookup.body.data.order.status).toBe('delivered');
    });

    it('refuses invalid transitions with 409 INVALID_STATUS_TRANSITION and changes nothing', async () => {
      const product = await createProduct(t, { stock: 4 });
      const delivered = (await s.guestOrder([[product, 1]])).order;
      for (const status of ['processing', 'shipped', 'delivered']) {
        expect((await s.setStatus(delivered.id, { status })).status).toBe(200);
      }
      const fresh = (await s.guestOrder([[product, 1]])).order;

      expectError(
        await s.setStatus(delivered.id, { status: 'cancelled' }),
        409,
        'INVALID_STATUS_TRANSITION',
        [{ from: 'delivered', to: 'cancelled' }],
      );
      expectError(await s.setStatus(fresh.id, { status: 'shipped' }), 409, 'INVALID_STATUS_TRANSITION', [
        { from: 'paid', to: 'shipped' },
      ]);

      expect(await s.history(delivered.id)).toEqual(['paid', 'processing', 'shipped', 'delivered']);
      expect(await s.history(fresh.id)).toEqual(['paid']);
      expect(await s.stock(product.id)).toBe(2);
    });

    it('puts the units back when a paid order is cancelled, once', async () => {
      const product = await createProduct(t, { stock: 6 });
      const { order } = await s.guestOrder([[product, 4]]);
      expect(await s.stock(product.id)).toBe(2);

      const res = await s.setStatus(order.id, { status: 'cancelled' });

      expect(res.status).toBe(200);
      expect(res.body.data.order.status).toBe('cancelled');
      expect(await s.stock(product.id)).toBe(6);
      expect(await s.history(order.id)).toEqual(['paid', 'cancelled']);
      expectError(await s.setStatus(order.id, { status: 'cancelled' }), 409, 'INVALID_STATUS_TRANSITION');
      expect(await s.stock(product.id)).toBe(6);
    });

    it('answers 403 to a non-admin and 404 ORDER_NOT_FOUND for an unknown order', async () => {
      const product = await createProduct(t, { stock: 4 });
      const { order } = await s.guestOrder([[product, 1]]);
      const user = await registerUser(t);

      expectError(await s.setStatus(order.id, { status: 'processing' }, user.token), 403, 'FORBIDDEN');
      expectError(await s.setStatus(randomUUID(), { status: 'processing' }), 404, 'ORDER_NOT_FOUND');
      expect(await s.history(order.id)).toEqual(['paid']);
    });
  });
});

describe('guest checkout and its confirmation mail (contract §6, §11)', () => {
  let t: TestApp;
  let s: ReturnType<typeof shop>;
  let dispatcher: MailDispatcher;
  const smtp = new TestSmtpServer();

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp({ SMTP_URL: smtp.url });
    s = shop(t);
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
    const first = await createProduct(t, { name: 'Blue mug', unit_price: 1250, stock: 10 });
    const second = await createProduct(t, { name: 'Tea towel', unit_price: 399, stock: 5 });
    const sessionId = await s.guestCart([
      [first, 2],
      [second, 3],
    ]);
    const email = `Jane.Doe-${randomUUID().slice(0, 8)}@Example.COM`;
    const stored = email.toLowerCase();

    const res = await s.placeGuest(guestOrderBody(sessionId, email));

    expect(res.status).toBe(201);
    expect(Object.keys(res.body.data).sort()).toEqual(['confirmation_details', 'order']);
    const order = res.body.data.order;
    expect(order).toEqual({
      id: expect.stringMatching(UUID),
      order_number: expect.stringMatching(ORDER_NUMBER),
      status: 'paid',
      email: stored,
      customer: CUSTOMER,
      shipping_address: { ...SHIPPING, city_id: null, neighborhood_id: null },
      items: expect.any(Array),
      subtotal: 2 * 1250 + 3 * 399,
      total: 2 * 1250 + 3 * 399,
      currency: 'USD',
      is_guest: true,
      created_at: expect.stringMatching(ISO_UTC),
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

    expect(await s.stock(first.id)).toBe(8);
    expect(await s.stock(second.id)).toBe(2);
    const cart = await t.request('GET', `/api/v1/cart/guest/${sessionId}`);
    expect(cart.body.data.cart.items).toEqual([]);
    expect(await s.cartLines(sessionId)).toEqual([]);
    expect(await s.history(order.id)).toEqual(['paid']);

    expect(smtp.to(stored)).toHaveLength(0);
    await dispatcher.dispatchDue();
    const mails = smtp.to(stored);
    expect(mails).toHaveLength(1);
    expect(mails[0].raw).toContain(order.order_number);
  });

  it('answers null, never an absent field, for the optional fields an order was placed without', async () => {
    const product = await createProduct(t, { stock: 5 });
    const sessionId = await s.guestCart([[product, 1]]);
    const { line1, city, postal_code, country } = SHIPPING;
    const body = guestOrderBody(sessionId, undefined, {
      shipping_address: { line1, city, postal_code, country },
    });
    const { phone: _phone, ...customer } = body.customer_info as Record<string, string>;

    const res = await s.placeGuest({ ...body, customer_info: customer });

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
    const product = await createProduct(t, { stock: 5 });
    const email = 'guest_123@checkout.guest';

    const placed = [await s.guestOrder([[product, 1]], email), await s.guestOrder([[product, 1]], email)];

    for (const { order, confirmation_details } of placed) {
      expect(order).toMatchObject({ email, is_guest: true, status: 'paid' });
      expect(confirmation_details).toMatchObject({ email, email_queued: false });
    }
    expect(placed[0].order.order_number).not.toBe(placed[1].order.order_number);
    expect(await s.stock(product.id)).toBe(3);
    await dispatcher.dispatchDue();
    expect(smtp.to(email)).toEqual([]);
    expect(await outboxRows(email)).toEqual([]);
  });

  it('keeps taking orders while SMTP is down and sends each confirmation once when it is back', async () => {
    const product = await createProduct(t, { stock: 10 });
    const emails = [uniqueEmail('down-a'), uniqueEmail('down-b'), uniqueEmail('down-c')];
    await smtp.stop();
    try {
      for (const email of emails) {
        const placed = await s.guestOrder([[product, 1]], email);
        expect(placed.confirmation_details.email_queued).toBe(true);
      }
      expect(await s.stock(product.id)).toBe(7);

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

describe('rate limits on guest orders and lookup (contract §10)', () => {
  let t: TestApp;
  let s: ReturnType<typeof shop>;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMITS: 'on' });
    s = shop(t);
  });
  afterAll(() => t.close());

  function expectRateLimited(res: HttpResult): void {
    expectError(res, 429, 'RATE_LIMITED');
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }

  it('allows 5 lookups a minute per IP, GET and POST together, and answers the 6th with 429', async () => {
    const client = '10.61.0.1';
    const product = await createProduct(t, { stock: 5 });
    const email = uniqueEmail('limited');
    const sessionId = await s.guestCart([[product, 1]], '10.61.0.2');
    const placed = await s.placeGuest(guestOrderBody(sessionId, email), { remoteAddress: '10.61.0.2' });
    expect(placed.status).toBe(201);
    const number = placed.body.data.order.order_number as string;

    const statuses = [
      (await s.lookup('GET', email, number, client)).status,
      (await s.lookup('POST', email, number, client)).status,
      (await s.lookup('GET', email, unknownOrderNumber(), client)).status,
      (await s.lookup('POST', uniqueEmail('x'), number, client)).status,
      (await s.lookup('POST', email, number, client)).status,
    ];

    expect(statuses).toEqual([200, 200, 404, 404, 200]);
    expectRateLimited(await s.lookup('GET', email, number, client));
    expectRateLimited(await s.lookup('POST', email, number, client));
    expect((await s.lookup('POST', email, number, '10.61.0.3')).status).toBe(200);
  });

  it('allows 3 guest orders a minute per IP, counting POST /api/orders, and answers the 4th with 429', async () => {
    const client = '10.62.0.1';
    const product = await createProduct(t, { stock: 20 });
    const sessions = [
      await s.guestCart([[product, 1]], client),
      await s.guestCart([[product, 1]], client),
      await s.guestCart([[product, 1]], client),
    ];
    const compatOrder = () =>
      t.request('POST', '/api/orders', {
        remoteAddress: client,
        body: {
          customerData: {
            name: 'Invitado',
            email: 'guest_rate_limit@checkout.guest',
            phone: '+123456789',
            address: 'Calle 123',
            neighborhoodId: 'n-1',
          },
          shippingAddress: { street: 'Calle 123', cityId: 'c-1', neighborhoodId: 'n-1' },
          items: [{ productId: product.id, quantity: 1, unitPrice: product.unit_price }],
        },
      });

    expect((await s.placeGuest(guestOrderBody(sessions[0]), { remoteAddress: client })).status).toBe(201);
    expect((await compatOrder()).status).toBe(201);
    expect((await s.placeGuest(guestOrderBody(sessions[1]), { remoteAddress: client })).status).toBe(201);

    expectRateLimited(await s.placeGuest(guestOrderBody(sessions[2]), { remoteAddress: client }));
    expectRateLimited(await compatOrder());
    expect(await s.cartLines(sessions[2])).toEqual([{ productId: product.id, quantity: 1 }]);
    expect(await s.stock(product.id)).toBe(17);
    expect((await s.placeGuest(guestOrderBody(sessions[2]), { remoteAddress: '10.62.0.2' })).status).toBe(
      201,
    );
  });
});
