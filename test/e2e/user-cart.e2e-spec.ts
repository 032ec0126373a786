import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { carts, users } from '../../src/database/schema';
import { anyIsoTime, anyUuid, itemOf } from '../support/matchers';
import { useShop } from '../support/use-shop';

describe('user cart (contract §3)', () => {
  const { t, api, db } = useShop();

  describe('GET /api/v1/cart', () => {
    it('returns an empty cart in the contract shape for a new user', async () => {
      const user = await api.user();
      const res = await api.userCart(user.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: {
          cart: {
            id: anyUuid(),
            items: [],
            item_count: 0,
            subtotal: 0,
            currency: 'USD',
            updated_at: anyIsoTime(),
          },
        },
      });
    });

    it('keeps one cart per user across reads', async () => {
      const user = await api.user();
      const first = await api.userCartOf(user.token);
      const second = await api.userCartOf(user.token);
      expect(second.id).toBe(first.id);
      expect(await t.database.db.select().from(carts).where(eq(carts.userId, user.id))).toHaveLength(1);
    });

    it('answers without a token with 401 UNAUTHENTICATED', async () => {
      const res = await api.userCart(undefined);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('PUT /api/v1/cart/items/{product_id}', () => {
    it('adds a line in the contract shape and computes the totals', async () => {
      const user = await api.user();
      const product = await api.product({ name: 'Hoodie', unit_price: 4999, stock: 10 });
      const res = await api.putUserItem(user.token, product.id, 2);
      expect(res.status).toBe(200);
      expect(res.body.data.cart).toEqual({
        id: expect.any(String),
        items: [
          {
            product_id: product.id,
            sku: product.sku,
            name: 'Hoodie',
            quantity: 2,
            unit_price: 4999,
            line_total: 9998,
            available: true,
            available_quantity: 10,
          },
        ],
        item_count: 2,
        subtotal: 9998,
        currency: 'USD',
        updated_at: expect.any(String),
      });
      expect(await db.userLines(user.id)).toEqual([{ productId: product.id, quantity: 2 }]);
    });

    it('sums several lines into item_count and subtotal', async () => {
      const user = await api.user();
      const a = await api.product({ unit_price: 250 });
      const b = await api.product({ unit_price: 1000 });
      await api.putUserItem(user.token, a.id, 3);
      const res = await api.putUserItem(user.token, b.id, 2);
      expect(res.status).toBe(200);
      const cart = res.body.data.cart;
      expect(itemOf(cart, a.id)).toMatchObject({ quantity: 3, unit_price: 250, line_total: 750 });
      expect(itemOf(cart, b.id)).toMatchObject({ quantity: 2, unit_price: 1000, line_total: 2000 });
      expect(cart.items).toHaveLength(2);
      expect(cart.item_count).toBe(5);
      expect(cart.subtotal).toBe(2750);
      expect(await api.userCartOf(user.token)).toEqual(cart);
    });

    it('sets the quantity of an existing line instead of adding to it', async () => {
      const user = await api.user();
      const product = await api.product({ unit_price: 100 });
      await api.putUserItem(user.token, product.id, 2);
      const res = await api.putUserItem(user.token, product.id, 5);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items).toHaveLength(1);
      expect(res.body.data.cart.items[0].quantity).toBe(5);
      expect(res.body.data.cart.subtotal).toBe(500);
      expect(await db.userLines(user.id)).toEqual([{ productId: product.id, quantity: 5 }]);
    });

    it('removes the line when the quantity is 0', async () => {
      const user = await api.user();
      const keep = await api.product();
      const drop = await api.product();
      await api.putUserItem(user.token, keep.id, 1);
      await api.putUserItem(user.token, drop.id, 1);
      const res = await api.putUserItem(user.token, drop.id, 0);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items.map((i) => i.product_id)).toEqual([keep.id]);
      expect(await db.userLines(user.id)).toEqual([{ productId: keep.id, quantity: 1 }]);
    });

    it('accepts exactly the stock left', async () => {
      const user = await api.user();
      const product = await api.product({ stock: 3 });
      const res = await api.putUserItem(user.token, product.id, 3);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items[0]).toMatchObject({
        quantity: 3,
        available: true,
        available_quantity: 3,
      });
    });

    it('moves updated_at forward on a change', async () => {
      const user = await api.user();
      const product = await api.product();
      const before = await api.userCartOf(user.token);
      t.clock.advance(60_000);
      try {
        const res = await api.putUserItem(user.token, product.id, 1);
        expect(Date.parse(res.body.data.cart.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
      } finally {
        t.clock.reset();
      }
    });
  });

  describe('DELETE /api/v1/cart/items/{product_id}', () => {
    it('removes the line', async () => {
      const user = await api.user();
      const a = await api.product({ unit_price: 100 });
      const b = await api.product({ unit_price: 300 });
      await api.putUserItem(user.token, a.id, 1);
      await api.putUserItem(user.token, b.id, 2);
      const res = await api.deleteUserItem(user.token, a.id);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items.map((i) => i.product_id)).toEqual([b.id]);
      expect(res.body.data.cart.item_count).toBe(2);
      expect(res.body.data.cart.subtotal).toBe(600);
      expect(await db.userLines(user.id)).toEqual([{ productId: b.id, quantity: 2 }]);
    });

    it('answers 200 with the cart unchanged when the line is absent', async () => {
      const user = await api.user();
      const inCart = await api.product();
      const notInCart = await api.product();
      await api.putUserItem(user.token, inCart.id, 2);
      for (const productId of [notInCart.id, randomUUID()]) {
        const res = await api.deleteUserItem(user.token, productId);
        expect(res.status).toBe(200);
        expect(res.body.data.cart.items.map((i) => [i.product_id, i.quantity])).toEqual([[inCart.id, 2]]);
      }
      expect(await db.userLines(user.id)).toEqual([{ productId: inCart.id, quantity: 2 }]);
    });

    it('refuses a malformed product id with 400', async () => {
      const user = await api.user();
      const res = await api.deleteUserItem(user.token, 'abc');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('answers without a token with 401', async () => {
      const res = await api.deleteUserItem(undefined, randomUUID());
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('lines whose product changed after being added', () => {
    it('shows a deactivated product as unavailable without changing the quantity', async () => {
      const user = await api.user();
      const product = await api.product({ stock: 10 });
      await api.putUserItem(user.token, product.id, 4);
      await api.updateProduct(product.id, { is_active: false });
      const cart = await api.userCartOf(user.token);
      expect(itemOf(cart, product.id)).toMatchObject({
        quantity: 4,
        available: false,
        available_quantity: 0,
      });
      expect(await db.userLines(user.id)).toEqual([{ productId: product.id, quantity: 4 }]);
    });

    it('shows a line short of stock as unavailable with the units left, without changing the quantity', async () => {
      const user = await api.user();
      const product = await api.product({ stock: 10 });
      await api.putUserItem(user.token, product.id, 4);
      await api.updateProduct(product.id, { stock: 3 });
      const cart = await api.userCartOf(user.token);
      expect(itemOf(cart, product.id)).toMatchObject({
        quantity: 4,
        available: false,
        available_quantity: 3,
      });
      expect(await db.userLines(user.id)).toEqual([{ productId: product.id, quantity: 4 }]);
    });

    it('keeps a line available while the stock still covers it', async () => {
      const user = await api.user();
      const product = await api.product({ stock: 10 });
      await api.putUserItem(user.token, product.id, 4);
      await api.updateProduct(product.id, { stock: 4 });
      expect(itemOf(await api.userCartOf(user.token), product.id)).toMatchObject({
        quantity: 4,
        available: true,
        available_quantity: 4,
      });
    });

    it('prices lines at the current catalog price', async () => {
      const user = await api.user();
      const product = await api.product({ unit_price: 1000 });
      await api.putUserItem(user.token, product.id, 2);
      await api.updateProduct(product.id, { unit_price: 1500 });
      const cart = await api.userCartOf(user.token);
      expect(itemOf(cart, product.id)).toMatchObject({ unit_price: 1500, line_total: 3000 });
      expect(cart.subtotal).toBe(3000);
    });

    it('still accepts changes to other lines while one line is unavailable', async () => {
      const user = await api.user();
      const gone = await api.product();
      const other = await api.product();
      await api.putUserItem(user.token, gone.id, 1);
      await api.updateProduct(gone.id, { is_active: false });
      const res = await api.putUserItem(user.token, other.id, 2);
      expect(res.status).toBe(200);
      expect(itemOf(res.body.data.cart, gone.id)).toMatchObject({ quantity: 1, available: false });
      expect(itemOf(res.body.data.cart, other.id)).toMatchObject({ quantity: 2, available: true });
    });

    it('lets the shopper remove an unavailable line with quantity 0', async () => {
      const user = await api.user();
      const gone = await api.product();
      await api.putUserItem(user.token, gone.id, 1);
      await api.updateProduct(gone.id, { is_active: false });
      const res = await api.putUserItem(user.token, gone.id, 0);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items).toEqual([]);
      expect(await db.userLines(user.id)).toEqual([]);
    });
  });

  it('answers a valid token of an account that no longer exists with 401 on every cart route', async () => {
    const user = await api.user();
    const product = await api.product();
    await t.database.db.delete(users).where(eq(users.id, user.id));
    const attempts = [
      await api.userCart(user.token),
      await api.putUserItem(user.token, product.id, 1),
      await api.deleteUserItem(user.token, product.id),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(await t.database.db.select().from(carts).where(eq(carts.userId, user.id))).toHaveLength(0);
  });

  it("keeps two users' carts apart", async () => {
    const alice = await api.user();
    const bob = await api.user();
    const product = await api.product();
    await api.putUserItem(alice.token, product.id, 3);

    const bobCart = await api.userCartOf(bob.token);
    expect(bobCart.items).toEqual([]);
    expect(bobCart.id).not.toBe((await api.userCartOf(alice.token)).id);

    await api.putUserItem(bob.token, product.id, 1);
    await api.deleteUserItem(bob.token, product.id);
    expect(itemOf(await api.userCartOf(alice.token), product.id)?.quantity).toBe(3);
    expect(await db.userLines(alice.id)).toEqual([{ productId: product.id, quantity: 3 }]);
    expect(await db.userLines(bob.id)).toEqual([]);
  });
});
