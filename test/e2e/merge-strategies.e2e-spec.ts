import { quantities } from '../support/matchers';
import { useShop } from '../support/use-shop';

describe.each([
  ['guest', 3],
  ['user', 2],
] as const)('cart merge with MERGE_STRATEGY=%s (contract §5)', (strategy, expected) => {
  const { api, db } = useShop({ MERGE_STRATEGY: strategy }, { trailingSlash: true });

  it(`keeps the ${strategy} cart's quantity for a product in both carts`, async () => {
    const both = await api.product({ stock: 20 });
    const userOnly = await api.product({ stock: 20 });
    const guestOnly = await api.product({ stock: 20 });
    const user = await api.userWith([
      [both, 2],
      [userOnly, 1],
    ]);
    const sessionId = await api.guestCart([
      [both, 3],
      [guestOnly, 4],
    ]);

    const data = await api.mergeOk(user.token, sessionId);
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
    const logs = await db.mergeLogs(sessionId);
    expect(logs).toHaveLength(1);
    expect(logs[0].strategy).toBe(strategy);
  });
});

describe('cart merge with MERGE_STRATEGY=newest (contract §5)', () => {
  const { t, api } = useShop({ MERGE_STRATEGY: 'newest' }, { trailingSlash: true });

  it('keeps the user quantity when the user cart was modified after the guest cart', async () => {
    const product = await api.product({ stock: 20 });
    const user = await api.user();
    const sessionId = await api.guestCart([[product, 3]]);
    t.clock.advance(60 * 60 * 1000);
    await api.addToUserCart(user.token, [[product, 2]]);

    const data = await api.mergeOk(user.token, sessionId);
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
    const product = await api.product({ stock: 20 });
    // the guest cart is older at first; only its later write makes it the newest
    const sessionId = await api.guestCart([[product, 1]]);
    const user = await api.userWith([[product, 2]]);
    t.clock.advance(60 * 60 * 1000);
    await api.refillGuestCart(sessionId, [[product, 3]]);

    const data = await api.mergeOk(user.token, sessionId);
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
