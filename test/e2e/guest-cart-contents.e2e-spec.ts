import { sql } from 'drizzle-orm';
import { DAY_MS, line } from '../support/fixtures';
import { anyIsoTime, anyUuid, quantities, UUID_V4 } from '../support/matchers';
import { withoutExpiry } from '../support/refusals';
import { useShop } from '../support/use-shop';

describe('guest carts: create, replace and read (contract §4)', () => {
  const { t, api, db } = useShop({}, { trailingSlash: true });

  describe('POST /api/v1/cart/guest/ without session_id', () => {
    it('creates a session (UUID v4) and its cart with 201 in the contract shape', async () => {
      const hoodie = await api.product({ name: 'Hoodie', unit_price: 4999, stock: 10 });
      const mug = await api.product({ name: 'Mug', unit_price: 1250, stock: 5 });
      const res = await api.writeGuestCart({ items: [line(hoodie, 2), line(mug, 1)] });

      expect(res.status).toBe(201);
      const sessionId = res.body.data.session_id;
      expect(sessionId).toMatch(UUID_V4);
      expect(res.body).toEqual({
        success: true,
        data: {
          session_id: sessionId,
          cart: {
            id: anyUuid(),
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
            updated_at: anyIsoTime(),
            session_id: sessionId,
            expires_at: anyIsoTime(),
          },
        },
      });
      const row = await db.sessionRow(sessionId);
      expect(row).toBeDefined();
      expect(await db.guestLines(sessionId)).toEqual(
        [
          { productId: hoodie.id, quantity: 2 },
          { productId: mug.id, quantity: 1 },
        ].sort((a, b) => a.productId.localeCompare(b.productId)),
      );
    });

    it('sets expires_at to now + 30 days (the default GUEST_SESSION_TTL_DAYS)', async () => {
      const product = await api.product();
      const cart = await api.newGuestCart([line(product, 1)]);
      const expected = t.clock.now().getTime() + 30 * DAY_MS;
      expect(Math.abs(Date.parse(cart.expires_at) - expected)).toBeLessThan(5_000);
      const row = await db.sessionRow(cart.session_id);
      expect(row.expiresAt.toISOString()).toBe(cart.expires_at);
    });

    it('gives every new session its own id and cart', async () => {
      const product = await api.product();
      const first = await api.newGuestCart([line(product, 1)]);
      const second = await api.newGuestCart([line(product, 1)]);
      expect(second.session_id).not.toBe(first.session_id);
      expect(second.id).not.toBe(first.id);
    });

    it('creates a session with an empty cart from an empty list', async () => {
      const cart = await api.newGuestCart([]);
      expect(cart).toMatchObject({ items: [], item_count: 0, subtotal: 0 });
      expect(await db.sessionRow(cart.session_id)).toBeDefined();
    });

    it('works without the trailing slash', async () => {
      const product = await api.product();
      const res = await api.writeGuestCart({ items: [line(product, 1)] }, { trailingSlash: false });
      expect(res.status).toBe(201);
      expect(quantities(res.body.data.cart)).toEqual([[product.id, 1]]);
    });
  });

  describe('POST /api/v1/cart/guest/ with session_id (replace)', () => {
    it('replaces the content with 200: lines not in the new list disappear', async () => {
      const a = await api.product();
      const b = await api.product();
      const c = await api.product();
      const created = await api.newGuestCart([line(a, 1), line(b, 2)]);

      const res = await api.writeGuestCart({
        session_id: created.session_id,
        items: [line(b, 3), line(c, 1)],
      });
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(res.body.data.session_id).toBe(created.session_id);
      const cart = res.body.data.cart;
      expect(cart.id).toBe(created.id);
      expect(cart.session_id).toBe(created.session_id);
      expect(quantities(cart)).toEqual([
        [b.id, 3],
        [c.id, 1],
      ]);
      expect(cart.item_count).toBe(4);
      expect(await db.guestLines(created.session_id)).toEqual(
        [
          { productId: b.id, quantity: 3 },
          { productId: c.id, quantity: 1 },
        ].sort((x, y) => x.productId.localeCompare(y.productId)),
      );
      expect(withoutExpiry(await api.guestCartOf(created.session_id))).toEqual(withoutExpiry(cart));
    });

    it('keeps the lines in the order they were written, whatever their product ids', async () => {
      const products = await Promise.all([1, 2, 3, 4].map(() => api.product()));
      // reverse id order, so neither id order nor insertion by id could pass by chance
      const given = [...products].sort((x, y) => y.id.localeCompare(x.id));
      const created = await api.newGuestCart(given.map((product, i) => line(product, i + 1)));
      const expected = given.map((product, i): [string, number] => [product.id, i + 1]);
      expect(quantities(created)).toEqual(expected);
      expect(quantities(await api.guestCartOf(created.session_id))).toEqual(expected);

      const rewritten = [given[2], given[0], given[3]];
      const res = await api.writeGuestCart({
        session_id: created.session_id,
        items: rewritten.map((product) => line(product, 2)),
      });
      const expectedAfter = rewritten.map((product): [string, number] => [product.id, 2]);
      expect(quantities(res.body.data.cart)).toEqual(expectedAfter);
      expect(quantities(await api.guestCartOf(created.session_id))).toEqual(expectedAfter);
    });

    it('empties the cart when given an empty list', async () => {
      const a = await api.product();
      const created = await api.newGuestCart([line(a, 2)]);
      const res = await api.writeGuestCart({ session_id: created.session_id, items: [] });
      expect(res.status).toBe(200);
      expect(res.body.data.cart).toMatchObject({ items: [], item_count: 0, subtotal: 0 });
      expect(await db.guestLines(created.session_id)).toEqual([]);
      expect((await api.guestCartOf(created.session_id)).items).toEqual([]);
    });

    it('is idempotent: the same body twice gives the same cart', async () => {
      const a = await api.product({ unit_price: 300 });
      const b = await api.product({ unit_price: 700 });
      const created = await api.newGuestCart([line(a, 5)]);
      const body = { session_id: created.session_id, items: [line(a, 1), line(b, 2)] };

      const first = await api.writeGuestCart(body);
      const second = await api.writeGuestCart(body);
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      const { updated_at: _u1, expires_at: _e1, ...firstCart } = first.body.data.cart;
      const { updated_at: _u2, expires_at: _e2, ...secondCart } = second.body.data.cart;
      expect(secondCart).toEqual(firstCart);
      expect(quantities(secondCart)).toEqual([
        [a.id, 1],
        [b.id, 2],
      ]);
      expect(secondCart.subtotal).toBe(1700);
      expect(await db.guestLines(created.session_id)).toHaveLength(2);
    });

    it('works without the trailing slash', async () => {
      const a = await api.product();
      const created = await api.newGuestCart([line(a, 1)]);
      const res = await api.writeGuestCart(
        { session_id: created.session_id, items: [line(a, 3)] },
        { trailingSlash: false },
      );
      expect(res.status).toBe(200);
      expect(quantities(res.body.data.cart)).toEqual([[a.id, 3]]);
    });
  });

  describe('GET /api/v1/cart/guest/{session_id}/', () => {
    it('returns {session_id, cart, items} with items equal to cart.items', async () => {
      const a = await api.product({ unit_price: 250 });
      const created = await api.newGuestCart([line(a, 4)]);
      const res = await api.readGuestCart(created.session_id);
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(Object.keys(res.body.data).sort()).toEqual(['cart', 'items', 'session_id']);
      expect(res.body.data.session_id).toBe(created.session_id);
      expect(res.body.data.items).toEqual(res.body.data.cart.items);
      expect(withoutExpiry(res.body.data.cart)).toEqual(withoutExpiry(created));
      expect(res.body.data.cart.items[0]).toMatchObject({ quantity: 4, unit_price: 250, line_total: 1000 });
    });

    it('works without the trailing slash', async () => {
      const a = await api.product();
      const created = await api.newGuestCart([line(a, 1)]);
      const res = await api.readGuestCart(created.session_id, { trailingSlash: false });
      expect(res.status).toBe(200);
      expect(quantities(res.body.data.cart)).toEqual([[a.id, 1]]);
    });
  });

  describe('reads never change items', () => {
    it('shows a deactivated product as unavailable (available_quantity 0) with the quantity kept', async () => {
      const a = await api.product({ stock: 10 });
      const created = await api.newGuestCart([line(a, 4)]);
      await api.updateProduct(a.id, { is_active: false });

      const res = await api.readGuestCart(created.session_id);
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items).toEqual([
        expect.objectContaining({ product_id: a.id, quantity: 4, available: false, available_quantity: 0 }),
      ]);
      expect(res.body.data.items).toEqual(res.body.data.cart.items);
      expect(await db.guestLines(created.session_id)).toEqual([{ productId: a.id, quantity: 4 }]);
      // a second read still shows the line: the first one did not drop it
      expect(quantities(await api.guestCartOf(created.session_id))).toEqual([[a.id, 4]]);
    });

    it('shows a line short of stock as unavailable with the units left, quantity kept', async () => {
      const a = await api.product({ stock: 10 });
      const b = await api.product({ stock: 10 });
      const created = await api.newGuestCart([line(a, 5), line(b, 2)]);
      await api.updateProduct(a.id, { stock: 3 });

      const cart = await api.guestCartOf(created.session_id);
      expect(cart.items).toEqual([
        expect.objectContaining({ product_id: a.id, quantity: 5, available: false, available_quantity: 3 }),
        expect.objectContaining({ product_id: b.id, quantity: 2, available: true, available_quantity: 10 }),
      ]);
      expect(cart.item_count).toBe(7);
      expect(await db.guestLines(created.session_id)).toEqual(
        [
          { productId: a.id, quantity: 5 },
          { productId: b.id, quantity: 2 },
        ].sort((x, y) => x.productId.localeCompare(y.productId)),
      );
    });
  });

  it('keeps sessions isolated: two sessions do not see each other’s items', async () => {
    const a = await api.product();
    const b = await api.product();
    const first = await api.newGuestCart([line(a, 1)]);
    const second = await api.newGuestCart([line(b, 2)]);

    expect(quantities(await api.guestCartOf(first.session_id))).toEqual([[a.id, 1]]);
    expect(quantities(await api.guestCartOf(second.session_id))).toEqual([[b.id, 2]]);

    const replaced = await api.writeGuestCart({ session_id: second.session_id, items: [line(a, 3)] });
    expect(replaced.status).toBe(200);
    expect(quantities(await api.guestCartOf(first.session_id))).toEqual([[a.id, 1]]);
    expect(quantities(await api.guestCartOf(second.session_id))).toEqual([[a.id, 3]]);
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

    const created = await api.newGuestCart([]);
    const row = await db.sessionRow(created.session_id);
    expect(row).toEqual({
      id: created.session_id,
      createdAt: expect.any(Date),
      lastActivityAt: expect.any(Date),
      expiresAt: new Date(created.expires_at),
    });
  });
});
