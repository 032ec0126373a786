import { asc, eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { products } from '../../src/database/schema';
import { skuPrefix } from '../support/jwt';
import { useShop } from '../support/use-shop';

describe('catalog: public products (contract §3)', () => {
  const { t, api } = useShop();

  describe('GET /api/v1/products', () => {
    it('lists only active products, ordered by sku, walking every page with next_cursor', async () => {
      const prefix = skuPrefix();
      // created out of order, so the listing order can only come from sorting by sku
      for (const suffix of ['D', 'A', 'E', 'C', 'B']) await api.product({ sku: `${prefix}${suffix}` });
      await api.product({ sku: `${prefix}AA`, is_active: false });
      const deactivated = await api.product({ sku: `${prefix}BB` });
      await api.updateProduct(deactivated.id, { is_active: false });

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
        const res = await api.listProducts(query);
        expect(res.status).toBe(200);
        expect(res.body.success).toBe(true);
        expect(res.body.data.items.length).toBeLessThanOrEqual(2);
        for (const item of res.body.data.items) expect(item.is_active).toBe(true);
        seen.push(...res.body.data.items.map((item: { sku: string }) => item.sku));
        cursor = res.body.data.next_cursor;
        pages += 1;
        expect(pages).toBeLessThan(1000);
      } while (cursor !== null);

      expect(seen.filter((sku) => sku.startsWith(prefix))).toEqual(
        ['A', 'B', 'C', 'D', 'E'].map((s) => prefix + s),
      );
      // every active product exactly once, in the database's sku order
      const active = await t.database.db
        .select({ sku: products.sku })
        .from(products)
        .where(eq(products.isActive, true))
        .orderBy(asc(products.sku));
      expect(seen).toEqual(active.map((row) => row.sku));
      expect(pages).toBe(Math.ceil(active.length / 2));
    });

    it('answers a full page with next_cursor null when nothing follows', async () => {
      const total = (
        await t.database.db.select({ id: products.id }).from(products).where(eq(products.isActive, true))
      ).length;
      await api.product();
      const res = await api.listProducts('?limit=100');
      expect(res.status).toBe(200);
      expect(res.body.data.items).toHaveLength(total + 1);
      expect(res.body.data.next_cursor).toBeNull();
    });

    it('returns a cursor when more products follow the page', async () => {
      await api.product();
      await api.product();
      const res = await api.listProducts('?limit=1');
      expect(res.status).toBe(200);
      expect(res.body.data.items).toHaveLength(1);
      expect(typeof res.body.data.next_cursor).toBe('string');
    });

    it('lists products in the public product shape', async () => {
      const prefix = skuPrefix();
      const created = await api.product({
        sku: `${prefix}A`,
        name: 'Shape check',
        unit_price: 1234,
        stock: 7,
      });
      const res = await api.listProducts('?limit=100');
      const item = res.body.data.items.find((p) => p.id === created.id);
      expect(item).toEqual({
        id: created.id,
        sku: `${prefix}A`,
        name: 'Shape check',
        description: '',
        unit_price: 1234,
        currency: 'USD',
        stock: 7,
        is_active: true,
      });
    });

    it.each([
      '!!!',
      'not a cursor',
      Buffer.from('has spaces in it').toString('base64url'),
      ''.padEnd(513, 'A'),
    ])('refuses the cursor %j with 400 VALIDATION_FAILED', async (cursor) => {
      const res = await api.listProducts(`?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it.each(['0', '101', 'abc', '-1', '2.5'])(
      'refuses limit=%s with 400 VALIDATION_FAILED',
      async (limit) => {
        const res = await api.listProducts(`?limit=${limit}`);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: 'limit' })]),
        );
      },
    );

    it('accepts the limits 1 and 100', async () => {
      expect((await api.listProducts('?limit=1')).status).toBe(200);
      expect((await api.listProducts('?limit=100')).status).toBe(200);
    });

    it('refuses an unknown query parameter', async () => {
      const res = await api.listProducts('?include_inactive=true');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('GET /api/v1/products/{id}', () => {
    it('returns an active product in the contract shape', async () => {
      const prefix = skuPrefix();
      const admin = await api.adminToken();
      const created = await api.postProduct(admin, {
        sku: `${prefix}X`,
        name: 'Mug',
        description: 'Stoneware',
        unit_price: 1299,
        stock: 4,
      });
      const id = created.body.data.product.id;
      const res = await api.getProduct(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: {
          product: {
            id,
            sku: `${prefix}X`,
            name: 'Mug',
            description: 'Stoneware',
            unit_price: 1299,
            currency: 'USD',
            stock: 4,
            is_active: true,
          },
        },
      });
    });

    it('hides an inactive product with 404 PRODUCT_NOT_FOUND', async () => {
      const product = await api.product({ is_active: false });
      const res = await api.getProduct(product.id);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        success: false,
        error: { code: 'PRODUCT_NOT_FOUND', message: expect.any(String) },
      });
    });

    it('hides a product once it is deactivated', async () => {
      const product = await api.product();
      expect((await api.getProduct(product.id)).status).toBe(200);
      await api.updateProduct(product.id, { is_active: false });
      const res = await api.getProduct(product.id);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('PRODUCT_NOT_FOUND');
    });

    it('answers an unknown uuid with 404 PRODUCT_NOT_FOUND', async () => {
      const res = await api.getProduct(randomUUID());
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('PRODUCT_NOT_FOUND');
    });

    it.each(['not-a-uuid', '123', `${randomUUID()}x`])('refuses the malformed id %s with 400', async (id) => {
      const res = await api.getProduct(id);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });
});
