import { eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { carts, cartMergeLogs, guestSessions } from '../../src/database/schema';
import { guestCartLines } from '../support/db-reads';
import { createProduct, CreatedProduct, registerUser, updateProduct } from '../support/factories';
import { expectError, quantities } from '../support/responses';
import { createTestApp, HttpResult, TestApp } from '../support/test-app';

const DAY_MS = 24 * 60 * 60 * 1000;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

interface Line {
  product_id: string;
  quantity: unknown;
}

interface CartItem {
  product_id: string;
  quantity: number;
  available: boolean;
  available_quantity: number;
}

interface GuestCart {
  id: string;
  items: CartItem[];
  item_count: number;
  subtotal: number;
  currency: string;
  updated_at: string;
  session_id: string;
  expires_at: string;
}

function line(product: CreatedProduct | string, quantity: unknown): Line {
  return { product_id: typeof product === 'string' ? product : product.id, quantity };
}

/** expires_at slides on writes (and on a read once per touch interval), so comparisons of "the same cart" leave it out. */
function withoutExpiry(cart: GuestCart): Omit<GuestCart, 'expires_at'> {
  const { expires_at: _expiresAt, ...rest } = cart;
  return rest;
}

/** The guest-cart helpers over one app. */
function guestCarts(t: TestApp) {
  return {
    write(body: unknown, url = '/api/v1/cart/guest/'): Promise<HttpResult> {
      return t.request('POST', url, { body });
    },

    async create(items: Line[]): Promise<GuestCart> {
      const res = await t.request('POST', '/api/v1/cart/guest/', { body: { items } });
      expect(res.status).toBe(201);
      return res.body.data.cart as GuestCart;
    },

    async read(sessionId: string): Promise<GuestCart> {
      const res = await t.request('GET', `/api/v1/cart/guest/${sessionId}/`);
      expect(res.status).toBe(200);
      return res.body.data.cart as GuestCart;
    },

    async sessionRow(sessionId: string) {
      const [row] = await t.database.db.select().from(guestSessions).where(eq(guestSessions.id, sessionId));
      return row;
    },

    async sessionCount(): Promise<number> {
      return (await t.database.db.select({ id: guestSessions.id }).from(guestSessions)).length;
    },

    async cartCount(): Promise<number> {
      return (await t.database.db.select({ id: carts.id }).from(carts)).length;
    },

    /** The stored lines of a guest cart, straight from the database. */
    storedLines(sessionId: string) {
      return guestCartLines(t, sessionId);
    },
  };
}

describe('guest carts (contract §4)', () => {
  let t: TestApp;
  let guest: ReturnType<typeof guestCarts>;

  beforeAll(async () => {
    t = await createTestApp();
    guest = guestCarts(t);
  });
  afterEach(() => t.clock.reset());
  afterAll(() => t.close());

  /**
   * Runs a write that must be refused and checks that nothing moved: the cart reads back the same,
   * the stored lines and the session row (its expiry) are untouched. The clock moves a minute first,
   * so a write that slipped through would show in updated_at and expires_at.
   */
  async function expectUnchanged(sessionId: string, refused: () => Promise<void>): Promise<void> {
    const before = await guest.read(sessionId);
    const linesBefore = await guest.storedLines(sessionId);
    const sessionBefore = await guest.sessionRow(sessionId);
    t.clock.advance(60_000);
    await refused();
    expect(await guest.sessionRow(sessionId)).toEqual(sessionBefore);
    expect(await guest.storedLines(sessionId)).toEqual(linesBefore);
    expect(withoutExpiry(await guest.read(sessionId))).toEqual(withoutExpiry(before));
  }

  /** Runs a create that must be refused and checks that no session and no cart were made. */
  async function expectNothingCreated(refused: () => Promise<void>): Promise<void> {
    const sessions = await guest.sessionCount();
    const cartRows = await guest.cartCount();
    await refused();
    expect(await guest.sessionCount()).toBe(sessions);
    expect(await guest.cartCount()).toBe(cartRows);
  }

  describe('POST /api/v1/cart/guest/ without session_id', () => {
    it('creates a session (UUID v4) and its cart with 201 in the contract shape', async () => {
      const hoodie = await createProduct(t, { name: 'Hoodie', unit_price: 4999, stock: 10 });
      const mug = await createProduct(t, { name: 'Mug', unit_price: 1250, stock: 5 });
      const res = await guest.write({ items: [line(hoodie, 2), line(mug, 1)] });

      expect(res.status).toBe(201);
      const sessionId = res.body.data.session_id as string;
      expect(sessionId).toMatch(UUID_V4);
      expect(res.body).toEqual({
        success: true,
        data: {
          session_id: sessionId,
          cart: {
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            items: [
              {
                product_id: hoodie.id,
                sku: hoodie.sku,
                name: 'Hoodie',
                quantity: 2,
                unit_price: 4999,
                line_total: 9998,
                available: true,
                available_quantity: 10,
              },
              {
                product_id: mug.id,
                sku: mug.sku,
                name: 'Mug',
                quantity: 1,
                unit_price: 1250,
                line_total: 1250,
                available: true,
                available_quantity: 5,
              },
            ],
            item_count: 3,
            subtotal: 11248,
            currency: 'USD',
            updated_at: expect.stringMatching(ISO_UTC),
            session_id: sessionId,
            expires_at: expect.stringMatching(ISO_UTC),
          },
        },
      });
      const row = await guest.sessionRow(sessionId);
      expect(row).toBeDefined();
      expect(await guest.storedLines(sessionId)).toEqual(
        [
          { productId: hoodie.id, quantity: 2 },
          { productId: mug.id, quantity: 1 },
        ].sort((a, b) => a.productId.localeCompare(b.productId)),
      );
    });

    it('sets expires_at to now + 30 days (the default GUEST_SESSION_TTL_DAYS)', async () => {
      const product = await createProduct(t);
      const cart = await guest.create([line(product, 1)]);
      const expected = t.clock.now().getTime() + 30 * DAY_MS;
      expect(Math.abs(Date.parse(cart.expires_at) - expected)).toBeLessThan(5_000);
      const row = await guest.sessionRow(cart.session_id);
      expect(row.expiresAt.toISOString()).toBe(cart.expires_at);
    });

    it('gives every new session its own id and cart', async () => {
      const product = await createProduct(t);
      const first = await guest.create([line(product, 1)]);
      const second = await guest.create([line(product, 1)]);
      expect(second.session_id).not.toBe(first.session_id);
      expect(second.id).not.toBe(first.id);
    });

    it('creates a session with an empty cart from an empty list', async () => {
      const cart = await guest.create([]);
      expect(cart).toMatchObject({ items: [], item_count: 0, subtotal: 0 });
      expect(await guest.sessionRow(cart.session_id)).toBeDefined();
    });

    it('works without the trailing slash', async () => {
      const product = await createProduct(t);
      const res = await guest.write({ items: [line(product, 1)] }, '/api/v1/cart/guest');
      expect(res.status).toBe(201);
      expect(quantities(res.body.data.cart)).toEqual([[product.id, 1]]);
    });
  });

  describe('POST /api/v1/cart/guest/ with session_id (replace)', () => {
    it('replaces the content with 200: lines not in the new list disappear', async () => {
      const a = await createProduct(t);
      const b = await createProduct(t);
      const c = await createProduct(t);
      const created = await guest.create([line(a, 1), line(b, 2)]);

      const res = await guest.write({ session_id: created.session_id, items: [line(b, 3), line(c, 1)] });
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(res.body.data.session_id).toBe(created.session_id);
      const cart = res.body.data.cart as GuestCart;
      expect(cart.id).toBe(created.id);
      expect(cart.session_id).toBe(created.session_id);
      expect(quantities(cart)).toEqual([
        [b.id, 3],
        [c.id, 1],
      ]);
      expect(cart.item_count).toBe(4);
      expect(await guest.storedLines(created.session_id)).toEqual(
        [
          { productId: b.id, quantity: 3 },
          { productId: c.id, quantity: 1 },
        ].sort((x, y) => x.productId.localeCompare(y.productId)),
      );
      expect(withoutExpiry(await guest.read(created.session_id))).toEqual(withoutExpiry(cart));
    });

    it('keeps the lines in the order they were written, whatever their product ids', async () => {
      const products = await Promise.all([1, 2, 3, 4].map(() => createProduct(t)));
      // reverse id order, so neither id order nor insertion by id could pass by chance
      const given = [...products].sort((x, y) => y.id.localeCompare(x.id));
      const created = await guest.create(given.map((product, i) => line(product, i + 1)));
      const expected = given.map((product, i): [string, number] => [product.id, i + 1]);
      expect(quantities(created)).toEqual(expected);
      expect(quantities(await guest.read(created.session_id))).toEqual(expected);

      const rewritten = [given[2], given[0], given[3]];
      const res = await guest.write({
        session_id: created.session_id,
        items: rewritten.map((product) => line(product, 2)),
      });
      const expectedAfter = rewritten.map((product): [string, number] => [product.id, 2]);
      expect(quantities(res.body.data.cart)).toEqual(expectedAfter);
      expect(quantities(await guest.read(created.session_id))).toEqual(expectedAfter);
    });

    it('empties the cart when given an empty list', async () => {
      const a = await createProduct(t);
      const created = await guest.create([line(a, 2)]);
      const res = await guest.write({ session_id: created.session_id, items: [] });
      expect(res.status).toBe(200);
      expect(res.body.data.cart).toMatchObject({ items: [], item_count: 0, subtotal: 0 });
      expect(await guest.storedLines(created.session_id)).toEqual([]);
      expect((await guest.read(created.session_id)).items).toEqual([]);
    });

    it('is idempotent: the same body twice gives the same cart', async () => {
      const a = await createProduct(t, { unit_price: 300 });
      const b = await createProduct(t, { unit_price: 700 });
      const created = await guest.create([line(a, 5)]);
      const body = { session_id: created.session_id, items: [line(a, 1), line(b, 2)] };

      const first = await guest.write(body);
      const second = await guest.write(body);
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      const { updated_at: _u1, expires_at: _e1, ...firstCart } = first.body.data.cart as GuestCart;
      const { updated_at: _u2, expires_at: _e2, ...secondCart } = second.body.data.cart as GuestCart;
      expect(secondCart).toEqual(firstCart);
      expect(quantities(secondCart)).toEqual([
        [a.id, 1],
        [b.id, 2],
      ]);
      expect(secondCart.subtotal).toBe(1700);
      expect(await guest.storedLines(created.session_id)).toHaveLength(2);
    });

    it('works without the trailing slash', async () => {
      const a = await createProduct(t);
      const created = await guest.create([line(a, 1)]);
      const res = await guest.write(
        { session_id: created.session_id, items: [line(a, 3)] },
        '/api/v1/cart/guest',
      );
      expect(res.status).toBe(200);
      expect(quantities(res.body.data.cart)).toEqual([[a.id, 3]]);
    });
  });

  describe('GET /api/v1/cart/guest/{session_id}/', () => {
    it('returns {session_id, cart, items} with items equal to cart.items', async () => {
      const a = await createProduct(t, { unit_price: 250 });
      const created = await guest.create([line(a, 4)]);
      const res = await t.request('GET', `/api/v1/cart/guest/${created.session_id}/`);
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(Object.keys(res.body.data).sort()).toEqual(['cart', 'items', 'session_id']);
      expect(res.body.data.session_id).toBe(created.session_id);
      expect(res.body.data.items).toEqual(res.body.data.cart.items);
      expect(withoutExpiry(res.body.data.cart)).toEqual(withoutExpiry(created));
      expect(res.body.data.cart.items[0]).toMatchObject({ quantity: 4, unit_price: 250, line_total: 1000 });
    });

    it('works without the trailing slash', async () => {
      const a = await createProduct(t);
      const created = await guest.create([line(a, 1)]);
      const res = await t.request('GET', `/api/v1/cart/guest/${created.session_id}`);
      expect(res.status).toBe(200);
      expect(quantities(res.body.data.cart)).toEqual([[a.id, 1]]);
    });
  });

  describe('malformed ids (400)', () => {
    it('refuses a malformed session id in the path without touching the database', async () => {
      const sessions = await guest.sessionCount();
      for (const id of ['not-a-uuid', '123', `${randomUUID()}x`]) {
        const res = await t.request('GET', `/api/v1/cart/guest/${id}/`);
        expectError(res, 400, 'VALIDATION_FAILED', [
          { field: 'session_id', message: 'session_id must be a UUID' },
        ]);
      }
      expect(await guest.sessionCount()).toBe(sessions);
    });

    it('refuses a malformed or null session_id in the body and creates nothing', async () => {
      const a = await createProduct(t);
      await expectNothingCreated(async () => {
        for (const sessionId of ['not-a-uuid', 42, '', null]) {
          const res = await guest.write({ session_id: sessionId, items: [line(a, 1)] });
          expectError(res, 400, 'VALIDATION_FAILED', [
            { field: 'session_id', message: 'session_id must be a UUID' },
          ]);
        }
      });
    });
  });

  describe('unknown session (404)', () => {
    it('answers GET with 404 GUEST_SESSION_NOT_FOUND and creates no session', async () => {
      const id = randomUUID();
      const res = await t.request('GET', `/api/v1/cart/guest/${id}/`);
      expectError(res, 404, 'GUEST_SESSION_NOT_FOUND');
      expect(res.body.error.details).toBeUndefined();
      expect(await guest.sessionRow(id)).toBeUndefined();
    });

    it('answers POST with 404 GUEST_SESSION_NOT_FOUND and creates nothing', async () => {
      const a = await createProduct(t);
      const id = randomUUID();
      await expectNothingCreated(async () => {
        const res = await guest.write({ session_id: id, items: [line(a, 1)] });
        expectError(res, 404, 'GUEST_SESSION_NOT_FOUND');
        expect(res.body.error.details).toBeUndefined();
      });
      expect(await guest.sessionRow(id)).toBeUndefined();
    });
  });

  describe('expired session (410)', () => {
    it('answers GET after 31 days of inactivity with 410 GUEST_SESSION_EXPIRED and does not revive it', async () => {
      const a = await createProduct(t);
      const created = await guest.create([line(a, 2)]);
      const sessionBefore = await guest.sessionRow(created.session_id);

      t.clock.advanceDays(31);
      const res = await t.request('GET', `/api/v1/cart/guest/${created.session_id}/`);
      expectError(res, 410, 'GUEST_SESSION_EXPIRED');
      expect(res.body.error.details).toBeUndefined();
      // a refused read does not slide the expiry: a second read is still refused
      expect(await guest.sessionRow(created.session_id)).toEqual(sessionBefore);
      expectError(
        await t.request('GET', `/api/v1/cart/guest/${created.session_id}`),
        410,
        'GUEST_SESSION_EXPIRED',
      );

      t.clock.reset();
      expect(withoutExpiry(await guest.read(created.session_id))).toEqual(withoutExpiry(created));
    });

    it('answers POST after 31 days with 410 GUEST_SESSION_EXPIRED and leaves the cart as it was', async () => {
      const a = await createProduct(t);
      const b = await createProduct(t);
      const created = await guest.create([line(a, 2)]);
      const sessionBefore = await guest.sessionRow(created.session_id);
      const linesBefore = await guest.storedLines(created.session_id);

      t.clock.advanceDays(31);
      const res = await guest.write({ session_id: created.session_id, items: [line(b, 1)] });
      expectError(res, 410, 'GUEST_SESSION_EXPIRED');
      expect(await guest.sessionRow(created.session_id)).toEqual(sessionBefore);
      expect(await guest.storedLines(created.session_id)).toEqual(linesBefore);

      t.clock.reset();
      expect(withoutExpiry(await guest.read(created.session_id))).toEqual(withoutExpiry(created));
    });
  });

  describe('refused content leaves the cart exactly as it was', () => {
    let a: CreatedProduct;
    let b: CreatedProduct;
    let sessionId: string;

    beforeEach(async () => {
      a = await createProduct(t, { stock: 10 });
      b = await createProduct(t, { stock: 10 });
      sessionId = (await guest.create([line(a, 2)])).session_id;
    });

    it('refuses the same product_id twice with 400', async () => {
      const expected = [{ field: 'items', message: 'items must not repeat a product_id' }];
      await expectUnchanged(sessionId, async () => {
        const res = await guest.write({ session_id: sessionId, items: [line(b, 1), line(b, 2)] });
        expectError(res, 400, 'VALIDATION_FAILED', expected);
      });
      await expectNothingCreated(async () => {
        expectError(
          await guest.write({ items: [line(b, 1), line(b, 1)] }),
          400,
          'VALIDATION_FAILED',
          expected,
        );
      });
    });

    it.each<[string, unknown]>([
      ['0', 0],
      ['-1', -1],
      ['1.5', 1.5],
      ['"2" (a string)', '2'],
    ])('refuses quantity %s with 400 naming the field', async (_label, quantity) => {
      const fieldProblem = expect.arrayContaining([expect.objectContaining({ field: 'items.1.quantity' })]);
      await expectUnchanged(sessionId, async () => {
        const res = await guest.write({ session_id: sessionId, items: [line(a, 1), line(b, quantity)] });
        expectError(res, 400, 'VALIDATION_FAILED', fieldProblem);
      });
      await expectNothingCreated(async () => {
        const res = await guest.write({ items: [line(a, 1), line(b, quantity)] });
        expectError(res, 400, 'VALIDATION_FAILED', fieldProblem);
      });
    });

    it('refuses a missing items list with 400', async () => {
      const itemsProblem = expect.arrayContaining([expect.objectContaining({ field: 'items' })]);
      await expectUnchanged(sessionId, async () => {
        expectError(await guest.write({ session_id: sessionId }), 400, 'VALIDATION_FAILED', itemsProblem);
      });
      await expectNothingCreated(async () => {
        expectError(await guest.write({}), 400, 'VALIDATION_FAILED', itemsProblem);
      });
    });

    it('refuses an unknown field, at the top or in a line, with 400', async () => {
      await expectUnchanged(sessionId, async () => {
        const top = await guest.write({ session_id: sessionId, items: [line(b, 1)], coupon: 'FREE' });
        expectError(top, 400, 'VALIDATION_FAILED', [
          { field: 'coupon', message: 'coupon is not an allowed field' },
        ]);
        const nested = await guest.write({
          session_id: sessionId,
          items: [{ ...line(b, 1), unit_price: 1 }],
        });
        expectError(nested, 400, 'VALIDATION_FAILED', [
          { field: 'items.0.unit_price', message: 'items.0.unit_price is not an allowed field' },
        ]);
      });
      await expectNothingCreated(async () => {
        const res = await guest.write({ items: [line(b, 1)], email: 'guest@example.com' });
        expectError(res, 400, 'VALIDATION_FAILED', [
          { field: 'email', message: 'email is not an allowed field' },
        ]);
      });
    });

    it('refuses an unknown or inactive product with 422 PRODUCT_UNAVAILABLE listing them', async () => {
      const inactive = await createProduct(t, { is_active: false });
      const ghost = randomUUID();
      await expectUnchanged(sessionId, async () => {
        const res = await guest.write({
          session_id: sessionId,
          items: [line(b, 1), line(ghost, 1), line(inactive, 1)],
        });
        expectError(res, 422, 'PRODUCT_UNAVAILABLE', [{ product_id: ghost }, { product_id: inactive.id }]);
      });
      await expectNothingCreated(async () => {
        expectError(await guest.write({ items: [line(inactive, 1)] }), 422, 'PRODUCT_UNAVAILABLE', [
          { product_id: inactive.id },
        ]);
        expectError(await guest.write({ items: [line(ghost, 1)] }), 422, 'PRODUCT_UNAVAILABLE', [
          { product_id: ghost },
        ]);
      });
    });

    it('refuses a quantity above stock with 409 INSUFFICIENT_STOCK and the numbers', async () => {
      const scarce = await createProduct(t, { stock: 3 });
      await expectUnchanged(sessionId, async () => {
        const res = await guest.write({ session_id: sessionId, items: [line(a, 1), line(scarce, 4)] });
        expectError(res, 409, 'INSUFFICIENT_STOCK', [{ product_id: scarce.id, requested: 4, available: 3 }]);
      });
      await expectNothingCreated(async () => {
        const res = await guest.write({ items: [line(scarce, 5)] });
        expectError(res, 409, 'INSUFFICIENT_STOCK', [{ product_id: scarce.id, requested: 5, available: 3 }]);
      });
    });

    it('accepts exactly the stock left', async () => {
      const scarce = await createProduct(t, { stock: 3 });
      const res = await guest.write({ session_id: sessionId, items: [line(scarce, 3)] });
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items[0]).toMatchObject({
        quantity: 3,
        available: true,
        available_quantity: 3,
      });
    });
  });

  describe('sliding expiry', () => {
    it('moves expires_at forward on a read, so a session read after 20 days still answers after 40', async () => {
      const a = await createProduct(t);
      const created = await guest.create([line(a, 1)]);

      t.clock.advanceDays(20);
      const read = await guest.read(created.session_id);
      expect(Date.parse(read.expires_at)).toBeGreaterThan(Date.parse(created.expires_at));
      expect(Math.abs(Date.parse(read.expires_at) - (t.clock.now().getTime() + 30 * DAY_MS))).toBeLessThan(
        5_000,
      );
      const row = await guest.sessionRow(created.session_id);
      expect(row.expiresAt.toISOString()).toBe(read.expires_at);
      expect(Math.abs(row.lastActivityAt.getTime() - t.clock.now().getTime())).toBeLessThan(5_000);

      t.clock.advanceDays(20); // 40 days after creation, 20 after the last read
      const later = await guest.read(created.session_id);
      expect(quantities(later)).toEqual([[a.id, 1]]);
    });

    it('reads move expires_at at most once per GUEST_SESSION_TOUCH_INTERVAL_SECONDS (60 s); writes always do', async () => {
      const a = await createProduct(t);
      const created = await guest.create([line(a, 1)]);
      const createdRow = await guest.sessionRow(created.session_id);

      t.clock.advance(30_000); // within the interval: the read is only a read
      const soon = await guest.read(created.session_id);
      expect(soon.expires_at).toBe(created.expires_at);
      expect((await guest.sessionRow(created.session_id)).lastActivityAt.toISOString()).toBe(
        createdRow.lastActivityAt.toISOString(),
      );

      t.clock.advance(31_000); // 61 s after the last move: this read slides the expiry
      const later = await guest.read(created.session_id);
      expect(Date.parse(later.expires_at)).toBeGreaterThan(Date.parse(created.expires_at) + 60_000);
      expect(Math.abs(Date.parse(later.expires_at) - (t.clock.now().getTime() + 30 * DAY_MS))).toBeLessThan(
        5_000,
      );
      expect((await guest.sessionRow(created.session_id)).expiresAt.toISOString()).toBe(later.expires_at);

      t.clock.advance(1_000); // a write 1 s later moves it again
      const written = await guest.write({ session_id: created.session_id, items: [line(a, 2)] });
      expect(written.status).toBe(200);
      expect(Date.parse(written.body.data.cart.expires_at)).toBeGreaterThan(Date.parse(later.expires_at));
    });

    it('moves expires_at forward on a write, so a session written after 20 days still answers after 40', async () => {
      const a = await createProduct(t);
      const created = await guest.create([line(a, 1)]);

      t.clock.advanceDays(20);
      const res = await guest.write({ session_id: created.session_id, items: [line(a, 2)] });
      expect(res.status).toBe(200);
      expect(Date.parse(res.body.data.cart.expires_at)).toBeGreaterThan(Date.parse(created.expires_at));

      t.clock.advanceDays(20);
      const again = await guest.write({ session_id: created.session_id, items: [line(a, 3)] });
      expect(again.status).toBe(200);
      expect(quantities(again.body.data.cart)).toEqual([[a.id, 3]]);
    });

    it('expires a session after 31 days of inactivity even if it was active before', async () => {
      const a = await createProduct(t);
      const created = await guest.create([line(a, 1)]);
      t.clock.advanceDays(20);
      await guest.read(created.session_id);
      t.clock.advanceDays(31);
      expectError(
        await t.request('GET', `/api/v1/cart/guest/${created.session_id}/`),
        410,
        'GUEST_SESSION_EXPIRED',
      );
    });

    it('keeps a session alive 29 days after its last activity', async () => {
      const a = await createProduct(t);
      const created = await guest.create([line(a, 1)]);
      t.clock.advanceDays(29);
      expect(quantities(await guest.read(created.session_id))).toEqual([[a.id, 1]]);
    });
  });

  describe('reads never change items', () => {
    it('shows a deactivated product as unavailable (available_quantity 0) with the quantity kept', async () => {
      const a = await createProduct(t, { stock: 10 });
      const created = await guest.create([line(a, 4)]);
      await updateProduct(t, a.id, { is_active: false });

      const res = await t.request('GET', `/api/v1/cart/guest/${created.session_id}/`);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items).toEqual([
        expect.objectContaining({ product_id: a.id, quantity: 4, available: false, available_quantity: 0 }),
      ]);
      expect(res.body.data.items).toEqual(res.body.data.cart.items);
      expect(await guest.storedLines(created.session_id)).toEqual([{ productId: a.id, quantity: 4 }]);
      // a second read still shows the line: the first one did not drop it
      expect(quantities(await guest.read(created.session_id))).toEqual([[a.id, 4]]);
    });

    it('shows a line short of stock as unavailable with the units left, quantity kept', async () => {
      const a = await createProduct(t, { stock: 10 });
      const b = await createProduct(t, { stock: 10 });
      const created = await guest.create([line(a, 5), line(b, 2)]);
      await updateProduct(t, a.id, { stock: 3 });

      const cart = await guest.read(created.session_id);
      expect(cart.items).toEqual([
        expect.objectContaining({ product_id: a.id, quantity: 5, available: false, available_quantity: 3 }),
        expect.objectContaining({ product_id: b.id, quantity: 2, available: true, available_quantity: 10 }),
      ]);
      expect(cart.item_count).toBe(7);
      expect(await guest.storedLines(created.session_id)).toEqual(
        [
          { productId: a.id, quantity: 5 },
          { productId: b.id, quantity: 2 },
        ].sort((x, y) => x.productId.localeCompare(y.productId)),
      );
    });
  });

  it('keeps sessions isolated: two sessions do not see each other’s items', async () => {
    const a = await createProduct(t);
    const b = await createProduct(t);
    const first = await guest.create([line(a, 1)]);
    const second = await guest.create([line(b, 2)]);

    expect(quantities(await guest.read(first.session_id))).toEqual([[a.id, 1]]);
    expect(quantities(await guest.read(second.session_id))).toEqual([[b.id, 2]]);

    const replaced = await guest.write({ session_id: second.session_id, items: [line(a, 3)] });
    expect(replaced.status).toBe(200);
    expect(quantities(await guest.read(first.session_id))).toEqual([[a.id, 1]]);
    expect(quantities(await guest.read(second.session_id))).toEqual([[a.id, 3]]);
  });

  it('stores no personal data in guest_sessions: only id and times', async () => {
    // the columns the database really has, not the ones the Drizzle schema declares
    const result: unknown = await t.database.db.execute(
      sql`select column_name from information_schema.columns
          where table_schema = current_schema() and table_name = 'guest_sessions'`,
    );
    const { rows } = result as { rows: { column_name: string }[] };
    expect(rows.map((row) => row.column_name).sort()).toEqual([
      'created_at',
      'expires_at',
      'id',
      'last_activity_at',
    ]);

    const created = await guest.create([]);
    const row = await guest.sessionRow(created.session_id);
    expect(row).toEqual({
      id: created.session_id,
      createdAt: expect.any(Date),
      lastActivityAt: expect.any(Date),
      expiresAt: new Date(created.expires_at),
    });
  });

  describe('a merged guest cart', () => {
    it('refuses writes with 409 GUEST_CART_ALREADY_MERGED and stays empty', async () => {
      const a = await createProduct(t);
      const b = await createProduct(t);
      const created = await guest.create([line(a, 2)]);
      const user = await registerUser(t);
      const merge = await t.request('POST', '/api/v1/cart/merge/', {
        token: user.token,
        body: { guest_session_id: created.session_id },
      });
      expect(merge.status).toBe(200);
      const userCartBefore = await t.request('GET', '/api/v1/cart', { token: user.token });
      expect(quantities(userCartBefore.body.data.cart)).toEqual([[a.id, 2]]);

      await expectUnchanged(created.session_id, async () => {
        for (const items of [[line(b, 1)], []]) {
          const res = await guest.write({ session_id: created.session_id, items });
          expectError(res, 409, 'GUEST_CART_ALREADY_MERGED');
        }
      });
      expect((await guest.read(created.session_id)).items).toEqual([]);
      const userCartAfter = await t.request('GET', '/api/v1/cart', { token: user.token });
      expect(userCartAfter.body.data.cart).toEqual(userCartBefore.body.data.cart);
      expect(
        await t.database.db
          .select()
          .from(cartMergeLogs)
          .where(eq(cartMergeLogs.guestSessionId, created.session_id)),
      ).toHaveLength(1);
    });
  });
});

