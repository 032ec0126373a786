import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { cartItems, carts, cartMergeLogs } from '../../src/database/schema';
import {
  CartLine,
  cartItemsOf,
  createGuestCart,
  createProduct,
  CreatedProduct,
  putUserCartItem,
  readUserCart,
  registerUser,
  RegisteredUser,
  updateProduct,
} from '../support/factories';
import { expectError, quantities } from '../support/responses';
import { createTestApp, HttpResult, TestApp } from '../support/test-app';

function byProduct<T extends { productId: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.productId.localeCompare(b.productId));
}

/**
 * Merge helpers over one app: carts are made through the API (every path with a trailing slash),
 * state is read from the database.
 */
function mergeKit(t: TestApp) {
  const kit = {
    guestCart(...lines: CartLine[]): Promise<string> {
      return createGuestCart(t, lines, { trailingSlash: true });
    },

    async writeGuestCart(sessionId: string, ...lines: CartLine[]): Promise<void> {
      const res = await t.request('POST', '/api/v1/cart/guest/', {
        body: { session_id: sessionId, items: cartItemsOf(lines) },
      });
      expect(res.status).toBe(200);
    },

    async readGuestCart(sessionId: string) {
      const res = await t.request('GET', `/api/v1/cart/guest/${sessionId}/`);
      expect(res.status).toBe(200);
      return res.body.data;
    },

    async userWith(...lines: CartLine[]): Promise<RegisteredUser> {
      const user = await registerUser(t);
      for (const [product, quantity] of lines) await kit.putUserItem(user, product, quantity);
      return user;
    },

    putUserItem(user: RegisteredUser, product: CreatedProduct, quantity: number): Promise<void> {
      return putUserCartItem(t, user.token, product, quantity, { trailingSlash: true });
    },

    userCart(user: RegisteredUser) {
      return readUserCart(t, user.token, { trailingSlash: true });
    },

    merge(user: RegisteredUser | undefined, body: unknown): Promise<HttpResult> {
      return t.request('POST', '/api/v1/cart/merge/', { token: user?.token, body });
    },

    async mergeOk(user: RegisteredUser, sessionId: string) {
      const res = await kit.merge(user, { guest_session_id: sessionId });
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      return res.body.data;
    },

    async userLines(user: RegisteredUser) {
      const rows = await t.database.db
        .select({ productId: cartItems.productId, quantity: cartItems.quantity })
        .from(cartItems)
        .innerJoin(carts, eq(carts.id, cartItems.cartId))
        .where(eq(carts.userId, user.id));
      return byProduct(rows);
    },

    async guestLines(sessionId: string) {
      const rows = await t.database.db
        .select({ productId: cartItems.productId, quantity: cartItems.quantity })
        .from(cartItems)
        .innerJoin(carts, eq(carts.id, cartItems.cartId))
        .where(eq(carts.guestSessionId, sessionId));
      return byProduct(rows);
    },

    async guestCartRow(sessionId: string) {
      const [row] = await t.database.db.select().from(carts).where(eq(carts.guestSessionId, sessionId));
      return row;
    },

    mergeLogs(sessionId: string) {
      return t.database.db.select().from(cartMergeLogs).where(eq(cartMergeLogs.guestSessionId, sessionId));
    },

    /** Asserts a refused merge left both carts and the audit log as they were. */
    async expectNotMerged(sessionId: string, users: RegisteredUser[], refused: () => Promise<void>) {
      const guestBefore = await kit.guestLines(sessionId);
      const rowBefore = await kit.guestCartRow(sessionId);
      const usersBefore = await Promise.all(users.map((user) => kit.userLines(user)));
      await refused();
      expect(await kit.guestLines(sessionId)).toEqual(guestBefore);
      expect(await kit.guestCartRow(sessionId)).toEqual(rowBefore);
      expect(rowBefore.mergedAt).toBeNull();
      expect(rowBefore.mergedIntoUserId).toBeNull();
      expect(await Promise.all(users.map((user) => kit.userLines(user)))).toEqual(usersBefore);
      expect(await kit.mergeLogs(sessionId)).toEqual([]);
    },
  };
  return kit;
}

