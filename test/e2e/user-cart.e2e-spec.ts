import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { cartItems, carts, users } from '../../src/database/schema';
import {
  createProduct,
  CreatedProduct,
  readUserCart,
  registerUser,
  RegisteredUser,
  updateProduct,
} from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

interface CartItem {
  product_id: string;
  quantity: number;
  available: boolean;
  available_quantity: number;
}

function itemFor(cart: { items: CartItem[] }, productId: string): CartItem | undefined {
  return cart.items.find((item) => item.product_id === productId);
}

describe('user cart (contract §3)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  function getCart(user: RegisteredUser) {
    return readUserCart(t, user.token);
  }

  function putItem(user: RegisteredUser, productId: string, quantity: unknown) {
    return t.request('PUT', `/api/v1/cart/items/${productId}`, { token: user.token, body: { quantity } });
  }

  async function storedLines(user: RegisteredUser) {
    return t.database.db
      .select({ productId: cartItems.productId, quantity: cartItems.quantity })
      .from(cartItems)
      .innerJoin(carts, eq(carts.id, cartItems.cartId))
      .where(eq(carts.userId, user.id))
      .orderBy(cartItems.productId);
  }

  describe('GET /api/v1/cart', () => {
    it('returns an empty cart in the contract shape for a new user', async () => {
      const user = await registerUser(t);
      const res = await t.request('GET', '/api/v1/cart', { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: {
          cart: {
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            items: [],
            item_count: 0,
            subtotal: 0,
            currency: 'USD',
            updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
          },
        },
      });
    });

    it('keeps one cart per user across reads', async () => {
      const user = await registerUser(t);
      const first = await getCart(user);
      const second = await getCart(user);
      expect(second.id).toBe(first.id);
      expect(await t.database.db.select().from(carts).where(eq(carts.userId, user.id))).toHaveLength(1);
    });

    it('answers without a token with 401 UNAUTHENTICATED', async () => {
      const res = await t.request('GET', '/api/v1/cart');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('PUT /api/v1/cart/items/{product_id}', () => {
    it('adds a line in the contract shape and computes the totals', async () => {
      const user = await registerUser(t);
      const product = await createProduct(t, { name: 'Hoodie', unit_price: 4999, stock: 10 });
      const res = await putItem(user, product.id, 2);
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
      expect(await storedLines(user)).toEqual([{ productId: product.id, quantity: 2 }]);
    });

    it('sums several lines into item_count and subtotal', async () => {
      const user = await registerUser(t);
      const a = await createProduct(t, { unit_price: 250 });
      const b = await createProduct(t, { unit_price: 1000 });
      await putItem(user, a.id, 3);
      const res = await putItem(user, b.id, 2);
      expect(res.status).toBe(200);
      const cart = res.body.data.cart;
      expect(itemFor(cart, a.id)).toMatchObject({ quantity: 3, unit_price: 250, line_total: 750 });
      expect(itemFor(cart, b.id)).toMatchObject({ quantity: 2, unit_price: 1000, line_total: 2000 });
      expect(cart.items).toHaveLength(2);
      expect(cart.item_count).toBe(5);
      expect(cart.subtotal).toBe(2750);
      expect(await getCart(user)).toEqual(cart);
    });

    it('sets the quantity of an existing line instead of adding to it', async () => {
      const user = await registerUser(t);
      const product = await createProduct(t, { unit_price: 100 });
      await putItem(user, product.id, 2);
      const res = await putItem(user, product.id, 5);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items).toHaveLength(1);
      expect(res.body.data.cart.items[0].quantity).toBe(5);
      expect(res.body.data.cart.subtotal).toBe(500);
      expect(await storedLines(user)).toEqual([{ productId: product.id, quantity: 5 }]);
    });

    it('removes the line when the quantity is 0', async () => {
      const user = await registerUser(t);
      const keep = await createProduct(t);
      const drop = await createProduct(t);
      await putItem(user, keep.id, 1);
      await putItem(user, drop.id, 1);
      const res = await putItem(user, drop.id, 0);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items.map((i: CartItem) => i.product_id)).toEqual([keep.id]);
      expect(await storedLines(user)).toEqual([{ productId: keep.id, quantity: 1 }]);
    });

    it('accepts exactly the stock left', async () => {
      const user = await registerUser(t);
      const product = await createProduct(t, { stock: 3 });
      const res = await putItem(user, product.id, 3);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items[0]).toMatchObject({
        quantity: 3,
        available: true,
        available_quantity: 3,
      });
    });

    it('moves updated_at forward on a change', async () => {
      const user = await registerUser(t);
      const product = await createProduct(t);
      const before = await getCart(user);
      t.clock.advance(60_000);
      try {
        const res = await putItem(user, product.id, 1);
        expect(Date.parse(res.body.data.cart.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
      } finally {
        t.clock.reset();
      }
    });
  });

  describe('DELETE /api/v1/cart/items/{product_id}', () => {
    it('removes the line', async () => {
      const user = await registerUser(t);
      const a = await createProduct(t, { unit_price: 100 });
      const b = await createProduct(t, { unit_price: 300 });
      await putItem(user, a.id, 1);
      await putItem(user, b.id, 2);
      const res = await t.request('DELETE', `/api/v1/cart/items/${a.id}`, { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items.map((i: CartItem) => i.product_id)).toEqual([b.id]);
      expect(res.body.data.cart.item_count).toBe(2);
      expect(res.body.data.cart.subtotal).toBe(600);
      expect(await storedLines(user)).toEqual([{ productId: b.id, quantity: 2 }]);
    });

    it('answers 200 with the cart unchanged when the line is absent', async () => {
      const user = await registerUser(t);
      const inCart = await createProduct(t);
      const notInCart = await createProduct(t);
      await putItem(user, inCart.id, 2);
      for (const productId of [notInCart.id, randomUUID()]) {
        const res = await t.request('DELETE', `/api/v1/cart/items/${productId}`, { token: user.token });
        expect(res.status).toBe(200);
        expect(res.body.data.cart.items.map((i: CartItem) => [i.product_id, i.quantity])).toEqual([
          [inCart.id, 2],
        ]);
      }
      expect(await storedLines(user)).toEqual([{ productId: inCart.id, quantity: 2 }]);
    });

    it('refuses a malformed product id with 400', async () => {
      const user = await registerUser(t);
      const res = await t.request('DELETE', '/api/v1/cart/items/abc', { token: user.token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('answers without a token with 401', async () => {
      const res = await t.request('DELETE', `/api/v1/cart/items/${randomUUID()}`);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('rejected writes leave the cart exactly as it was', () => {
    let user: RegisteredUser;
    let inCart: CreatedProduct;

    beforeEach(async () => {
      user = await registerUser(t);
      inCart = await createProduct(t, { stock: 10 });
      expect((await putItem(user, inCart.id, 2)).status).toBe(200);
    });

    async function expectUnchanged(write: () => Promise<void>): Promise<void> {
      const before = await getCart(user);
      const rowsBefore = await storedLines(user);
      t.clock.advance(60_000); // a write that slipped through would move updated_at
      try {
        await write();
      } finally {
        t.clock.reset();
      }
      expect(await getCart(user)).toEqual(before);
      expect(await storedLines(user)).toEqual(rowsBefore);
    }

    it('answers without a token with 401', async () => {
      await expectUnchanged(async () => {
        const res = await t.request('PUT', `/api/v1/cart/items/${inCart.id}`, { body: { quantity: 5 } });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      });
    });

    it('refuses a malformed product id with 400', async () => {
      await expectUnchanged(async () => {
        const res = await putItem(user, 'not-a-uuid', 1);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details).toEqual([{ field: 'product_id', message: expect.any(String) }]);
      });
    });

    it.each<[string, unknown]>([
      ['-1', -1],
      ['1.5', 1.5],
      ['"2" (a string)', '2'],
      ['null', null],
      ['true', true],
    ])('refuses quantity %s with 400', async (_label, quantity) => {
      await expectUnchanged(async () => {
        const res = await putItem(user, inCart.id, quantity);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: 'quantity' })]),
        );
      });
    });

    it('refuses a missing quantity or an unknown field with 400', async () => {
      await expectUnchanged(async () => {
        const missing = await t.request('PUT', `/api/v1/cart/items/${inCart.id}`, {
          token: user.token,
          body: {},
        });
        expect(missing.status).toBe(400);
        const extra = await t.request('PUT', `/api/v1/cart/items/${inCart.id}`, {
          token: user.token,
          body: { quantity: 1, unit_price: 1 },
        });
        expect(extra.status).toBe(400);
        expect(extra.body.error.details).toEqual([
          { field: 'unit_price', message: 'unit_price is not an allowed field' },
        ]);
      });
    });

    it('refuses an unknown product with 422 PRODUCT_UNAVAILABLE listing it', async () => {
      const ghost = randomUUID();
      await expectUnchanged(async () => {
        const res = await putItem(user, ghost, 1);
        expect(res.status).toBe(422);
        expect(res.body.error).toEqual({
          code: 'PRODUCT_UNAVAILABLE',
          message: expect.any(String),
          details: [{ product_id: ghost }],
        });
      });
    });

    it('refuses an inactive product with 422 PRODUCT_UNAVAILABLE listing it', async () => {
      const inactive = await createProduct(t, { is_active: false });
      await expectUnchanged(async () => {
        const res = await putItem(user, inactive.id, 1);
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('PRODUCT_UNAVAILABLE');
        expect(res.body.error.details).toEqual([{ product_id: inactive.id }]);
      });
    });

    it('refuses a quantity above stock with 409 INSUFFICIENT_STOCK and the numbers', async () => {
      const scarce = await createProduct(t, { stock: 3 });
      await expectUnchanged(async () => {
        const res = await putItem(user, scarce.id, 4);
        expect(res.status).toBe(409);
        expect(res.body.error).toEqual({
          code: 'INSUFFICIENT_STOCK',
          message: expect.any(String),
          details: [{ product_id: scarce.id, requested: 4, available: 3 }],
        });
      });
    });

    it('refuses to raise an existing line above stock, keeping its quantity', async () => {
      await expectUnchanged(async () => {
        const res = await putItem(user, inCart.id, 11);
        expect(res.status).toBe(409);
        expect(res.body.error.details).toEqual([{ product_id: inCart.id, requested: 11, available: 10 }]);
      });
    });

    it('refuses a sold-out product with 409 and available 0', async () => {
      const soldOut = await createProduct(t, { stock: 0 });
      await expectUnchanged(async () => {
        const res = await putItem(user, soldOut.id, 1);
        expect(res.status).toBe(409);
        expect(res.body.error.details).toEqual([{ product_id: soldOut.id, requested: 1, available: 0 }]);
      });
    });
  });

  describe('lines whose product changed after being added', () => {
    it('shows a deactivated product as unavailable without changing the quantity', async () => {
      const user = await registerUser(t);
      const product = await createProduct(t, { stock: 10 });
      await putItem(user, product.id, 4);
      await updateProduct(t, product.id, { is_active: false });
      const cart = await getCart(user);
      expect(itemFor(cart, product.id)).toMatchObject({
        quantity: 4,
        available: false,
        available_quantity: 0,
      });
      expect(await storedLines(user)).toEqual([{ productId: product.id, quantity: 4 }]);
    });

    it('shows a line short of stock as unavailable with the units left, without changing the quantity', async () => {
      const user = await registerUser(t);
      const product = await createProduct(t, { stock: 10 });
      await putItem(user, product.id, 4);
      await updateProduct(t, product.id, { stock: 3 });
      const cart = await getCart(user);
      expect(itemFor(cart, product.id)).toMatchObject({
        quantity: 4,
        available: false,
        available_quantity: 3,
      });
      expect(await storedLines(user)).toEqual([{ productId: product.id, quantity: 4 }]);
    });

    it('keeps a line available while the stock still covers it', async () => {
      const user = await registerUser(t);
      const product = await createProduct(t, { stock: 10 });
      await putItem(user, product.id, 4);
      await updateProduct(t, product.id, { stock: 4 });
      expect(itemFor(await getCart(user), product.id)).toMatchObject({
        quantity: 4,
        available: true,
        available_quantity: 4,
      });
    });

    it('prices lines at the current catalog price', async () => {
      const user = await registerUser(t);
      const product = await createProduct(t, { unit_price: 1000 });
      await putItem(user, product.id, 2);
      await updateProduct(t, product.id, { unit_price: 1500 });
      const cart = await getCart(user);
      expect(itemFor(cart, product.id)).toMatchObject({ unit_price: 1500, line_total: 3000 });
      expect(cart.subtotal).toBe(3000);
    });

    it('still accepts changes to other lines while one line is unavailable', async () => {
      const user = await registerUser(t);
      const gone = await createProduct(t);
      const other = await createProduct(t);
      await putItem(user, gone.id, 1);
      await updateProduct(t, gone.id, { is_active: false });
      const res = await putItem(user, other.id, 2);
      expect(res.status).toBe(200);
      expect(itemFor(res.body.data.cart, gone.id)).toMatchObject({ quantity: 1, available: false });
      expect(itemFor(res.body.data.cart, other.id)).toMatchObject({ quantity: 2, available: true });
    });

    it('lets the shopper remove an unavailable line with quantity 0', async () => {
      const user = await registerUser(t);
      const gone = await createProduct(t);
      await putItem(user, gone.id, 1);
      await updateProduct(t, gone.id, { is_active: false });
      const res = await putItem(user, gone.id, 0);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items).toEqual([]);
      expect(await storedLines(user)).toEqual([]);
    });
  });

  it('answers a valid token of an account that no longer exists with 401 on every cart route', async () => {
    const user = await registerUser(t);
    const product = await createProduct(t);
    await t.database.db.delete(users).where(eq(users.id, user.id));
    const attempts = [
      await t.request('GET', '/api/v1/cart', { token: user.token }),
      await putItem(user, product.id, 1),
      await t.request('DELETE', `/api/v1/cart/items/${product.id}`, { token: user.token }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(await t.database.db.select().from(carts).where(eq(carts.userId, user.id))).toHaveLength(0);
  });

  it("keeps two users' carts apart", async () => {
    const alice = await registerUser(t);
    const bob = await registerUser(t);
    const product = await createProduct(t);
    await putItem(alice, product.id, 3);

    const bobCart = await getCart(bob);
    expect(bobCart.items).toEqual([]);
    expect(bobCart.id).not.toBe((await getCart(alice)).id);

    await putItem(bob, product.id, 1);
    await t.request('DELETE', `/api/v1/cart/items/${product.id}`, { token: bob.token });
    expect(itemFor(await getCart(alice), product.id)?.quantity).toBe(3);
    expect(await storedLines(alice)).toEqual([{ productId: product.id, quantity: 3 }]);
    expect(await storedLines(bob)).toEqual([]);
  });
});

describe('user cart limits (MAX_CART_LINES=2, MAX_LINE_QUANTITY=5)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ MAX_CART_LINES: '2', MAX_LINE_QUANTITY: '5' });
  });
  afterAll(() => t.close());

  function putItem(user: RegisteredUser, productId: string, quantity: number) {
    return t.request('PUT', `/api/v1/cart/items/${productId}`, { token: user.token, body: { quantity } });
  }

  async function getCart(user: RegisteredUser) {
    return (await t.request('GET', '/api/v1/cart', { token: user.token })).body.data.cart;
  }

  async function storedLineCount(user: RegisteredUser): Promise<number> {
    const rows = await t.database.db
      .select({ productId: cartItems.productId })
      .from(cartItems)
      .innerJoin(carts, eq(carts.id, cartItems.cartId))
      .where(eq(carts.userId, user.id));
    return rows.length;
  }

  it('accepts a line of exactly MAX_LINE_QUANTITY units', async () => {
    const user = await registerUser(t);
    const product = await createProduct(t, { stock: 100 });
    expect((await putItem(user, product.id, 5)).status).toBe(200);
  });

  it('refuses a line above MAX_LINE_QUANTITY with 422 CART_LIMIT_EXCEEDED, even with stock', async () => {
    const user = await registerUser(t);
    const product = await createProduct(t, { stock: 100 });
    await putItem(user, product.id, 2);
    const before = await getCart(user);
    const res = await putItem(user, product.id, 6);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CART_LIMIT_EXCEEDED');
    expect(await getCart(user)).toEqual(before);
  });

  it('refuses a line beyond MAX_CART_LINES with 422 CART_LIMIT_EXCEEDED and keeps the cart', async () => {
    const user = await registerUser(t);
    const [a, b, c] = [await createProduct(t), await createProduct(t), await createProduct(t)];
    await putItem(user, a.id, 1);
    await putItem(user, b.id, 1);
    const before = await getCart(user);
    const res = await putItem(user, c.id, 1);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CART_LIMIT_EXCEEDED');
    expect(await getCart(user)).toEqual(before);
    expect(await storedLineCount(user)).toBe(2);
  });

  it('still changes or removes lines of a full cart, and adds again after a removal', async () => {
    const user = await registerUser(t);
    const [a, b, c] = [await createProduct(t), await createProduct(t), await createProduct(t)];
    await putItem(user, a.id, 1);
    await putItem(user, b.id, 1);
    expect((await putItem(user, a.id, 4)).status).toBe(200);
    expect((await putItem(user, b.id, 0)).status).toBe(200);
    const res = await putItem(user, c.id, 1);
    expect(res.status).toBe(200);
    expect(res.body.data.cart.items).toHaveLength(2);
  });

  it('never exceeds MAX_CART_LINES under concurrent PUTs of different products', async () => {
    const user = await registerUser(t);
    const products: CreatedProduct[] = [];
    for (let i = 0; i < 6; i++) products.push(await createProduct(t));
    const results = await Promise.all(products.map((product) => putItem(user, product.id, 1)));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 200, 422, 422, 422, 422]);
    for (const res of results.filter((r) => r.status === 422)) {
      expect(res.body.error.code).toBe('CART_LIMIT_EXCEEDED');
    }
    expect(await storedLineCount(user)).toBe(2);
    expect((await getCart(user)).items).toHaveLength(2);
    expect(await t.database.db.select().from(carts).where(eq(carts.userId, user.id))).toHaveLength(1);
  });

  it('never exceeds MAX_CART_LINES under concurrent PUTs on a cart that already exists', async () => {
    const user = await registerUser(t);
    await getCart(user);
    const products: CreatedProduct[] = [];
    for (let i = 0; i < 4; i++) products.push(await createProduct(t));
    const results = await Promise.all(products.map((product) => putItem(user, product.id, 1)));
    expect(results.filter((res) => res.status === 200)).toHaveLength(2);
    expect(await storedLineCount(user)).toBe(2);
  });
});