describe('guest cart limits (MAX_CART_LINES=2, MAX_LINE_QUANTITY=5)', () => {
  let t: TestApp;
  let guest: ReturnType<typeof guestCarts>;

  beforeAll(async () => {
    t = await createTestApp({ MAX_CART_LINES: '2', MAX_LINE_QUANTITY: '5' });
    guest = guestCarts(t);
  });
  afterAll(() => t.close());

  it('accepts exactly MAX_CART_LINES lines of MAX_LINE_QUANTITY', async () => {
    const a = await createProduct(t, { stock: 50 });
    const b = await createProduct(t, { stock: 50 });
    const cart = await guest.create([line(a, 5), line(b, 5)]);
    expect(cart.item_count).toBe(10);
  });

  it('refuses more than MAX_CART_LINES lines with 422 CART_LIMIT_EXCEEDED, changing nothing', async () => {
    const a = await createProduct(t, { stock: 50 });
    const b = await createProduct(t, { stock: 50 });
    const c = await createProduct(t, { stock: 50 });
    const created = await guest.create([line(a, 1)]);
    const before = await guest.read(created.session_id);
    const linesBefore = await guest.storedLines(created.session_id);
    const sessions = await guest.sessionCount();

    const replace = await guest.write({
      session_id: created.session_id,
      items: [line(a, 1), line(b, 1), line(c, 1)],
    });
    expectError(replace, 422, 'CART_LIMIT_EXCEEDED', [{ limit: 'max_lines', max: 2 }]);
    const create = await guest.write({ items: [line(a, 1), line(b, 1), line(c, 1)] });
    expectError(create, 422, 'CART_LIMIT_EXCEEDED', [{ limit: 'max_lines', max: 2 }]);

    expect(await guest.sessionCount()).toBe(sessions);
    expect(await guest.storedLines(created.session_id)).toEqual(linesBefore);
    expect(withoutExpiry(await guest.read(created.session_id))).toEqual(withoutExpiry(before));
  });

  it('refuses a quantity above MAX_LINE_QUANTITY with 422 CART_LIMIT_EXCEEDED, changing nothing', async () => {
    const a = await createProduct(t, { stock: 50 });
    const created = await guest.create([line(a, 2)]);
    const before = await guest.read(created.session_id);
    const sessions = await guest.sessionCount();

    const replace = await guest.write({ session_id: created.session_id, items: [line(a, 6)] });
    expectError(replace, 422, 'CART_LIMIT_EXCEEDED', [
      { limit: 'max_line_quantity', max: 5, product_id: a.id },
    ]);
    const create = await guest.write({ items: [line(a, 6)] });
    expectError(create, 422, 'CART_LIMIT_EXCEEDED', [
      { limit: 'max_line_quantity', max: 5, product_id: a.id },
    ]);

    expect(await guest.sessionCount()).toBe(sessions);
    expect(await guest.storedLines(created.session_id)).toEqual([{ productId: a.id, quantity: 2 }]);
    expect(withoutExpiry(await guest.read(created.session_id))).toEqual(withoutExpiry(before));
  });
});

