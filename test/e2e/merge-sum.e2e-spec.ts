import { byProduct, expectSuccess, quantities } from '../support/matchers';
import { useShop } from '../support/use-shop';

/**
 * The merge of the default strategy (contract §5) over HTTP: one case per rule. The matrix of caps and
 * drops (every reason, every limit) is the planner's unit test, src/modules/merge/cart-merger.spec.ts.
 */
describe('cart merge (contract §5), default strategy sum', () => {
  const { api, db } = useShop({}, { trailingSlash: true });

  it('sums a product in both carts, adds guest-only lines and leaves user-only lines untouched', async () => {
    const both = await api.product({ name: 'Both', unit_price: 1000, stock: 20 });
    const userOnly = await api.product({ name: 'User only', unit_price: 200, stock: 20 });
    const guestOnly = await api.product({ name: 'Guest only', unit_price: 50, stock: 20 });
    const user = await api.userWith([
      [both, 2],
      [userOnly, 1],
    ]);
    const sessionId = await api.guestCart([
      [both, 3],
      [guestOnly, 4],
    ]);
    const userCartId = expectSuccess(await api.userCart(user.token)).cart.id;

    const res = await api.merge(user.token, { guest_session_id: sessionId });
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
    expect(await db.userLines(user.id)).toEqual(
      byProduct([
        { productId: both.id, quantity: 5 },
        { productId: userOnly.id, quantity: 1 },
        { productId: guestOnly.id, quantity: 4 },
      ]),
    );
    expect(expectSuccess(await api.userCart(user.token)).cart).toEqual(res.body.data.merged_cart);
  });

  it('merges into a user who had no cart yet', async () => {
    const product = await api.product({ stock: 10 });
    const user = await api.user();
    const sessionId = await api.guestCart([[product, 2]]);
    const data = await api.mergeOk(user.token, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 2]]);
    expect(data.merge_report.added).toEqual([{ product_id: product.id, quantity: 2 }]);
    expect(await db.userLines(user.id)).toEqual([{ productId: product.id, quantity: 2 }]);
  });

  it('empties the guest cart, marks it merged into the user and writes one audit row', async () => {
    const product = await api.product({ stock: 10 });
    const user = await api.userWith([[product, 1]]);
    const sessionId = await api.guestCart([[product, 2]]);
    const before = Date.now();

    const data = await api.mergeOk(user.token, sessionId);

    const guestView = expectSuccess(await api.readGuestCart(sessionId));
    expect(guestView.items).toEqual([]);
    expect(guestView.cart).toMatchObject({ items: [], item_count: 0, subtotal: 0 });
    expect(await db.guestLines(sessionId)).toEqual([]);

    const row = await db.guestCartRow(sessionId);
    expect(row.mergedIntoUserId).toBe(user.id);
    expect(row.mergedAt).toBeInstanceOf(Date);
    expect(row.mergedAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);

    const logs = await db.mergeLogs(sessionId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ userId: user.id, guestSessionId: sessionId, strategy: 'sum' });
    expect(logs[0].report).toEqual(data.merge_report);
    expect(logs[0].createdAt).toBeInstanceOf(Date);
  });

  it('caps a summed quantity at stock and reports STOCK_LIMIT', async () => {
    const product = await api.product({ stock: 6 });
    const user = await api.userWith([[product, 4]]);
    const sessionId = await api.guestCart([[product, 5]]);

    const data = await api.mergeOk(user.token, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 6]]);
    expect(data.merge_report).toEqual({
      strategy: 'sum',
      added: [],
      combined: [{ product_id: product.id, user_quantity: 4, guest_quantity: 5, quantity: 6 }],
      capped: [{ product_id: product.id, requested: 9, quantity: 6, reason: 'STOCK_LIMIT' }],
      removed: [],
    });
    expect(await db.userLines(user.id)).toEqual([{ productId: product.id, quantity: 6 }]);
  });

  it('caps a guest-only line whose stock went down at the stock left (STOCK_LIMIT)', async () => {
    const product = await api.product({ stock: 10 });
    const user = await api.user();
    const sessionId = await api.guestCart([[product, 8]]);
    await api.updateProduct(product.id, { stock: 3 });

    const data = await api.mergeOk(user.token, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 3]]);
    expect(data.merge_report.added).toEqual([{ product_id: product.id, quantity: 3 }]);
    expect(data.merge_report.capped).toEqual([
      { product_id: product.id, requested: 8, quantity: 3, reason: 'STOCK_LIMIT' },
    ]);
  });

  it('drops a product in both carts that went out of stock, with the summed quantity', async () => {
    const product = await api.product({ stock: 5 });
    const user = await api.userWith([[product, 1]]);
    const sessionId = await api.guestCart([[product, 2]]);
    await api.updateProduct(product.id, { stock: 0 });

    const data = await api.mergeOk(user.token, sessionId);
    expect(data.merged_cart.items).toEqual([]);
    expect(data.merge_report.removed).toEqual([
      { product_id: product.id, quantity: 3, reason: 'OUT_OF_STOCK' },
    ]);
    expect(data.merge_report.combined).toEqual([]);
    expect(await db.userLines(user.id)).toEqual([]);
  });

  it('drops an inactive product and reports UNAVAILABLE', async () => {
    const keep = await api.product({ stock: 10 });
    const retired = await api.product({ stock: 10 });
    const user = await api.user();
    const sessionId = await api.guestCart([
      [keep, 1],
      [retired, 3],
    ]);
    await api.updateProduct(retired.id, { is_active: false });

    const data = await api.mergeOk(user.token, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[keep.id, 1]]);
    expect(data.merge_report).toEqual({
      strategy: 'sum',
      added: [{ product_id: keep.id, quantity: 1 }],
      combined: [],
      capped: [],
      removed: [{ product_id: retired.id, quantity: 3, reason: 'UNAVAILABLE' }],
    });
    expect(await db.userLines(user.id)).toEqual([{ productId: keep.id, quantity: 1 }]);
  });
});

describe('cart merge limits (MAX_CART_LINES=2, MAX_LINE_QUANTITY=5)', () => {
  const { api, db } = useShop({ MAX_CART_LINES: '2', MAX_LINE_QUANTITY: '5' }, { trailingSlash: true });

  it('caps a summed quantity at MAX_LINE_QUANTITY and reports LINE_LIMIT', async () => {
    const product = await api.product({ stock: 100 });
    const user = await api.userWith([[product, 3]]);
    const sessionId = await api.guestCart([[product, 4]]);

    const data = await api.mergeOk(user.token, sessionId);
    expect(quantities(data.merged_cart)).toEqual([[product.id, 5]]);
    expect(data.merge_report).toEqual({
      strategy: 'sum',
      added: [],
      combined: [{ product_id: product.id, user_quantity: 3, guest_quantity: 4, quantity: 5 }],
      capped: [{ product_id: product.id, requested: 7, quantity: 5, reason: 'LINE_LIMIT' }],
      removed: [],
    });
    expect(await db.userLines(user.id)).toEqual([{ productId: product.id, quantity: 5 }]);
  });
});
