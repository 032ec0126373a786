import { asc, eq } from 'drizzle-orm';
import { createHmac, randomUUID } from 'node:crypto';
import { products } from '../../src/database/schema';
import { adminToken, createProduct, registerUser, updateProduct } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** An HS256 JWT signed by hand, so tests can build expired or forged tokens the service never issues. */
function signJwt(
  payload: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = {},
): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const head = encode({ alg: 'HS256', typ: 'JWT', ...header });
  const body = encode(payload);
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

function decodeJwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** A sku prefix unique to one test, made of upper-case letters and digits so every collation sorts it alike. */
function skuPrefix(): string {
  return `C${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}

describe('catalog (contract §3)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function rowsWithSku(sku: string) {
    return t.database.db.select().from(products).where(eq(products.sku, sku));
  }

  async function productRow(id: string) {
    const [row] = await t.database.db.select().from(products).where(eq(products.id, id));
    return row;
  }

  describe('GET /api/v1/products', () => {
    it('lists only active products, ordered by sku, walking every page with next_cursor', async () => {
      const prefix = skuPrefix();
      // created out of order, so the listing order can only come from sorting by sku
      for (const suffix of ['D', 'A', 'E', 'C', 'B']) await createProduct(t, { sku: `${prefix}${suffix}` });
      await createProduct(t, { sku: `${prefix}AA`, is_active: false });
      const deactivated = await createProduct(t, { sku: `${prefix}BB` });
      await updateProduct(t, deactivated.id, { is_active: false });

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
        const res = await t.request('GET', `/api/v1/products${query}`);
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
      await createProduct(t);
      const res = await t.request('GET', '/api/v1/products?limit=100');
      expect(res.status).toBe(200);
      expect(res.body.data.items).toHaveLength(total + 1);
      expect(res.body.data.next_cursor).toBeNull();
    });

    it('returns a cursor when more products follow the page', async () => {
      await createProduct(t);
      await createProduct(t);
      const res = await t.request('GET', '/api/v1/products?limit=1');
      expect(res.status).toBe(200);
      expect(res.body.data.items).toHaveLength(1);
      expect(typeof res.body.data.next_cursor).toBe('string');
    });

    it('lists products in the public product shape', async () => {
      const prefix = skuPrefix();
      const created = await createProduct(t, {
        sku: `${prefix}A`,
        name: 'Shape check',
        unit_price: 1234,
        stock: 7,
      });
      const res = await t.request('GET', '/api/v1/products?limit=100');
      const item = res.body.data.items.find((p: { id: string }) => p.id === created.id);
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
      const res = await t.request('GET', `/api/v1/products?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it.each(['0', '101', 'abc', '-1', '2.5'])(
      'refuses limit=%s with 400 VALIDATION_FAILED',
      async (limit) => {
        const res = await t.request('GET', `/api/v1/products?limit=${limit}`);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: 'limit' })]),
        );
      },
    );

    it('accepts the limits 1 and 100', async () => {
      expect((await t.request('GET', '/api/v1/products?limit=1')).status).toBe(200);
      expect((await t.request('GET', '/api/v1/products?limit=100')).status).toBe(200);
    });

    it('refuses an unknown query parameter', async () => {
      const res = await t.request('GET', '/api/v1/products?include_inactive=true');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('GET /api/v1/products/{id}', () => {
    it('returns an active product in the contract shape', async () => {
      const prefix = skuPrefix();
      const admin = await adminToken(t);
      const created = await t.request('POST', '/api/v1/admin/products', {
        token: admin,
        body: { sku: `${prefix}X`, name: 'Mug', description: 'Stoneware', unit_price: 1299, stock: 4 },
      });
      const id = created.body.data.product.id;
      const res = await t.request('GET', `/api/v1/products/${id}`);
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
      const product = await createProduct(t, { is_active: false });
      const res = await t.request('GET', `/api/v1/products/${product.id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        success: false,
        error: { code: 'PRODUCT_NOT_FOUND', message: expect.any(String) },
      });
    });

    it('hides a product once it is deactivated', async () => {
      const product = await createProduct(t);
      expect((await t.request('GET', `/api/v1/products/${product.id}`)).status).toBe(200);
      await updateProduct(t, product.id, { is_active: false });
      const res = await t.request('GET', `/api/v1/products/${product.id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('PRODUCT_NOT_FOUND');
    });

    it('answers an unknown uuid with 404 PRODUCT_NOT_FOUND', async () => {
      const res = await t.request('GET', `/api/v1/products/${randomUUID()}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('PRODUCT_NOT_FOUND');
    });

    it.each(['not-a-uuid', '123', `${randomUUID()}x`])('refuses the malformed id %s with 400', async (id) => {
      const res = await t.request('GET', `/api/v1/products/${id}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('POST /api/v1/admin/products', () => {
    it('creates a product with 201, defaulting description and is_active, and stores it', async () => {
      const sku = `${skuPrefix()}N`;
      const res = await t.request('POST', '/api/v1/admin/products', {
        token: await adminToken(t),
        body: { sku, name: 'New thing', unit_price: 2500, stock: 12 },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        success: true,
        data: {
          product: {
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
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
      const product = await createProduct(t, { is_active: false });
      expect((await productRow(product.id)).isActive).toBe(false);
      const res = await t.request('GET', '/api/v1/products?limit=100');
      expect(res.body.data.items.map((p: { id: string }) => p.id)).not.toContain(product.id);
    });

    it('refuses a duplicate sku with 409 SKU_TAKEN and keeps the first product', async () => {
      const sku = `${skuPrefix()}D`;
      const first = await createProduct(t, { sku, name: 'First', unit_price: 100 });
      for (const candidate of [sku, `  ${sku}  `]) {
        const res = await t.request('POST', '/api/v1/admin/products', {
          token: await adminToken(t),
          body: { sku: candidate, name: 'Second', unit_price: 999, stock: 1 },
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
        const res = await t.request('POST', '/api/v1/admin/products', { body: input });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses a customer with 403 FORBIDDEN and stores nothing', async () => {
        const customer = await registerUser(t);
        const input = body();
        const res = await t.request('POST', '/api/v1/admin/products', { token: customer.token, body: input });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('accepts a hand-signed admin token (control for the forged-token cases)', async () => {
        const admin = decodeJwtPayload(await adminToken(t));
        const now = Math.floor(Date.now() / 1000);
        const token = signJwt(
          { sub: admin.sub, role: 'admin', iat: now, exp: now + 600 },
          t.config.jwtSecret,
        );
        const res = await t.request('POST', '/api/v1/admin/products', { token, body: body() });
        expect(res.status).toBe(201);
      });

      it('refuses a validly signed token whose subject is not a user id (401, never a 500)', async () => {
        const now = Math.floor(Date.now() / 1000);
        const token = signJwt(
          { sub: 'not-a-uuid', role: 'admin', iat: now, exp: now + 600 },
          t.config.jwtSecret,
        );
        const res = await t.request('POST', '/api/v1/admin/products', { token, body: body() });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        const me = await t.request('GET', '/api/v1/auth/me', { token });
        expect(me.status).toBe(401);
      });

      it('refuses an expired admin token with 401 and stores nothing', async () => {
        const admin = decodeJwtPayload(await adminToken(t));
        const now = Math.floor(Date.now() / 1000);
        const token = signJwt(
          { sub: admin.sub, role: 'admin', iat: now - 7200, exp: now - 3600 },
          t.config.jwtSecret,
        );
        const input = body();
        const res = await t.request('POST', '/api/v1/admin/products', { token, body: input });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses a customer token whose payload was changed to admin', async () => {
        const customer = await registerUser(t);
        const [head, payload, signature] = customer.token.split('.');
        const forged = Buffer.from(
          JSON.stringify({
            ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
            role: 'admin',
          }),
        ).toString('base64url');
        const input = body();
        const res = await t.request('POST', '/api/v1/admin/products', {
          token: `${head}.${forged}.${signature}`,
          body: input,
        });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses an admin token signed with another secret', async () => {
        const admin = decodeJwtPayload(await adminToken(t));
        const token = signJwt({ ...admin }, 'some-other-secret-that-is-long-enough-0123456789');
        const input = body();
        const res = await t.request('POST', '/api/v1/admin/products', { token, body: input });
        expect(res.status).toBe(401);
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses an unsigned alg:none admin token', async () => {
        const admin = decodeJwtPayload(await adminToken(t));
        const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
        const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...admin, role: 'admin' })}.`;
        const input = body();
        const res = await t.request('POST', '/api/v1/admin/products', { token, body: input });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        expect(await rowsWithSku(input.sku)).toHaveLength(0);
      });

      it('refuses a token that is not a JWT, or a non-Bearer scheme', async () => {
        const input = body();
        for (const authorization of ['Bearer garbage', `Basic ${await adminToken(t)}`, 'Bearer ']) {
          const res = await t.request('POST', '/api/v1/admin/products', {
            headers: { authorization },
            body: input,
          });
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
        const res = await t.request('POST', '/api/v1/admin/products', {
          token: await adminToken(t),
          body: { sku, name: 'Invalid', unit_price: 100, stock: 1, ...override },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details.length).toBeGreaterThan(0);
        expect(await rowsWithSku(sku)).toHaveLength(0);
      });

      it('refuses an unknown field with 400 naming it, and stores nothing', async () => {
        const sku = `${skuPrefix()}U`;
        const res = await t.request('POST', '/api/v1/admin/products', {
          token: await adminToken(t),
          body: { sku, name: 'Mass assignment', unit_price: 100, stock: 1, id: randomUUID() },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual([{ field: 'id', message: 'id is not an allowed field' }]);
        expect(await rowsWithSku(sku)).toHaveLength(0);
      });
    });
  });

  describe('PATCH /api/v1/admin/products/{id}', () => {
    async function createDetailed() {
      const res = await t.request('POST', '/api/v1/admin/products', {
        token: await adminToken(t),
        body: {
          sku: `${skuPrefix()}P`,
          name: 'Original',
          description: 'Original text',
          unit_price: 500,
          stock: 9,
        },
      });
      expect(res.status).toBe(201);
      return res.body.data.product as { id: string; sku: string };
    }

    it('changes only the given fields', async () => {
      const product = await createDetailed();
      const res = await t.request('PATCH', `/api/v1/admin/products/${product.id}`, {
        token: await adminToken(t),
        body: { stock: 3 },
      });
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
      const res = await t.request('PATCH', `/api/v1/admin/products/${product.id}`, {
        token: await adminToken(t),
        body: { name: 'Renamed', unit_price: 750, description: '' },
      });
      expect(res.status).toBe(200);
      const view = await t.request('GET', `/api/v1/products/${product.id}`);
      expect(view.body.data.product).toMatchObject({
        name: 'Renamed',
        unit_price: 750,
        description: '',
        stock: 9,
      });
    });

    it('answers an unknown id with 404 PRODUCT_NOT_FOUND', async () => {
      const res = await t.request('PATCH', `/api/v1/admin/products/${randomUUID()}`, {
        token: await adminToken(t),
        body: { stock: 1 },
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('PRODUCT_NOT_FOUND');
    });

    it('refuses a malformed id with 400', async () => {
      const res = await t.request('PATCH', '/api/v1/admin/products/nope', {
        token: await adminToken(t),
        body: { stock: 1 },
      });
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
      const res = await t.request('PATCH', `/api/v1/admin/products/${product.id}`, {
        token: await adminToken(t),
        body: patch,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(await productRow(product.id)).toEqual(before);
    });

    it('refuses a customer with 403 and changes nothing', async () => {
      const product = await createDetailed();
      const before = await productRow(product.id);
      const customer = await registerUser(t);
      const res = await t.request('PATCH', `/api/v1/admin/products/${product.id}`, {
        token: customer.token,
        body: { unit_price: 1 },
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(await productRow(product.id)).toEqual(before);
    });

    it('refuses a request without a token with 401 and changes nothing', async () => {
      const product = await createDetailed();
      const before = await productRow(product.id);
      const res = await t.request('PATCH', `/api/v1/admin/products/${product.id}`, { body: { stock: 0 } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(await productRow(product.id)).toEqual(before);
    });
  });
});
