import { and, count, eq, sql } from 'drizzle-orm';
import {
  cartMergeLogs,
  carts,
  guestConversions,
  mailOutbox,
  orders,
  orderStatusHistory,
  users,
} from '../../src/database/schema';
import { guestCartLines, ordersOfSession } from '../support/db-reads';
import {
  adminToken,
  CARD,
  CreatedProduct,
  guestOrderBody,
  Lines,
  putUserCartItem,
  registerUser,
  SHIPPING,
  uniqueEmail,
} from '../support/factories';
import { createTestApp, HttpResult, TestApp } from '../support/test-app';
import { Recorder } from './support/recorder';
import { ORDER_NUMBER, pool, shop, Shop, tally } from './support/shop';

/** A small seeded PRNG (mulberry32): the "random" carts are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

jest.setTimeout(180_000);

const rec = new Recorder('races');

describe(`races: concurrent requests on one ${rec.backend} database`, () => {
  let t: TestApp;
  let s: Shop;

  beforeAll(async () => {
    t = rec.track(await createTestApp());
    s = shop(t);
  });
  beforeEach(() => rec.scenario());
  // contract §6 invariant after every scenario: initial stock = stock + units in non-cancelled orders
  afterEach(async () => {
    const violations = [...(await s.stockViolations()), ...(await s.partialOrders())];
    rec.invariant(violations);
    expect(violations).toEqual([]);
  });
  afterAll(async () => {
    rec.finish();
    await t?.close();
  });

  async function cartLines(sessionId: string): Promise<[string, number][]> {
    const rows = await guestCartLines(t, sessionId);
    return rows.map((row) => [row.productId, row.quantity]);
  }

  describe('stock', () => {
    it('sells exactly 50 units when 200 guests order the last 50 at once; the other 150 get 409 INSUFFICIENT_STOCK', async () => {
      const product = await s.product({ stock: 50 });
      const sessions = await pool(
        10,
        Array.from({ length: 200 }, () => () => s.guestCart([[product, 1]])),
      );

      const results = await Promise.all(sessions.map((id) => s.placeGuest(guestOrderBody(id))));

      expect(tally(results)).toEqual({ '201': 50, '409 INSUFFICIENT_STOCK': 150 });
      expect(await s.stock(product.id)).toBe(0);
      expect(await s.unitsOrdered(product.id)).toBe(50);
      const numbers = results.filter((r) => r.status === 201).map((r) => r.body.data.order.order_number);
      expect(new Set(numbers).size).toBe(50);
      expect(numbers.every((n) => ORDER_NUMBER.test(n))).toBe(true);
      for (const refused of results.filter((r) => r.status === 409)) {
        expect(refused.body.error.details).toEqual([{ product_id: product.id, requested: 1, available: 0 }]);
      }
      // a refused checkout leaves its cart as it was; a placed one empties it
      const lines = await Promise.all(sessions.map((id) => cartLines(id)));
      const kept = lines.filter((l) => l.length === 1 && l[0][1] === 1).length;
      const emptied = lines.filter((l) => l.length === 0).length;
      expect({ kept, emptied }).toEqual({ kept: 150, emptied: 50 });
    });

    it('never deadlocks or oversells when 60 guests order overlapping sets of 3 products at once', async () => {
      const products = [
        await s.product({ stock: 30 }),
        await s.product({ stock: 30 }),
        await s.product({ stock: 30 }),
      ];
      const random = prng(0x5eed);
      const carts: Lines[] = Array.from({ length: 60 }, () => {
        // a random non-empty subset, listed in a random order, 1–3 units each
        const chosen = products.filter(() => random() < 0.6);
        const picked = chosen.length === 0 ? [products[Math.floor(random() * 3)]] : chosen;
        return picked
          .sort(() => random() - 0.5)
          .map((p): [CreatedProduct, number] => [p, 1 + Math.floor(random() * 3)]);
      });
      const sessions = await pool(
        10,
        carts.map((lines) => () => s.guestCart(lines)),
      );

      const results = await Promise.all(sessions.map((id) => s.placeGuest(guestOrderBody(id))));

      const counts = tally(results);
      expect(Object.keys(counts).sort()).toEqual(
        Object.keys(counts).length === 1 ? ['201'] : ['201', '409 INSUFFICIENT_STOCK'],
      );
      for (const [index, product] of products.entries()) {
        const sold = results.reduce(
          (sum, res, i) =>
            res.status === 201 ? sum + (carts[i].find(([p]) => p.id === product.id)?.[1] ?? 0) : sum,
          0,
        );
        expect({ index, stock: await s.stock(product.id) }).toEqual({ index, stock: 30 - sold });
      }
    });

    // contract §6: while the first checkout waits for its payment the cart is held (409); once it is
    // paid the cart is empty (422)
    it('places one order when the same guest cart is submitted 10 times at once without a key; the rest get 409 REQUEST_IN_PROGRESS or 422 CART_EMPTY', async () => {
      const product = await s.product({ stock: 10 });
      const sessionId = await s.guestCart([[product, 2]]);
      const body = guestOrderBody(sessionId);

      const results = await Promise.all(Array.from({ length: 10 }, () => s.placeGuest(body)));

      const { '201': placed, ...refused } = tally(results);
      expect(placed).toBe(1);
      expect(
        Object.keys(refused).every((k) => k === '409 REQUEST_IN_PROGRESS' || k === '422 CART_EMPTY'),
      ).toBe(true);
      expect(await ordersOfSession(t, sessionId)).toHaveLength(1);
      expect(await s.stock(product.id)).toBe(8);
    });

    it('restocks once when an order is cancelled 8 times at once', async () => {
      const product = await s.product({ stock: 10 });
      const placed = await s.guestOrder([[product, 3]]);
      expect(await s.stock(product.id)).toBe(7);
      const token = await adminToken(t);

      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          t.request('PATCH', `/api/v1/admin/orders/${placed.order.id}/status`, {
            token,
            body: { status: 'cancelled' },
          }),
        ),
      );

      expect(tally(results)).toEqual({ '200': 1, '409 INVALID_STATUS_TRANSITION': 7 });
      expect(await s.stock(product.id)).toBe(10);
      const history = await t.database.db
        .select({ status: orderStatusHistory.status })
        .from(orderStatusHistory)
        .where(eq(orderStatusHistory.orderId, placed.order.id));
      expect(history.map((h) => h.status).sort()).toEqual(['cancelled', 'paid']);
    });
  });

  describe('guest carts', () => {
    it('leaves exactly one of the written contents when 10 writers replace one guest cart at once', async () => {
      const products = await Promise.all(Array.from({ length: 4 }, () => s.product({ stock: 50 })));
      const sessionId = await s.guestCart([]);
      const contents = Array.from({ length: 10 }, (_, i) =>
        [products[i % 4], products[(i + 1) % 4]].map((p, j) => ({ product_id: p.id, quantity: i + j + 1 })),
      );

      const results = await Promise.all(
        contents.map((items) =>
          t.request('POST', '/api/v1/cart/guest', { body: { session_id: sessionId, items } }),
        ),
      );

      expect(tally(results)).toEqual({ '200': 10 });
      const stored = await cartLines(sessionId);
      const written = contents.map((items) =>
        items.map((i): [string, number] => [i.product_id, i.quantity]).sort(([a], [b]) => a.localeCompare(b)),
      );
      expect(written).toContainEqual(stored);
    });

    it('lands no write in a guest cart merged meanwhile: 10 writers and a merge of the cart at once', async () => {
      const products = await Promise.all(Array.from({ length: 4 }, () => s.product({ stock: 50 })));
      const sessionId = await s.guestCart([[products[0], 1]]);
      const user = await registerUser(t);
      const contents = Array.from({ length: 10 }, (_, i) =>
        [products[i % 4], products[(i + 1) % 4]].map((p, j) => ({ product_id: p.id, quantity: i + j + 1 })),
      );
      const replace = (items: (typeof contents)[number]) =>
        t.request('POST', '/api/v1/cart/guest', { body: { session_id: sessionId, items } });
      const merge = () =>
        t.request('POST', '/api/v1/cart/merge', { token: user.token, body: { guest_session_id: sessionId } });

      const results = await Promise.all([
        ...contents.slice(0, 5).map(replace),
        merge(),
        ...contents.slice(5).map(replace),
      ]);

      const merged = results[5];
      const writes = results.filter((_, i) => i !== 5);
      expect(merged.status).toBe(200);
      for (const [status, n] of Object.entries(tally(writes))) {
        expect(['200', '409 GUEST_CART_ALREADY_MERGED']).toContain(status);
        expect(n).toBeGreaterThan(0);
      }
      // a merged guest cart is emptied: no write landed in it after the merge
      expect(await cartLines(sessionId)).toEqual([]);
      // the user got the content of the last write before the merge: the first content or an answered one
      const userCart = await t.request('GET', '/api/v1/cart', { token: user.token });
      const got = userCart.body.data.cart.items
        .map((i: { product_id: string; quantity: number }): [string, number] => [i.product_id, i.quantity])
        .sort(([a]: [string], [b]: [string]) => a.localeCompare(b));
      const candidates = [
        [[products[0].id, 1]],
        ...contents
          .filter((_, i) => writes[i].status === 200)
          .map((items) =>
            items
              .map((i): [string, number] => [i.product_id, i.quantity])
              .sort(([a], [b]) => a.localeCompare(b)),
          ),
      ];
      expect(candidates).toContainEqual(got);
    });
  });

  describe('merge', () => {
    /** The user's cart as product id → quantity. */
    async function userCartQuantities(token: string): Promise<Record<string, number>> {
      const cart = await t.request('GET', '/api/v1/cart', { token });
      return Object.fromEntries(
        cart.body.data.cart.items.map((i: { product_id: string; quantity: number }) => [
          i.product_id,
          i.quantity,
        ]),
      );
    }

    it('applies once when one user merges the same guest session 10 times at once', async () => {
      const [p, q] = [await s.product({ stock: 20 }), await s.product({ stock: 20 })];
      const sessionId = await s.guestCart([
        [p, 2],
        [q, 1],
      ]);
      const user = await registerUser(t);
      await putUserCartItem(t, user.token, p, 1);

      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          t.request('POST', '/api/v1/cart/merge', {
            token: user.token,
            body: { guest_session_id: sessionId },
          }),
        ),
      );

      expect(tally(results)).toEqual({ '200': 10 });
      // deep equality: the replayed report comes back from jsonb, which reorders keys
      const reports = results.map((r) => r.body.data.merge_report);
      for (const report of reports) expect(report).toEqual(reports[0]);
      const quantities = await userCartQuantities(user.token);
      expect(quantities).toEqual({ [p.id]: 3, [q.id]: 1 });
      const [logs] = await t.database.db
        .select({ n: count() })
        .from(cartMergeLogs)
        .where(eq(cartMergeLogs.guestSessionId, sessionId));
      expect(logs.n).toBe(1);
      expect(await cartLines(sessionId)).toEqual([]);
    });

    it('adds up every cart when one user merges 8 different guest sessions at once: none lost, none doubled', async () => {
      // each merge reads the user cart's lines only after it holds the cart's lock, so every merge
      // starts from the lines the previous one wrote (a read taken before the wait would lose lines)
      const [p, q] = [await s.product({ stock: 100 }), await s.product({ stock: 100 })];
      const sessionIds = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          s.guestCart([[p, 1], ...(i % 2 === 0 ? ([[q, 2]] as Lines) : [])]),
        ),
      );
      const user = await registerUser(t);
      await putUserCartItem(t, user.token, p, 1);

      const results = await Promise.all(
        sessionIds.map((sessionId) =>
          t.request('POST', '/api/v1/cart/merge', {
            token: user.token,
            body: { guest_session_id: sessionId },
          }),
        ),
      );

      expect(tally(results)).toEqual({ '200': 8 });
      const quantities = await userCartQuantities(user.token);
      expect(quantities).toEqual({ [p.id]: 9, [q.id]: 8 });
      for (const sessionId of sessionIds) expect(await cartLines(sessionId)).toEqual([]);
      const [logs] = await t.database.db
        .select({ n: count() })
        .from(cartMergeLogs)
        .where(eq(cartMergeLogs.userId, user.id));
      expect(logs.n).toBe(8);
    });

    it('lets exactly one of two users merge a guest session they both race for; the other gets 409', async () => {
      const product = await s.product({ stock: 20 });
      const sessionId = await s.guestCart([[product, 4]]);
      const [a, b] = [await registerUser(t), await registerUser(t)];

      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          t.request('POST', '/api/v1/cart/merge', {
            token: (i % 2 === 0 ? a : b).token,
            body: { guest_session_id: sessionId },
          }),
        ),
      );

      const byUser = (user: 0 | 1) => tally(results.filter((_, i) => i % 2 === user));
      const outcomes = [byUser(0), byUser(1)].map((c) => JSON.stringify(c)).sort();
      expect(outcomes).toEqual([
        JSON.stringify({ '200': 5 }),
        JSON.stringify({ '409 GUEST_CART_ALREADY_MERGED': 5 }),
      ]);
      const [merged] = await t.database.db
        .select({ user: carts.mergedIntoUserId })
        .from(carts)
        .where(eq(carts.guestSessionId, sessionId));
      const winner = results.findIndex((r) => r.status === 200) % 2 === 0 ? a : b;
      expect(merged.user).toBe(winner.id);
    });
  });

  describe('conversion', () => {
    it('creates one account when 6 conversions of one email (in different spellings) arrive at once', async () => {
      const product = await s.product({ stock: 10 });
      const email = uniqueEmail('convert-race');
      const placed = await s.guestOrder([[product, 1]], email);
      const spellings = [email, email.toUpperCase(), ` ${email}`, `${email} `, email, email.toUpperCase()];

      const results = await Promise.all(
        spellings.map((spelling) =>
          t.request('POST', '/api/v1/auth/convert-guest', {
            body: { email: spelling, password: 'a-good-password', guest_order_id: placed.order.order_number },
          }),
        ),
      );

      // a loser either hits the unique index (409) or, once the winner has linked the order, no longer
      // finds an unlinked order to name (404): both leave nothing behind
      const counts = tally(results);
      expect(counts['201']).toBe(1);
      expect((counts['409 EMAIL_ALREADY_REGISTERED'] ?? 0) + (counts['404 ORDER_NOT_FOUND'] ?? 0)).toBe(5);
      const winner = results.find((r) => r.status === 201)!.body.data.user.id as string;
      const accounts = await t.database.db
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.email}) = ${email}`);
      expect(accounts.map((row) => row.id)).toEqual([winner]);
      const conversions = await t.database.db
        .select({ userId: guestConversions.userId })
        .from(guestConversions)
        .where(eq(guestConversions.userId, winner));
      expect(conversions).toHaveLength(1);
      const [order] = await t.database.db.select().from(orders).where(eq(orders.id, placed.order.id));
      expect(order.userId).toBe(winner);
      // the losers' transactions rolled back, their verification mails with them
      const [mails] = await t.database.db
        .select({ n: count() })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.recipient, email), eq(mailOutbox.template, 'email-verification')));
      expect(mails.n).toBe(1);
    });

    it('carries a guest cart over once when 4 conversions with the same guest session race', async () => {
      const product = await s.product({ stock: 10 });
      const email = uniqueEmail('convert-cart');
      const sessionId = await s.guestCart([[product, 2]]);

      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          t.request('POST', '/api/v1/auth/convert-guest', {
            body: { email, password: 'a-good-password', guest_session_id: sessionId },
          }),
        ),
      );

      expect(tally(results)).toEqual({ '201': 1, '409 EMAIL_ALREADY_REGISTERED': 3 });
      const token = results.find((r) => r.status === 201)!.body.data.token as string;
      const cart = await t.request('GET', '/api/v1/cart', { token });
      expect(cart.body.data.cart.items.map((i: { quantity: number }) => i.quantity)).toEqual([2]);
      expect(await cartLines(sessionId)).toEqual([]);
    });
  });

  describe('idempotency', () => {
    function onlyReplaysOrInProgress(results: HttpResult[]): void {
      const statuses = Object.keys(tally(results));
      expect(statuses.every((k) => k === '201' || k === '409 REQUEST_IN_PROGRESS')).toBe(true);
      const bodies = new Set(results.filter((r) => r.status === 201).map((r) => r.raw));
      expect(bodies.size).toBe(1);
    }

    it('creates one guest order when 20 requests with the same Idempotency-Key and body arrive at once', async () => {
      const product = await s.product({ stock: 10 });
      const sessionId = await s.guestCart([[product, 1]]);
      const body = guestOrderBody(sessionId);
      const headers = { 'Idempotency-Key': `race-${sessionId}` };

      const results = await Promise.all(Array.from({ length: 20 }, () => s.placeGuest(body, headers)));

      onlyReplaysOrInProgress(results);
      expect(await ordersOfSession(t, sessionId)).toHaveLength(1);
      expect(await s.stock(product.id)).toBe(9);
      // once the first has finished, every replay is the first response, byte for byte
      const first = results.find((r) => r.status === 201)!;
      const replay = await s.placeGuest(body, headers);
      expect({ status: replay.status, raw: replay.raw }).toEqual({ status: 201, raw: first.raw });
    });

    it('creates one user order when 10 requests with the same Idempotency-Key arrive at once', async () => {
      const product = await s.product({ stock: 10 });
      const user = await registerUser(t);
      const put = await t.request('PUT', `/api/v1/cart/items/${product.id}`, {
        token: user.token,
        body: { quantity: 2 },
      });
      expect(put.status).toBe(200);
      const body = { shipping_address: SHIPPING, payment_info: CARD };

      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          t.request('POST', '/api/v1/orders', {
            token: user.token,
            body,
            headers: { 'Idempotency-Key': `user-race-${user.id}` },
          }),
        ),
      );

      onlyReplaysOrInProgress(results);
      const mine = await t.database.db.select().from(orders).where(eq(orders.userId, user.id));
      expect(mine).toHaveLength(1);
      expect(await s.stock(product.id)).toBe(8);
    });

    it('creates at most one order when one key is raced with two different bodies', async () => {
      const product = await s.product({ stock: 10 });
      const sessionId = await s.guestCart([[product, 1]]);
      const bodies = [
        guestOrderBody(sessionId, uniqueEmail('a')),
        guestOrderBody(sessionId, uniqueEmail('b')),
      ];
      const headers = { 'Idempotency-Key': `two-bodies-${sessionId}` };

      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => s.placeGuest(bodies[i % 2], headers)),
      );

      const allowed = ['201', '409 REQUEST_IN_PROGRESS', '422 IDEMPOTENCY_KEY_REUSED'];
      expect(Object.keys(tally(results)).filter((k) => !allowed.includes(k))).toEqual([]);
      expect(new Set(results.filter((r) => r.status === 201).map((r) => r.raw)).size).toBe(1);
      expect(await ordersOfSession(t, sessionId)).toHaveLength(1);
      expect(await s.stock(product.id)).toBe(9);
    });
  });

  it('produced no error body with a stack trace, SQL or file path', () => {
    expect(rec.leaks).toEqual([]);
  });
});
