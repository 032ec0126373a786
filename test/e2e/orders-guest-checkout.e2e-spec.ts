import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { orderItems } from '../../src/database/schema';
import { guestOrderBody, SHIPPING } from '../support/fixtures';
import { expectError } from '../support/matchers';
import { expectCheckoutRefused } from '../support/refusals';
import { useShop } from '../support/use-shop';

/** Placing a guest order and every way it is refused (contract §6); its confirmation mail is in orders-guest-confirmation. */
describe('guest checkout (contract §6)', () => {
  const { t, api, db } = useShop({}, { trailingSlash: true });

  it('keeps every line of an order exactly, names with quotes, braces, commas and backslashes included', async () => {
    const awkwardName = 'Mug "Deluxe", {red} \\ blue; ü 🍵 \'NULL\'';
    const awkward = await api.product({ name: awkwardName, unit_price: 1234 });
    const plain = await api.product({ name: 'NULL', unit_price: 500 });
    const sessionId = await api.guestCart([
      [plain, 2],
      [awkward, 1],
    ]);
    const res = await api.placeGuestOrder(guestOrderBody(sessionId));
    expect(res.status).toBe(201);
    const expected = [
      { product_id: plain.id, name: 'NULL', quantity: 2, unit_price: 500, line_total: 1000 },
      { product_id: awkward.id, name: awkwardName, quantity: 1, unit_price: 1234, line_total: 1234 },
    ];
    expect(res.body.data.order.items).toEqual(expected.map((item) => expect.objectContaining(item)));
    const lookup = await api.lookup('POST', res.body.data.order.email, res.body.data.order.order_number);
    expect(lookup.body.data.order.items).toEqual(expected.map((item) => expect.objectContaining(item)));
  });

  describe('refused guest checkouts leave stock, cart and orders as they were', () => {
    it('answers 422 CART_EMPTY for an empty guest cart', async () => {
      const sessionId = await api.guestCart([]);
      await expectCheckoutRefused(
        db,
        [],
        sessionId,
        () => api.placeGuestOrder(guestOrderBody(sessionId)),
        422,
        'CART_EMPTY',
      );
    });

    it('answers 422 CART_EMPTY when the same cart is ordered a second time', async () => {
      const product = await api.product({ stock: 5 });
      const sessionId = await api.guestCart([[product, 1]]);
      expect((await api.placeGuestOrder(guestOrderBody(sessionId))).status).toBe(201);
      await expectCheckoutRefused(
        db,
        [product.id],
        sessionId,
        () => api.placeGuestOrder(guestOrderBody(sessionId)),
        422,
        'CART_EMPTY',
      );
      expect(await db.stock(product.id)).toBe(4);
    });

    it('answers 409 INSUFFICIENT_STOCK with per-product details when stock fell below the cart quantity', async () => {
      const plenty = await api.product({ stock: 10 });
      const scarce = await api.product({ stock: 5 });
      const sessionId = await api.guestCart([
        [plenty, 2],
        [scarce, 3],
      ]);
      await api.updateProduct(scarce.id, { stock: 1 });
      await expectCheckoutRefused(
        db,
        [plenty.id, scarce.id],
        sessionId,
        () => api.placeGuestOrder(guestOrderBody(sessionId)),
        409,
        'INSUFFICIENT_STOCK',
        [{ product_id: scarce.id, requested: 3, available: 1 }],
      );
      expect(await db.stock(plenty.id)).toBe(10);
    });

    it('answers 422 PRODUCT_UNAVAILABLE when a product was deactivated after it was put in the cart', async () => {
      const kept = await api.product({ stock: 4 });
      const dropped = await api.product({ stock: 4 });
      const sessionId = await api.guestCart([
        [kept, 1],
        [dropped, 1],
      ]);
      await api.updateProduct(dropped.id, { is_active: false });
      const res = await expectCheckoutRefused(
        db,
        [kept.id, dropped.id],
        sessionId,
        () => api.placeGuestOrder(guestOrderBody(sessionId)),
        422,
        'PRODUCT_UNAVAILABLE',
      );
      expect(JSON.stringify(res.body.error.details)).toContain(dropped.id);
      expect(JSON.stringify(res.body.error.details)).not.toContain(kept.id);
    });

    it.each([
      ['tok_chargeDeclined', 402, 'PAYMENT_DECLINED'],
      ['tok_unavailable', 503, 'PAYMENT_PROVIDER_UNAVAILABLE'],
    ] as const)(
      'answers a %s payment with %i %s, gives the stock back and keeps only a payment_failed record',
      async (token, status, code) => {
        const product = await api.product({ stock: 3 });
        const sessionId = await api.guestCart([[product, 2]]);
        await expectCheckoutRefused(
          db,
          [product.id],
          sessionId,
          () =>
            api.placeGuestOrder(
              guestOrderBody(sessionId, undefined, { payment_info: { method: 'card', token } }),
            ),
          status,
          code,
        );
        const [failed] = await db.ordersOfSession(sessionId);
        expect(failed).toMatchObject({
          status: 'payment_failed',
          paymentFailure: token === 'tok_chargeDeclined' ? 'declined' : 'provider_unavailable',
          pendingCartId: null,
          paymentReference: null,
        });
        expect(await db.history(failed.id)).toEqual(['payment_failed']);
      },
    );

    it('refuses raw card data in payment_info with 400 and never echoes it', async () => {
      const product = await api.product({ stock: 3 });
      const sessionId = await api.guestCart([[product, 1]]);
      const res = await expectCheckoutRefused(
        db,
        [product.id],
        sessionId,
        () =>
          api.placeGuestOrder(
            guestOrderBody(sessionId, undefined, {
              payment_info: { method: 'card', token: 'tok_visa', number: '4242424242424242', cvc: '123' },
            }),
          ),
        400,
        'VALIDATION_FAILED',
      );
      expect(res.raw).not.toContain('4242424242424242');
    });

    it('refuses a country that is not ISO 3166-1 alpha-2 with 400', async () => {
      const product = await api.product({ stock: 3 });
      const sessionId = await api.guestCart([[product, 1]]);
      await expectCheckoutRefused(
        db,
        [product.id],
        sessionId,
        () =>
          api.placeGuestOrder(
            guestOrderBody(sessionId, undefined, { shipping_address: { ...SHIPPING, country: 'USA' } }),
          ),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('answers 404 GUEST_SESSION_NOT_FOUND for an unknown session', async () => {
      const product = await api.product({ stock: 3 });
      const sessionId = randomUUID();
      await expectCheckoutRefused(
        db,
        [product.id],
        sessionId,
        () => api.placeGuestOrder(guestOrderBody(sessionId)),
        404,
        'GUEST_SESSION_NOT_FOUND',
      );
    });

    it('answers 410 GUEST_SESSION_EXPIRED for a session idle for 31 days', async () => {
      const product = await api.product({ stock: 3 });
      const sessionId = await api.guestCart([[product, 2]]);
      t.clock.advanceDays(31);
      await expectCheckoutRefused(
        db,
        [product.id],
        sessionId,
        () => api.placeGuestOrder(guestOrderBody(sessionId)),
        410,
        'GUEST_SESSION_EXPIRED',
      );
    });

    it('answers 409 EMAIL_ALREADY_REGISTERED when the email belongs to an account, in any letter case', async () => {
      const user = await api.user();
      const product = await api.product({ stock: 3 });
      const sessionId = await api.guestCart([[product, 1]]);
      await expectCheckoutRefused(
        db,
        [product.id],
        sessionId,
        () => api.placeGuestOrder(guestOrderBody(sessionId, ` ${user.email.toUpperCase()} `)),
        409,
        'EMAIL_ALREADY_REGISTERED',
      );
    });
  });

  it('sells exactly the stock to concurrent checkouts: 5 units, 12 buyers → 5 orders and 7 × 409', async () => {
    const initialStock = 5;
    const product = await api.product({ stock: initialStock });
    const sessions = await Promise.all(Array.from({ length: 12 }, () => api.guestCart([[product, 1]])));

    const results = await Promise.all(
      sessions.map((sessionId) => api.placeGuestOrder(guestOrderBody(sessionId))),
    );

    const created = results.filter((res) => res.status === 201);
    const refused = results.filter((res) => res.status !== 201);
    expect(created).toHaveLength(5);
    expect(refused).toHaveLength(7);
    for (const res of refused) {
      expectError(res, 409, 'INSUFFICIENT_STOCK', [{ product_id: product.id, requested: 1, available: 0 }]);
    }
    expect(await db.stock(product.id)).toBe(0);
    const ordered = await t.database.db
      .select({ orderId: orderItems.orderId })
      .from(orderItems)
      .where(eq(orderItems.productId, product.id));
    expect(ordered).toHaveLength(5);
    expect(new Set(ordered.map((row) => row.orderId))).toEqual(
      new Set(created.map((res) => res.body.data.order.id)),
    );
    expect(initialStock).toBe((await db.stock(product.id)) + (await db.unitsInOpenOrders(product.id)));
    // the losers keep their carts, the winners' carts are empty
    const cartSizes = await Promise.all(sessions.map(async (id) => (await db.guestLines(id)).length));
    expect(cartSizes.filter((n) => n === 0)).toHaveLength(5);
    expect(cartSizes.filter((n) => n === 1)).toHaveLength(7);
  });

  it('orders a guest cart once when it is submitted twice at the same time without a key', async () => {
    const product = await api.product({ stock: 10 });
    const sessionId = await api.guestCart([[product, 3]]);

    const results = await Promise.all([
      api.placeGuestOrder(guestOrderBody(sessionId)),
      api.placeGuestOrder(guestOrderBody(sessionId)),
    ]);

    // the second one either finds the first waiting for its payment (409) or the cart already empty (422)
    const [placed, refused] = [...results].sort((a, b) => a.status - b.status);
    expect(placed.status).toBe(201);
    expect([
      ['409', 'REQUEST_IN_PROGRESS'],
      ['422', 'CART_EMPTY'],
    ]).toContainEqual([String(refused.status), refused.body.error.code]);
    expect(await db.ordersOfSession(sessionId)).toHaveLength(1);
    expect(await db.stock(product.id)).toBe(7);
  });
});