describe('cart merge (contract §5), default strategy sum', () => {
  let t: TestApp;
  let kit: ReturnType<typeof mergeKit>;

  beforeAll(async () => {
    t = await createTestApp();
    kit = mergeKit(t);
  });
  afterEach(() => t.clock.reset());
  afterAll(() => t.close());

  it('sums a product in both carts, adds guest-only lines and leaves user-only lines untouched', async () => {
    const both = await createProduct(t, { name: 'Both', unit_price: 1000, stock: 20 });
    const userOnly = await createProduct(t, { name: 'User only', unit_price: 200, stock: 20 });
    const guestOnly = await createProduct(t, { name: 'Guest only', unit_price: 50, stock: 20 });
    const user = await kit.userWith([both, 2], [userOnly, 1]);
    const sessionId = await kit.guestCart([both, 3], [guestOnly, 4]);
    const userCartId = (await kit.userCart(user)).id as string;

    const res = await kit.merge(user, { guest_session_id: sessionId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: {
        merged_cart: {
          id: userCartId,
          items: [
            expect.objectContaining({ product_id: both.id, quantity: 5, line_total: 5000, available: true }),
            expect.objectContaining({ product_id: userOnly.id, quantity: 1, line_total: 200 }),
            expect.objectContaining({ product_id: guestOnly.id, quantity: 4, line_total: 200 }),
          ],
          item_count: 10,
          subtotal: 5400,
          currency: 'USD',
          updated_at: expect.any(String),
        },
        merge_report: {
          strategy: 'sum',
          added: [{ product_id: guestOnly.id, quantity: 4 }],
          combined: [{ product_id: both.id, user_quantity: 2, guest_quantity: 3, quantity: 5 }],
          capped: [],
          removed: [],
        },
      },
    });
    expect(await kit.userLines(user)).toEqual(
      byProduct([
        { productId: both.id, quantity: 5 },
        { productId: userOnly.id, quantity: 1 },
        { productId: guestOnly.id, quantity: 4 },
      ]),
    );
    expect(await kit.userCart(user)).toEqual(res.body.data.merged_cart);
  });

  it('merges into a user who had no cart yet', async () => {
    const product = await createProduct(t, { stock: 10 });
    const user = await registerUser(t);
    const sessionId = await kit.guestCart([product, 2]);
    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 2]]);
    expect(data.merge_report.added).toEqual([{ product_id: product.id, quantity: 2 }]);
    expect(await kit.userLines(user)).toEqual([{ productId: product.id, quantity: 2 }]);
  });

  it('empties the guest cart, marks it merged into the user and writes one audit row', async () => {
    const product = await createProduct(t, { stock: 10 });
    const user = await kit.userWith([product, 1]);
    const sessionId = await kit.guestCart([product, 2]);
    const before = Date.now();

    const data = await kit.mergeOk(user, sessionId);

    const guestView = await kit.readGuestCart(sessionId);
    expect(guestView.items).toEqual([]);
    expect(guestView.cart).toMatchObject({ items: [], item_count: 0, subtotal: 0 });
    expect(await kit.guestLines(sessionId)).toEqual([]);

    const row = await kit.guestCartRow(sessionId);
    expect(row.mergedIntoUserId).toBe(user.id);
    expect(row.mergedAt).toBeInstanceOf(Date);
    expect(row.mergedAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);

    const logs = await kit.mergeLogs(sessionId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ userId: user.id, guestSessionId: sessionId, strategy: 'sum' });
    expect(logs[0].report).toEqual(data.merge_report);
    expect(logs[0].createdAt).toBeInstanceOf(Date);
  });

  it('caps a summed quantity at stock and reports STOCK_LIMIT', async () => {
    const product = await createProduct(t, { stock: 6 });
    const user = await kit.userWith([product, 4]);
    const sessionId = await kit.guestCart([product, 5]);

    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 6]]);
    expect(data.merge_report).toEqual({
      strategy: 'sum',
      added: [],
      combined: [{ product_id: product.id, user_quantity: 4, guest_quantity: 5, quantity: 6 }],
      capped: [{ product_id: product.id, requested: 9, quantity: 6, reason: 'STOCK_LIMIT' }],
      removed: [],
    });
    expect(await kit.userLines(user)).toEqual([{ productId: product.id, quantity: 6 }]);
  });

  it('caps a guest-only line whose stock went down at the stock left (STOCK_LIMIT)', async () => {
    const product = await createProduct(t, { stock: 10 });
    const user = await registerUser(t);
    const sessionId = await kit.guestCart([product, 8]);
    await updateProduct(t, product.id, { stock: 3 });

    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 3]]);
    expect(data.merge_report.added).toEqual([{ product_id: product.id, quantity: 3 }]);
    expect(data.merge_report.capped).toEqual([
      { product_id: product.id, requested: 8, quantity: 3, reason: 'STOCK_LIMIT' },
    ]);
  });

  it('drops a product that went out of stock and reports OUT_OF_STOCK', async () => {
    const keep = await createProduct(t, { stock: 10 });
    const soldOut = await createProduct(t, { stock: 5 });
    const user = await kit.userWith([keep, 1]);
    const sessionId = await kit.guestCart([soldOut, 2]);
    await updateProduct(t, soldOut.id, { stock: 0 });

    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[keep.id, 1]]);
    expect(data.merge_report).toEqual({
      strategy: 'sum',
      added: [],
      combined: [],
      capped: [],
      removed: [{ product_id: soldOut.id, quantity: 2, reason: 'OUT_OF_STOCK' }],
    });
    expect(await kit.userLines(user)).toEqual([{ productId: keep.id, quantity: 1 }]);
  });

  it('drops a product in both carts that went out of stock, with the summed quantity', async () => {
    const product = await createProduct(t, { stock: 5 });
    const user = await kit.userWith([product, 1]);
    const sessionId = await kit.guestCart([product, 2]);
    await updateProduct(t, product.id, { stock: 0 });

    const data = await kit.mergeOk(user, sessionId);
    expect(data.merged_cart.items).toEqual([]);
    expect(data.merge_report.removed).toEqual([
      { product_id: product.id, quantity: 3, reason: 'OUT_OF_STOCK' },
    ]);
    expect(data.merge_report.combined).toEqual([]);
    expect(await kit.userLines(user)).toEqual([]);
  });

  it('drops an inactive product and reports UNAVAILABLE', async () => {
    const keep = await createProduct(t, { stock: 10 });
    const retired = await createProduct(t, { stock: 10 });
    const user = await registerUser(t);
    const sessionId = await kit.guestCart([keep, 1], [retired, 3]);
    await updateProduct(t, retired.id, { is_active: false });

    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[keep.id, 1]]);
    expect(data.merge_report).toEqual({
      strategy: 'sum',
      added: [{ product_id: keep.id, quantity: 1 }],
      combined: [],
      capped: [],
      removed: [{ product_id: retired.id, quantity: 3, reason: 'UNAVAILABLE' }],
    });
    expect(await kit.userLines(user)).toEqual([{ productId: keep.id, quantity: 1 }]);
  });

  describe('retries and conflicts', () => {
    it('answers a retry by the same user with the stored report and changes nothing', async () => {
      const both = await createProduct(t, { stock: 20 });
      const guestOnly = await createProduct(t, { stock: 20 });
      const user = await kit.userWith([both, 2]);
      const sessionId = await kit.guestCart([both, 3], [guestOnly, 1]);
      const first = await kit.mergeOk(user, sessionId);
      const linesAfterFirst = await kit.userLines(user);

      const retry = await kit.mergeOk(user, sessionId);
      expect(retry.merge_report).toEqual(first.merge_report);
      expect(retry.merge_report.combined).toEqual([
        { product_id: both.id, user_quantity: 2, guest_quantity: 3, quantity: 5 },
      ]);
      expect(quantities(retry.merged_cart)).toEqual(quantities(first.merged_cart));
      expect(await kit.userLines(user)).toEqual(linesAfterFirst);
      expect(await kit.userLines(user)).toContainEqual({ productId: both.id, quantity: 5 });
      expect(await kit.mergeLogs(sessionId)).toHaveLength(1);
    });

    it('refuses another user with 409 GUEST_CART_ALREADY_MERGED and changes nothing', async () => {
      const product = await createProduct(t, { stock: 20 });
      const owner = await kit.userWith([product, 1]);
      const other = await kit.userWith([product, 2]);
      const sessionId = await kit.guestCart([product, 3]);
      await kit.mergeOk(owner, sessionId);
      const ownerLines = await kit.userLines(owner);
      const rowAfterMerge = await kit.guestCartRow(sessionId);

      const res = await kit.merge(other, { guest_session_id: sessionId });
      expectError(res, 409, 'GUEST_CART_ALREADY_MERGED');
      expect(await kit.userLines(other)).toEqual([{ productId: product.id, quantity: 2 }]);
      expect(await kit.userLines(owner)).toEqual(ownerLines);
      expect(await kit.guestCartRow(sessionId)).toEqual(rowAfterMerge);
      const logs = await kit.mergeLogs(sessionId);
      expect(logs).toHaveLength(1);
      expect(logs[0].userId).toBe(owner.id);
    });
  });

  describe('refused merges', () => {
    it('answers an unknown session with 404 GUEST_SESSION_NOT_FOUND', async () => {
      const product = await createProduct(t);
      const user = await kit.userWith([product, 1]);
      const unknown = randomUUID();
      const res = await kit.merge(user, { guest_session_id: unknown });
      expectError(res, 404, 'GUEST_SESSION_NOT_FOUND');
      expect(await kit.userLines(user)).toEqual([{ productId: product.id, quantity: 1 }]);
      expect(await kit.mergeLogs(unknown)).toEqual([]);
    });

    it('answers an expired session with 410 GUEST_SESSION_EXPIRED and merges nothing', async () => {
      const product = await createProduct(t, { stock: 20 });
      const user = await kit.userWith([product, 1]);
      const sessionId = await kit.guestCart([product, 2]);
      await kit.expectNotMerged(sessionId, [user], async () => {
        t.clock.advanceDays(31);
        expectError(await kit.merge(user, { guest_session_id: sessionId }), 410, 'GUEST_SESSION_EXPIRED');
        t.clock.reset();
      });
    });

    it('refuses a malformed, missing or extra field with 400 VALIDATION_FAILED', async () => {
      const product = await createProduct(t, { stock: 20 });
      const user = await kit.userWith([product, 1]);
      const sessionId = await kit.guestCart([product, 2]);
      await kit.expectNotMerged(sessionId, [user], async () => {
        for (const id of ['not-a-uuid', 42, null, `${sessionId}0`]) {
          const res = await kit.merge(user, { guest_session_id: id });
          expectError(res, 400, 'VALIDATION_FAILED');
          expect(res.body.error.details).toEqual([
            { field: 'guest_session_id', message: 'guest_session_id must be a UUID' },
          ]);
        }
        const missing = await kit.merge(user, {});
        expectError(missing, 400, 'VALIDATION_FAILED');
        expect(missing.body.error.details).toEqual([expect.objectContaining({ field: 'guest_session_id' })]);
        const extra = await kit.merge(user, { guest_session_id: sessionId, strategy: 'guest' });
        expectError(extra, 400, 'VALIDATION_FAILED');
        expect(extra.body.error.details).toEqual([
          { field: 'strategy', message: 'strategy is not an allowed field' },
        ]);
      });
    });

    it('answers without a token (or with a bad one) with 401 UNAUTHENTICATED', async () => {
      const product = await createProduct(t, { stock: 20 });
      const user = await kit.userWith([product, 1]);
      const sessionId = await kit.guestCart([product, 2]);
      await kit.expectNotMerged(sessionId, [user], async () => {
        expectError(await kit.merge(undefined, { guest_session_id: sessionId }), 401, 'UNAUTHENTICATED');
        const forged = await t.request('POST', '/api/v1/cart/merge/', {
          token: `${user.token.slice(0, -4)}AAAA`,
          body: { guest_session_id: sessionId },
        });
        expectError(forged, 401, 'UNAUTHENTICATED');
      });
    });

    it('works without the trailing slash', async () => {
      const product = await createProduct(t, { stock: 20 });
      const user = await registerUser(t);
      const sessionId = await kit.guestCart([product, 2]);
      const res = await t.request('POST', '/api/v1/cart/merge', {
        token: user.token,
        body: { guest_session_id: sessionId },
      });
      expect(res.status).toBe(200);
      expect(quantities(res.body.data.merged_cart)).toEqual([[product.id, 2]]);
    });
  });

  describe('concurrency', () => {
    it('applies 5 concurrent merges of one session by one user exactly once', async () => {
      const both = await createProduct(t, { stock: 50 });
      const guestOnly = await createProduct(t, { stock: 50 });
      const user = await kit.userWith([both, 2]);
      const sessionId = await kit.guestCart([both, 3], [guestOnly, 1]);

      const results = await Promise.all(
        Array.from({ length: 5 }, () => kit.merge(user, { guest_session_id: sessionId })),
      );
      expect(results.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
      const reports = results.map((res) => res.body.data.merge_report);
      for (const report of reports) expect(report).toEqual(reports[0]);
      expect(reports[0].combined).toEqual([
        { product_id: both.id, user_quantity: 2, guest_quantity: 3, quantity: 5 },
      ]);

      expect(await kit.userLines(user)).toEqual(
        byProduct([
          { productId: both.id, quantity: 5 },
          { productId: guestOnly.id, quantity: 1 },
        ]),
      );
      expect(await kit.mergeLogs(sessionId)).toHaveLength(1);
      expect(await kit.guestLines(sessionId)).toEqual([]);
    });

    it('lets exactly one of two users merging one session at once win; the other gets 409', async () => {
      const product = await createProduct(t, { stock: 50 });
      const first = await kit.userWith([product, 1]);
      const second = await kit.userWith([product, 1]);
      const sessionId = await kit.guestCart([product, 4]);

      const [a, b] = await Promise.all([
        kit.merge(first, { guest_session_id: sessionId }),
        kit.merge(second, { guest_session_id: sessionId }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [winner, loser] = a.status === 200 ? [first, second] : [second, first];
      const lost = a.status === 200 ? b : a;
      expect(lost.body.error.code).toBe('GUEST_CART_ALREADY_MERGED');

      expect(await kit.userLines(winner)).toEqual([{ productId: product.id, quantity: 5 }]);
      expect(await kit.userLines(loser)).toEqual([{ productId: product.id, quantity: 1 }]);
      const logs = await kit.mergeLogs(sessionId);
      expect(logs).toHaveLength(1);
      expect(logs[0].userId).toBe(winner.id);
      expect((await kit.guestCartRow(sessionId)).mergedIntoUserId).toBe(winner.id);
    });
  });
});

describe('cart merge limits (MAX_CART_LINES=2, MAX_LINE_QUANTITY=5)', () => {
  let t: TestApp;
  let kit: ReturnType<typeof mergeKit>;

  beforeAll(async () => {
    t = await createTestApp({ MAX_CART_LINES: '2', MAX_LINE_QUANTITY: '5' });
    kit = mergeKit(t);
  });
  afterAll(() => t.close());

  it('caps a summed quantity at MAX_LINE_QUANTITY and reports LINE_LIMIT', async () => {
    const product = await createProduct(t, { stock: 100 });
    const user = await kit.userWith([product, 3]);
    const sessionId = await kit.guestCart([product, 4]);

    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 5]]);
    expect(data.merge_report).toEqual({
      strategy: 'sum',
      added: [],
      combined: [{ product_id: product.id, user_quantity: 3, guest_quantity: 4, quantity: 5 }],
      capped: [{ product_id: product.id, requested: 7, quantity: 5, reason: 'LINE_LIMIT' }],
      removed: [],
    });
    expect(await kit.userLines(user)).toEqual([{ productId: product.id, quantity: 5 }]);
  });

  it('drops guest lines beyond MAX_CART_LINES and reports LINE_LIMIT', async () => {
    const userOnly = await createProduct(t, { stock: 10 });
    const fits = await createProduct(t, { stock: 10 });
    const overflow = await createProduct(t, { stock: 10 });
    const user = await kit.userWith([userOnly, 1]);
    const sessionId = await kit.guestCart([fits, 2], [overflow, 3]);

    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([
      [userOnly.id, 1],
      [fits.id, 2],
    ]);
    expect(data.merge_report).toEqual({
      strategy: 'sum',
      added: [{ product_id: fits.id, quantity: 2 }],
      combined: [],
      capped: [],
      removed: [{ product_id: overflow.id, quantity: 3, reason: 'LINE_LIMIT' }],
    });
    expect(await kit.userLines(user)).toHaveLength(2);
  });
});

