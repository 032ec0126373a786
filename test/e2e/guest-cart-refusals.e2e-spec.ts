import { randomUUID } from 'node:crypto';
import { CreatedProduct } from '../support/factories';
import { line } from '../support/fixtures';
import { expectError, quantities } from '../support/matchers';
import { expectGuestCartUnchanged, expectNothingCreated, withoutExpiry } from '../support/refusals';
import { useShop } from '../support/use-shop';

describe('guest carts: refused requests change nothing (contract §4)', () => {
  const { api, db } = useShop({}, { trailingSlash: true });

  describe('malformed ids (400)', () => {
    it('refuses a malformed session id in the path without touching the database', async () => {
      const sessions = await db.sessionCount();
      for (const id of ['not-a-uuid', '123', `${randomUUID()}x`]) {
        const res = await api.readGuestCart(id);
        expectError(res, 400, 'VALIDATION_FAILED', [
          { field: 'session_id', message: 'session_id must be a UUID' },
        ]);
      }
      expect(await db.sessionCount()).toBe(sessions);
    });

    it('refuses a malformed or null session_id in the body and creates nothing', async () => {
      const a = await api.product();
      await expectNothingCreated(db, async () => {
        for (const sessionId of ['not-a-uuid', 42, '', null]) {
          const res = await api.writeGuestCart({ session_id: sessionId, items: [line(a, 1)] });
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
      const res = await api.readGuestCart(id);
      expectError(res, 404, 'GUEST_SESSION_NOT_FOUND');
      expect(res.body.error.details).toBeUndefined();
      expect(await db.sessionRow(id)).toBeUndefined();
    });

    it('answers POST with 404 GUEST_SESSION_NOT_FOUND and creates nothing', async () => {
      const a = await api.product();
      const id = randomUUID();
      await expectNothingCreated(db, async () => {
        const res = await api.writeGuestCart({ session_id: id, items: [line(a, 1)] });
        expectError(res, 404, 'GUEST_SESSION_NOT_FOUND');
        expect(res.body.error.details).toBeUndefined();
      });
      expect(await db.sessionRow(id)).toBeUndefined();
    });
  });

  describe('refused content leaves the cart exactly as it was', () => {
    let a: CreatedProduct;
    let b: CreatedProduct;
    let sessionId: string;

    beforeEach(async () => {
      a = await api.product({ stock: 10 });
      b = await api.product({ stock: 10 });
      sessionId = (await api.newGuestCart([line(a, 2)])).session_id;
    });

    it('refuses the same product_id twice with 400', async () => {
      const expected = [{ field: 'items', message: 'items must not repeat a product_id' }];
      await expectGuestCartUnchanged(api, db, sessionId, async () => {
        const res = await api.writeGuestCart({ session_id: sessionId, items: [line(b, 1), line(b, 2)] });
        expectError(res, 400, 'VALIDATION_FAILED', expected);
      });
      await expectNothingCreated(db, async () => {
        expectError(
          await api.writeGuestCart({ items: [line(b, 1), line(b, 1)] }),
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
      await expectGuestCartUnchanged(api, db, sessionId, async () => {
        const res = await api.writeGuestCart({
          session_id: sessionId,
          items: [line(a, 1), line(b, quantity)],
        });
        expectError(res, 400, 'VALIDATION_FAILED', fieldProblem);
      });
      await expectNothingCreated(db, async () => {
        const res = await api.writeGuestCart({ items: [line(a, 1), line(b, quantity)] });
        expectError(res, 400, 'VALIDATION_FAILED', fieldProblem);
      });
    });

    it('refuses a missing items list with 400', async () => {
      const itemsProblem = expect.arrayContaining([expect.objectContaining({ field: 'items' })]);
      await expectGuestCartUnchanged(api, db, sessionId, async () => {
        expectError(
          await api.writeGuestCart({ session_id: sessionId }),
          400,
          'VALIDATION_FAILED',
          itemsProblem,
        );
      });
      await expectNothingCreated(db, async () => {
        expectError(await api.writeGuestCart({}), 400, 'VALIDATION_FAILED', itemsProblem);
      });
    });

    it('refuses an unknown field, at the top or in a line, with 400', async () => {
      await expectGuestCartUnchanged(api, db, sessionId, async () => {
        const top = await api.writeGuestCart({ session_id: sessionId, items: [line(b, 1)], coupon: 'FREE' });
        expectError(top, 400, 'VALIDATION_FAILED', [
          { field: 'coupon', message: 'coupon is not an allowed field' },
        ]);
        const nested = await api.writeGuestCart({
          session_id: sessionId,
          items: [{ ...line(b, 1), unit_price: 1 }],
        });
        expectError(nested, 400, 'VALIDATION_FAILED', [
          { field: 'items.0.unit_price', message: 'items.0.unit_price is not an allowed field' },
        ]);
      });
      await expectNothingCreated(db, async () => {
        const res = await api.writeGuestCart({ items: [line(b, 1)], email: 'guest@example.com' });
        expectError(res, 400, 'VALIDATION_FAILED', [
          { field: 'email', message: 'email is not an allowed field' },
        ]);
      });
    });

    it('refuses an unknown or inactive product with 422 PRODUCT_UNAVAILABLE listing them', async () => {
      const inactive = await api.product({ is_active: false });
      const ghost = randomUUID();
      await expectGuestCartUnchanged(api, db, sessionId, async () => {
        const res = await api.writeGuestCart({
          session_id: sessionId,
          items: [line(b, 1), line(ghost, 1), line(inactive, 1)],
        });
        expectError(res, 422, 'PRODUCT_UNAVAILABLE', [{ product_id: ghost }, { product_id: inactive.id }]);
      });
      await expectNothingCreated(db, async () => {
        expectError(await api.writeGuestCart({ items: [line(inactive, 1)] }), 422, 'PRODUCT_UNAVAILABLE', [
          { product_id: inactive.id },
        ]);
        expectError(await api.writeGuestCart({ items: [line(ghost, 1)] }), 422, 'PRODUCT_UNAVAILABLE', [
          { product_id: ghost },
        ]);
      });
    });

    it('refuses a quantity above stock with 409 INSUFFICIENT_STOCK and the numbers', async () => {
      const scarce = await api.product({ stock: 3 });
      await expectGuestCartUnchanged(api, db, sessionId, async () => {
        const res = await api.writeGuestCart({ session_id: sessionId, items: [line(a, 1), line(scarce, 4)] });
        expectError(res, 409, 'INSUFFICIENT_STOCK', [{ product_id: scarce.id, requested: 4, available: 3 }]);
      });
      await expectNothingCreated(db, async () => {
        const res = await api.writeGuestCart({ items: [line(scarce, 5)] });
        expectError(res, 409, 'INSUFFICIENT_STOCK', [{ product_id: scarce.id, requested: 5, available: 3 }]);
      });
    });

    it('accepts exactly the stock left', async () => {
      const scarce = await api.product({ stock: 3 });
      const res = await api.writeGuestCart({ session_id: sessionId, items: [line(scarce, 3)] });
      expect(res.status).toBe(200);
      expect(res.body.data.cart.items[0]).toMatchObject({
        quantity: 3,
        available: true,
        available_quantity: 3,
      });
    });
  });

  describe('a merged guest cart', () => {
    it('refuses writes with 409 GUEST_CART_ALREADY_MERGED and stays empty', async () => {
      const a = await api.product();
      const b = await api.product();
      const created = await api.newGuestCart([line(a, 2)]);
      const user = await api.user();
      const merge = await api.merge(user.token, { guest_session_id: created.session_id });
      expect(merge.status).toBe(200);
      const userCartBefore = await api.userCart(user.token);
      expect(quantities(userCartBefore.body.data.cart)).toEqual([[a.id, 2]]);

      await expectGuestCartUnchanged(api, db, created.session_id, async () => {
        for (const items of [[line(b, 1)], []]) {
          const res = await api.writeGuestCart({ session_id: created.session_id, items });
          expectError(res, 409, 'GUEST_CART_ALREADY_MERGED');
        }
      });
      expect((await api.guestCartOf(created.session_id)).items).toEqual([]);
      const userCartAfter = await api.userCart(user.token);
      expect(userCartAfter.body.data.cart).toEqual(userCartBefore.body.data.cart);
      expect(await db.mergeLogs(created.session_id)).toHaveLength(1);
    });
  });
});

describe('guest cart limits (MAX_CART_LINES=2, MAX_LINE_QUANTITY=5)', () => {
  const { api, db } = useShop({ MAX_CART_LINES: '2', MAX_LINE_QUANTITY: '5' }, { trailingSlash: true });

  it('accepts exactly MAX_CART_LINES lines of MAX_LINE_QUANTITY', async () => {
    const a = await api.product({ stock: 50 });
    const b = await api.product({ stock: 50 });
    const cart = await api.newGuestCart([line(a, 5), line(b, 5)]);
    expect(cart.item_count).toBe(10);
  });

  it('refuses more than MAX_CART_LINES lines with 422 CART_LIMIT_EXCEEDED, changing nothing', async () => {
    const a = await api.product({ stock: 50 });
    const b = await api.product({ stock: 50 });
    const c = await api.product({ stock: 50 });
    const created = await api.newGuestCart([line(a, 1)]);
    const before = await api.guestCartOf(created.session_id);
    const linesBefore = await db.guestLines(created.session_id);
    const sessions = await db.sessionCount();

    const replace = await api.writeGuestCart({
      session_id: created.session_id,
      items: [line(a, 1), line(b, 1), line(c, 1)],
    });
    expectError(replace, 422, 'CART_LIMIT_EXCEEDED', [{ limit: 'max_lines', max: 2 }]);
    const create = await api.writeGuestCart({ items: [line(a, 1), line(b, 1), line(c, 1)] });
    expectError(create, 422, 'CART_LIMIT_EXCEEDED', [{ limit: 'max_lines', max: 2 }]);

    expect(await db.sessionCount()).toBe(sessions);
    expect(await db.guestLines(created.session_id)).toEqual(linesBefore);
    expect(withoutExpiry(await api.guestCartOf(created.session_id))).toEqual(withoutExpiry(before));
  });

  it('refuses a quantity above MAX_LINE_QUANTITY with 422 CART_LIMIT_EXCEEDED, changing nothing', async () => {
    const a = await api.product({ stock: 50 });
    const created = await api.newGuestCart([line(a, 2)]);
    const before = await api.guestCartOf(created.session_id);
    const sessions = await db.sessionCount();

    const replace = await api.writeGuestCart({ session_id: created.session_id, items: [line(a, 6)] });
    expectError(replace, 422, 'CART_LIMIT_EXCEEDED', [
      { limit: 'max_line_quantity', max: 5, product_id: a.id },
    ]);
    const create = await api.writeGuestCart({ items: [line(a, 6)] });
    expectError(create, 422, 'CART_LIMIT_EXCEEDED', [
      { limit: 'max_line_quantity', max: 5, product_id: a.id },
    ]);

    expect(await db.sessionCount()).toBe(sessions);
    expect(await db.guestLines(created.session_id)).toEqual([{ productId: a.id, quantity: 2 }]);
    expect(withoutExpiry(await api.guestCartOf(created.session_id))).toEqual(withoutExpiry(before));
  });
});
