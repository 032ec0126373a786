import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { products } from '../../src/database/schema';
import { decodeJwtPayload, signJwt, skuPrefix } from '../support/jwt';
import { anyUuid } from '../support/matchers';
import { useShop } from '../support/use-shop';

describe('catalog: admin products (contract §3)', () => {
  const { t, api } = useShop();

  async function rowsWithSku(sku: string) {
    return t.database.db.select().from(products).where(eq(products.sku, sku));
  }

  async function productRow(id: string) {
    const [row] = await t.database.db.select().from(products).where(eq(products.id, id));
    return row;
  }

  describe('POST /api/v1/admin/products', () => {
    it('creates a product with 201, defaulting description and is_active, and stores it', async () => {
      const sku = `${skuPrefix()}N`;
      const res = await api.postProduct(await api.adminToken(), {
        sku,
        name: 'New thing',
        unit_price: 2500,
        stock: 12,
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        success: true,
        data: {
          product: {
            id: anyUuid(),
            sku,
            name: 'New thing',
            description: '',
            unit_price: 2500,
            currency: 'USD',
            stock: 12,
            is_active: true,
          },
        },
      });
      const [row] = await rowsWithSku(sku);
      expect(row).toMatchObject({
        id: res.body.data.product.id,
        name: 'New thing',
        unitPrice: 2500,
        stock: 12,
        isActive: true,
      });
    });

    it('creates an inactive product when asked, hidden from the listing', async () => {
      const product = await api.product({ is_active: false });
      expect((await productRow(product.id)).isActive).toBe(false);
      const res = await api.listProducts('?limit=100');
      expect(res.body.data.items.map((p) => p.id)).not.toContain(product.id);
    });

    it('refuses a duplicate sku with 409 SKU_TAKEN and keeps the first product', async () => {
      const sku = `${skuPrefix()}D`;
      const first = await api.product({ sku, name: 'First', unit_price: 100 });
      for (const candidate of [sku, `  ${sku}  `]) {
        const res = await api.postProduct(await api.adminToken(), {
          sku: candidate,
          name: 'Second',
          unit_price: 999,
          stock: 1,
        });
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('SKU_TAKEN');
      }
      const rows = await rowsWithSku(sku);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: first.id, name: 'First', unitPrice: 100 });
    });

    describe('authorisation', () => {
      const body = () => ({ sku: `${skuPrefix()}Z`, name: 'Forbidden', unit_price: 100, stock: 1 });

      it('refuses a request without a token with 401 UNAUTHENTICATED and stores nothing', async () => {
        const input = body();
        const res = await api.postProduct(undefined, input);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses a customer with 403 FORBIDDEN and stores nothing', async () => {
        const customer = await api.user();
        const input = body();
        const res = await api.postProduct(customer.token, input);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('accepts a hand-signed admin token (control for the forged-token cases)', async () => {
        const admin = decodeJwtPayload(await api.adminToken());
        const now = Math.floor(Date.now() / 1000);
        const token = signJwt(
          { sub: admin.sub, role: 'admin', iat: now, exp: now + 600 },
          t.config.jwtSecret,
        );
        const res = await api.postProduct(token, body());
        expect(res.status).toBe(201);
      });

      it('refuses a validly signed token whose subject is not a user id (401, never a 500)', async () => {
        const now = Math.floor(Date.now() / 1000);
        const token = signJwt(
          { sub: 'not-a-uuid', role: 'admin', iat: now, exp: now + 600 },
          t.config.jwtSecret,
        );
        const res = await api.postProduct(token, body());
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        const me = await api.me(token);
        expect(me.status).toBe(401);
      });

      it('refuses an expired admin token with 401 and stores nothing', async () => {
        const admin = decodeJwtPayload(await api.adminToken());
        const now = Math.floor(Date.now() / 1000);
        const token = signJwt(
          { sub: admin.sub, role: 'admin', iat: now - 7200, exp: now - 3600 },
          t.config.jwtSecret,
        );
        const input = body();
        const res = await api.postProduct(token, input);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses a customer token whose payload was changed to admin', async () => {
        const customer = await api.user();
        const [head, payload, signature] = customer.token.split('.');
        const forged = Buffer.from(
          JSON.stringify({
            ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
            role: 'admin',
          }),
        ).toString('base64url');
        const input = body();
        const res = await api.postProduct(`${head}.${forged}.${signature}`, input);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses an admin token signed with another secret', async () => {
        const admin = decodeJwtPayload(await api.adminToken());
        const token = signJwt({ ...admin }, 'some-other-secret-that-is-long-enough-0123456789');
        const input = body();
        const res = await api.postProduct(token, input);
        expect(res.status).toBe(401);
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses an unsigned alg:none admin token', async () => {
        const admin = decodeJwtPayload(await api.adminToken());
        const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
        const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...admin, role: 'admin' })}.`;
        const input = body();
        const res = await api.postProduct(token, input);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses a token that is not a JWT, or a non-Bearer scheme', async () => {
        const input = body();
        for (const authorization of ['Bearer garbage', `Basic ${await api.adminToken()}`, 'Bearer ']) {
          const res = await api.postProduct(undefined, input, { headers: { authorization } });
          expect(res.status).toBe(401);
          expect(res.body.error.code).toBe('UNAUTHENTICATED');
        }
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });
    });

    describe('validation', () => {
      it.each<[string, Record<string, unknown>]>([
        ['negative stock', { stock: -1 }],
        ['negative price', { unit_price: -1 }],
        ['fractional price', { unit_price: 10.5 }],
        ['fractional stock', { stock: 1.5 }],
        ['price as a string', { unit_price: '100' }],
        ['stock as a string', { stock: '5' }],
        ['is_active as a string', { is_active: 'yes' }],
        ['empty name', { name: '   ' }],
        ['sku with spaces', { sku: 'has spaces' }],
        ['missing stock', { stock: undefined }],
      ])('refuses %s with 400 and stores nothing', async (_label, override) => {
        const sku = `${skuPrefix()}V`;
        const res = await api.postProduct(await api.adminToken(), {
          sku,
          name: 'Invalid',
          unit_price: 100,
          stock: 1,
          ...override,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details?.length).toBeGreaterThan(0);
        expect(await rowsWithSku(sku)).toHaveLength(0);
      });

      it('refuses an unknown field with 400 naming it, and stores nothing', async () => {
        const sku = `${skuPrefix()}U`;
        const res = await api.postProduct(await api.adminToken(), {
          sku,
          name: 'Mass assignment',
          unit_price: 100,
          stock: 1,
          id: randomUUID(),
        });
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual([{ field: 'id', message: 'id is not an allowed field' }]);
        expect(await rowsWithSku(sku)).toHaveLength(0);
      });
    });
  });

  describe('PATCH /api/v1/admin/products/{id}', () => {
    async function createDetailed() {
      const res = await api.postProduct(await api.adminToken(), {
        sku: `${skuPrefix()}P`,
        name: 'Original',
        description: 'Original text',
        unit_price: 500,
        stock: 9,
      });
      expect(res.status).toBe(201);
      return res.body.data.product as { id: string; sku: string };
    }

    it('changes only the given fields', async () => {
      const product = await createDetailed();
      const res = await api.patchProduct(await api.adminToken(), product.id, { stock: 3 });
      expect(res.status).toBe(200);
      expect(res.body.data.product).toEqual({
        id: product.id,
        sku: product.sku,
        name: 'Original',
        description: 'Original text',
        unit_price: 500,
        currency: 'USD',
        stock: 3,
        is_active: true,
      });
      expect(await productRow(product.id)).toMatchObject({
        name: 'Original',
        description: 'Original text',
        unitPrice: 500,
        stock: 3,
        isActive: true,
      });
    });

    it('changes several fields at once and the public view follows', async () => {
      const product = await createDetailed();
      const res = await api.patchProduct(await api.adminToken(), product.id, {
        name: 'Renamed',
        unit_price: 750,
        description: '',
      });
      expect(res.status).toBe(200);
      const view = await api.getProduct(product.id);
      expect(view.body.data.product).toMatchObject({
        name: 'Renamed',
        unit_price: 750,
        description: '',
        stock: 9,
      });
    });

    it('answers an unknown id with 404 PRODUCT_NOT_FOUND', async () => {
      const res = await api.patchProduct(await api.adminToken(), randomUUID(), { stock: 1 });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('PRODUCT_NOT_FOUND');
    });

    it('refuses a malformed id with 400', async () => {
      const res = await api.patchProduct(await api.adminToken(), 'nope', { stock: 1 });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it.each<[string, Record<string, unknown>]>([
      ['negative stock', { stock: -5 }],
      ['negative price', { unit_price: -1 }],
      ['fractional price', { unit_price: 1.25 }],
      ['a sku change (not an allowed field)', { sku: 'NEW-SKU' }],
      ['an unknown field', { created_at: '2020-01-01T00:00:00Z' }],
      ['a valid field next to an invalid one', { name: 'Sneaky', stock: -1 }],
      ['a null name', { name: null }],
      ['a null description', { description: null }],
      ['a null price', { unit_price: null }],
      ['a null stock', { stock: null }],
      ['a null is_active', { is_active: null }],
    ])('refuses %s with 400 and changes nothing', async (_label, patch) => {
      const product = await createDetailed();
      const before = await productRow(product.id);
      const res = await api.patchProduct(await api.adminToken(), product.id, patch);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(await productRow(product.id)).toEqual(before);
    });

    it('refuses a customer with 403 and changes nothing', async () => {
      const product = await createDetailed();
      const before = await productRow(product.id);
      const customer = await api.user();
      const res = await api.patchProduct(customer.token, product.id, { unit_price: 1 });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(await productRow(product.id)).toEqual(before);
    });

    it('refuses a request without a token with 401 and changes nothing', async () => {
      const product = await createDetailed();
      const before = await productRow(product.id);
      const res = await api.patchProduct(undefined, product.id, { stock: 0 });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(await productRow(product.id)).toEqual(before);
    });
  });
});