describe.each([
  ['guest', 3],
  ['user', 2],
] as const)('cart merge with MERGE_STRATEGY=%s', (strategy, expected) => {
  let t: TestApp;
  let kit: ReturnType<typeof mergeKit>;

  beforeAll(async () => {
    t = await createTestApp({ MERGE_STRATEGY: strategy });
    kit = mergeKit(t);
  });
  afterAll(() => t.close());

  it(`keeps the ${strategy} cart's quantity for a product in both carts`, async () => {
    const both = await createProduct(t, { stock: 20 });
    const userOnly = await createProduct(t, { stock: 20 });
    const guestOnly = await createProduct(t, { stock: 20 });
    const user = await kit.userWith([both, 2], [userOnly, 1]);
    const sessionId = await kit.guestCart([both, 3], [guestOnly, 4]);

    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([
      [both.id, expected],
      [userOnly.id, 1],
      [guestOnly.id, 4],
    ]);
    expect(data.merge_report).toEqual({
      strategy,
      added: [{ product_id: guestOnly.id, quantity: 4 }],
      combined: [{ product_id: both.id, user_quantity: 2, guest_quantity: 3, quantity: expected }],
      capped: [],
      removed: [],
    });
    const logs = await kit.mergeLogs(sessionId);
    expect(logs).toHaveLength(1);
    expect(logs[0].strategy).toBe(strategy);
  });
});