describe('guest session TTL (GUEST_SESSION_TTL_DAYS=2)', () => {
  let t: TestApp;
  let guest: ReturnType<typeof guestCarts>;

  beforeAll(async () => {
    t = await createTestApp({ GUEST_SESSION_TTL_DAYS: '2' });
    guest = guestCarts(t);
  });
  afterEach(() => t.clock.reset());
  afterAll(() => t.close());

  it('sets expires_at to now + 2 days and slides it by 2 days on each read', async () => {
    const a = await createProduct(t);
    const created = await guest.create([line(a, 1)]);
    expect(Math.abs(Date.parse(created.expires_at) - (t.clock.now().getTime() + 2 * DAY_MS))).toBeLessThan(
      5_000,
    );

    t.clock.advanceDays(1.5);
    const read = await guest.read(created.session_id);
    expect(Math.abs(Date.parse(read.expires_at) - (t.clock.now().getTime() + 2 * DAY_MS))).toBeLessThan(
      5_000,
    );

    t.clock.advanceDays(1.5); // 3 days after creation, 1.5 after the last read
    expect(quantities(await guest.read(created.session_id))).toEqual([[a.id, 1]]);
  });

  it('expires a session after 3 days of inactivity', async () => {
    const a = await createProduct(t);
    const created = await guest.create([line(a, 1)]);
    t.clock.advanceDays(3);
    expectError(
      await t.request('GET', `/api/v1/cart/guest/${created.session_id}/`),
      410,
      'GUEST_SESSION_EXPIRED',
    );
    expectError(
      await guest.write({ session_id: created.session_id, items: [] }),
      410,
      'GUEST_SESSION_EXPIRED',
    );
  });
});
