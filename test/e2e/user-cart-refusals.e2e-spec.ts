import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { carts } from '../../src/database/schema';
import { CreatedProduct, RegisteredUser } from '../support/factories';
import { useShop } from '../support/use-shop';

describe('user cart: refused writes change nothing (contract §3)', () => {
  const { t, api, db } = useShop();

  describe('rejected writes leave the cart exactly as it was', () => {
    let user: RegisteredUser;
    let inCart: CreatedProduct;

    beforeEach(async () => {
      user = await api.user();
      inCart = await api.product({ stock: 10 });
      expect((await api.putUserItem(user.token, inCart.id, 2)).status).toBe(200);
    });

    async function expectUnchanged(write: () => Promise<void>): Promise<void> {
      const before = await api.userCartOf(user.token);
      const rowsBefore = await db.userLines(user.id);
      t.clock.advance(60_000); // a write that slipped through would move updated_at
      try {
        await write();
      } finally {
        t.clock.reset();
      }
      expect(await api.userCartOf(user.token)).toEqual(before);
      expect(await db.userLines(user.id)).toEqual(rowsBefore);
    }

    it('answers without a token with 401', async () => {
      await expectUnchanged(async () => {
        const res = await api.putUserItem(undefined, inCart.id, 5);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      });
    });

    it('refuses a malformed product id with 400', async () => {
      await expectUnchanged(async () => {
        const res = await api.putUserItem(user.token, 'not-a-uuid', 1);
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
        const res = await api.putUserItem(user.token, inCart.id, quantity);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: 'quantity' })]),
        );
      });
    });

    it('refuses a missing quantity or an unknown field with 400', async () => {
      await expectUnchanged(async () => {
        const missing = await api.send('PUT', `/api/v1/cart/items/${inCart.id}`, { token: user.token }, {});
        expect(missing.status).toBe(400);
        const extra = await api.send(
          'PUT',
          `/api/v1/cart/items/${inCart.id}`,
          { token: user.token },
          {
            quantity: 1,
            unit_price: 1,
          },
        );
        expect(extra.status).toBe(400);
        expect(extra.body.error.details).toEqual([
          { field: 'unit_price', message: 'unit_price is not an allowed field' },
        ]);
      });
    });

    it('refuses an unknown product with 422 PRODUCT_UNAVAILABLE listing it', async () => {
      const ghost = randomUUID();
      await expectUnchanged(async () => {
        const res = await api.putUserItem(user.token, ghost, 1);
        expect(res.status).toBe(422);
        expect(res.body.error).toEqual({
          code: 'PRODUCT_UNAVAILABLE',
          message: expect.any(String),
          details: [{ product_id: ghost }],
        });
      });
    });

    it('refuses an inactive product with 422 PRODUCT_UNAVAILABLE listing it', async () => {
      const inactive = await api.product({ is_active: false });
      await expectUnchanged(async () => {
        const res = await api.putUserItem(user.token, inactive.id, 1);
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('PRODUCT_UNAVAILABLE');
        expect(res.body.error.details).toEqual([{ product_id: inactive.id }]);
      });
    });

    it('refuses a quantity above stock with 409 INSUFFICIENT_STOCK and the numbers', async () => {
      const scarce = await api.product({ stock: 3 });
      await expectUnchanged(async () => {
        const res = await api.putUserItem(user.token, scarce.id, 4);
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
        const res = await api.putUserItem(user.token, inCart.id, 11);
        expect(res.status).toBe(409);
        expect(res.body.error.details).toEqual([{ product_id: inCart.id, requested: 11, available: 10 }]);
      });
    });

    it('refuses a sold-out product with 409 and available 0', async () => {
      const soldOut = await api.product({ stock: 0 });
      await expectUnchanged(async () => {
        const res = await api.putUserItem(user.token, soldOut.id, 1);
        expect(res.status).toBe(409);
        expect(res.body.error.details).toEqual([{ product_id: soldOut.id, requested: 1, available: 0 }]);
      });
    });
  });
});

describe('user cart limits (MAX_CART_LINES=2, MAX_LINE_QUANTITY=5)', () => {
  const { t, api, db } = useShop({ MAX_CART_LINES: '2', MAX_LINE_QUANTITY: '5' });

  it('accepts a line of exactly MAX_LINE_QUANTITY units', async () => {
    const user = await api.user();
    const product = await api.product({ stock: 100 });
    expect((await api.putUserItem(user.token, product.id, 5)).status).toBe(200);
  });

  it('refuses a line above MAX_LINE_QUANTITY with 422 CART_LIMIT_EXCEEDED, even with stock', async () => {
    const user = await api.user();
    const product = await api.product({ stock: 100 });
    await api.putUserItem(user.token, product.id, 2);
    const before = await api.userCartOf(user.token);
    const res = await api.putUserItem(user.token, product.id, 6);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CART_LIMIT_EXCEEDED');
    expect(await api.userCartOf(user.token)).toEqual(before);
  });

  it('refuses a line beyond MAX_CART_LINES with 422 CART_LIMIT_EXCEEDED and keeps the cart', async () => {
    const user = await api.user();
    const [a, b, c] = [await api.product(), await api.product(), await api.product()];
    await api.putUserItem(user.token, a.id, 1);
    await api.putUserItem(user.token, b.id, 1);
    const before = await api.userCartOf(user.token);
    const res = await api.putUserItem(user.token, c.id, 1);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CART_LIMIT_EXCEEDED');
    expect(await api.userCartOf(user.token)).toEqual(before);
    expect((await db.userLines(user.id)).length).toBe(2);
  });

  it('still changes or removes lines of a full cart, and adds again after a removal', async () => {
    const user = await api.user();
    const [a, b, c] = [await api.product(), await api.product(), await api.product()];
    await api.putUserItem(user.token, a.id, 1);
    await api.putUserItem(user.token, b.id, 1);
    expect((await api.putUserItem(user.token, a.id, 4)).status).toBe(200);
    expect((await api.putUserItem(user.token, b.id, 0)).status).toBe(200);
    const res = await api.putUserItem(user.token, c.id, 1);
    expect(res.status).toBe(200);
    expect(res.body.data.cart.items).toHaveLength(2);
  });

  it('never exceeds MAX_CART_LINES under concurrent PUTs of different products', async () => {
    const user = await api.user();
    const products: CreatedProduct[] = [];
    for (let i = 0; i < 6; i++) products.push(await api.product());
    const results = await Promise.all(products.map((product) => api.putUserItem(user.token, product.id, 1)));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 200, 422, 422, 422, 422]);
    for (const res of results.filter((r) => r.status === 422)) {
      expect(res.body.error.code).toBe('CART_LIMIT_EXCEEDED');
    }
    expect((await db.userLines(user.id)).length).toBe(2);
    expect((await api.userCartOf(user.token)).items).toHaveLength(2);
    expect(await t.database.db.select().from(carts).where(eq(carts.userId, user.id))).toHaveLength(1);
  });

  it('never exceeds MAX_CART_LINES under concurrent PUTs on a cart that already exists', async () => {
    const user = await api.user();
    await api.userCartOf(user.token);
    const products: CreatedProduct[] = [];
    for (let i = 0; i < 4; i++) products.push(await api.product());
    const results = await Promise.all(products.map((product) => api.putUserItem(user.token, product.id, 1)));
    expect(results.filter((res) => res.status === 200)).toHaveLength(2);
    expect((await db.userLines(user.id)).length).toBe(2);
  });
});