describe('cart merge with MERGE_STRATEGY=newest', () => {
  let t: TestApp;
  let kit: ReturnType<typeof mergeKit>;

  beforeAll(async () => {
    t = await createTestApp({ MERGE_STRATEGY: 'newest' });
    kit = mergeKit(t);
  });
  afterEach(() => t.clock.reset());
  afterAll(() => t.close());

  it('keeps the user quantity when the user cart was modified after the guest cart', async () => {
    const product = await createProduct(t, { stock: 20 });
    const user = await registerUser(t);
    const sessionId = await kit.guestCart([product, 3]);
    t.clock.advance(60 * 60 * 1000);
    await kit.putUserItem(user, product, 2);

    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 2]]);
    expect(data.merge_report).toEqual({
      strategy: 'newest',
      added: [],
      combined: [{ product_id: product.id, user_quantity: 2, guest_quantity: 3, quantity: 2 }],
      capped: [],
      removed: [],
    });
  });

  it('keeps the guest quantity when the guest cart was modified after the user cart', async () => {
    const product = await createProduct(t, { stock: 20 });
    // the guest cart is older at first; only its later write makes it the newest
    const sessionId = await kit.guestCart([product, 1]);
    const user = await kit.userWith([product, 2]);
    t.clock.advance(60 * 60 * 1000);
    await kit.writeGuestCart(sessionId, [product, 3]);

    const data = await kit.mergeOk(user, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 3]]);
    expect(data.merge_report).toEqual({
      strategy: 'newest',
      added: [],
      combined: [{ product_id: product.id, user_quantity: 2, guest_quantity: 3, quantity: 3 }],
      capped: [],
      removed: [],
    });
  });
});
