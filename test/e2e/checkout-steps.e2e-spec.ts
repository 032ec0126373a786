import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { mailOutbox, orders, sandboxCharges } from '../../src/database/schema';
import { PaymentReconciler } from '../../src/modules/checkout/payment-reconciler';
import { CARD, guestOrderBody, SHIPPING } from '../support/fixtures';
import { expectError } from '../support/matchers';
import { TestApp } from '../support/test-app';
import { useShop } from '../support/use-shop';

/** Contract §6: orders placed in durable steps, the provider charged outside any transaction. */

async function ledger(t: TestApp, reference: string) {
  return t.database.db.select().from(sandboxCharges).where(eq(sandboxCharges.reference, reference));
}

describe('checkout steps (contract §6)', () => {
  const { t, api, db } = useShop();

  it('charges the provider once under the order id and records the charge on the paid order', async () => {
    const product = await api.product({ unit_price: 1250, stock: 5 });
    const sessionId = await api.guestCart([[product, 2]]);
    const res = await api.placeGuestOrder(guestOrderBody(sessionId));
    expect(res.status).toBe(201);
    const order = res.body.data.order;

    const [charge] = await ledger(t, order.id);
    expect(charge).toMatchObject({ amount: 2500, currency: 'USD', refundedAt: null });
    const [row] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(row).toMatchObject({ status: 'paid', paymentReference: charge.chargeId, pendingCartId: null });
    expect(await db.history(order.id)).toEqual(['paid']);
  });

  it('keeps money exact beyond 32 bits: 99 units at 100,000,000 each', async () => {
    const product = await api.product({ unit_price: 100_000_000, stock: 200 });
    const user = await api.user();
    await api.addToUserCart(user.token, [[product, 99]]);
    const res = await api.placeUserOrder(user.token, { shipping_address: SHIPPING, payment_info: CARD });
    expect(res.status).toBe(201);
    expect(res.body.data.order).toMatchObject({ subtotal: 9_900_000_000, total: 9_900_000_000 });
    expect(res.body.data.order.items[0]).toMatchObject({
      unit_price: 100_000_000,
      line_total: 9_900_000_000,
    });
    expect((await ledger(t, res.body.data.order.id))[0].amount).toBe(9_900_000_000);
  });

  it('never shows a payment_failed order: lookup answers 404 for its number, guest-stats do not count it', async () => {
    const stats = async () =>
      (await t.request('GET', '/api/v1/admin/guest-stats', { token: await api.adminToken() })).body.data
        .guest_orders;
    const before = await stats();
    const product = await api.product({ stock: 5 });
    const sessionId = await api.guestCart([[product, 1]]);
    const body = guestOrderBody(sessionId, undefined, {
      payment_info: { method: 'card', token: 'tok_chargeDeclined' },
    });
    expectError(await api.placeGuestOrder(body), 402, 'PAYMENT_DECLINED');
    const [failed] = await db.ordersOfSession(sessionId);
    expect(failed.status).toBe('payment_failed');
    expectError(
      await api.lookup('POST', body.customer_info.email, failed.orderNumber),
      404,
      'ORDER_NOT_FOUND',
    );
    expect(await stats()).toBe(before);
  });
});

describe('checkout when the provider answers too late (PAYMENT_TIMEOUT_MS < provider latency)', () => {
  const { t, api, db } = useShop({ PAYMENT_SANDBOX_LATENCY_MS: '300', PAYMENT_TIMEOUT_MS: '100' });

  /** A guest order whose charge answer is lost: 503, the order left awaiting payment. */
  async function lostAnswer(key?: string) {
    const product = await api.product({ stock: 5 });
    const sessionId = await api.guestCart([[product, 2]]);
    const body = guestOrderBody(sessionId);
    const headers = key === undefined ? undefined : { 'idempotency-key': key };
    const first = await api.placeGuestOrder(body, { headers });
    expectError(first, 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
    const [awaiting] = await db.ordersOfSession(sessionId);
    return { product, sessionId, body, headers, awaiting };
  }

  it('answers 503, keeps the cart and shows no order while the payment is unsettled', async () => {
    const { product, sessionId, body, awaiting } = await lostAnswer();
    expect(awaiting).toMatchObject({ status: 'awaiting_payment', pendingCartId: expect.any(String) });
    expect(await db.guestLines(sessionId)).toEqual([{ productId: product.id, quantity: 2 }]);
    expect(await db.stock(product.id)).toBe(3); // held by the order until it is settled
    expectError(
      await api.lookup('POST', body.customer_info.email, awaiting.orderNumber),
      404,
      'ORDER_NOT_FOUND',
    );
  });

  it('refuses a second checkout of the same cart while the first waits for its payment (409)', async () => {
    const { sessionId, body } = await lostAnswer();
    expectError(await api.placeGuestOrder(body), 409, 'REQUEST_IN_PROGRESS');
    expect(await db.ordersOfSession(sessionId)).toHaveLength(1);
  });

  it('finishes that same order on a retry with the same Idempotency-Key: one order, one charge', async () => {
    const { sessionId, body, headers, awaiting } = await lostAnswer(randomUUID());
    await new Promise((resolve) => setTimeout(resolve, 400)); // the late charge lands
    const retry = await api.placeGuestOrder(body, { headers });

    expect(retry.status).toBe(201);
    expect(retry.body.data.order).toMatchObject({ id: awaiting.id, status: 'paid' });
    expect(await ledger(t, awaiting.id)).toHaveLength(1);
    expect(await db.ordersOfSession(sessionId)).toHaveLength(1);
    expect(await db.guestLines(sessionId)).toEqual([]);
    const again = await api.placeGuestOrder(body, { headers });
    expect(again.raw).toBe(retry.raw);
  });

  it('lets the reconciler complete an order whose charge landed after the request gave up', async () => {
    const { product, sessionId, body, awaiting } = await lostAnswer();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const reconciler = t.app.get(PaymentReconciler);

    await reconciler.reconcileDue();
    expect((await db.ordersOfSession(sessionId))[0].status).toBe('awaiting_payment'); // too young to touch
    t.clock.advance(60_000);
    // the earlier tests' unsettled orders are completed too: every late charge here landed
    expect(await reconciler.reconcileDue()).toMatchObject({ completed: expect.any(Number), released: 0 });

    const [paid] = await db.ordersOfSession(sessionId);
    expect(paid).toMatchObject({ id: awaiting.id, status: 'paid', pendingCartId: null });
    expect(await db.history(paid.id)).toEqual(['paid']);
    expect(await db.guestLines(sessionId)).toEqual([]);
    expect(await db.stock(product.id)).toBe(3);
    const mails = await t.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, body.customer_info.email));
    expect(mails).toHaveLength(1);
    expect((await api.lookup('POST', body.customer_info.email, paid.orderNumber)).status).toBe(200);
  });
});
