import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { mailOutbox, orders, orderStatusHistory, sandboxCharges } from '../../src/database/schema';
import { PaymentReconciler } from '../../src/modules/checkout/payment-reconciler';
import { guestCartLines, ordersOfSession, productStock } from '../support/db-reads';
import {
  adminToken,
  createGuestCart,
  createProduct,
  guestOrderBody,
  placeGuestOrder,
  putUserCartItem,
  registerUser,
} from '../support/factories';
import { expectError } from '../support/responses';
import { createTestApp, TestApp } from '../support/test-app';

/** Contract §6: orders placed in durable steps, the provider charged outside any transaction. */

async function ledger(t: TestApp, reference: string) {
  return t.database.db.select().from(sandboxCharges).where(eq(sandboxCharges.reference, reference));
}

async function historyOf(t: TestApp, orderId: string): Promise<string[]> {
  const rows = await t.database.db
    .select({ status: orderStatusHistory.status })
    .from(orderStatusHistory)
    .where(eq(orderStatusHistory.orderId, orderId));
  return rows.map((row) => row.status);
}

function lookup(t: TestApp, email: string, orderNumber: string) {
  return t.request('POST', '/api/v1/orders/guest-lookup', { body: { email, order_number: orderNumber } });
}

describe('checkout steps (contract §6)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('charges the provider once under the order id and records the charge on the paid order', async () => {
    const product = await createProduct(t, { unit_price: 1250, stock: 5 });
    const sessionId = await createGuestCart(t, [[product, 2]]);
    const res = await placeGuestOrder(t, guestOrderBody(sessionId));
    expect(res.status).toBe(201);
    const order = res.body.data.order;

    const [charge] = await ledger(t, order.id);
    expect(charge).toMatchObject({ amount: 2500, currency: 'USD', refundedAt: null });
    const [row] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(row).toMatchObject({ status: 'paid', paymentReference: charge.chargeId, pendingCartId: null });
    expect(await historyOf(t, order.id)).toEqual(['paid']);
  });

  it('keeps money exact beyond 32 bits: 99 units at 100,000,000 each', async () => {
    const product = await createProduct(t, { unit_price: 100_000_000, stock: 200 });
    const user = await registerUser(t);
    await putUserCartItem(t, user.token, product, 99);
    const res = await t.request('POST', '/api/v1/orders', {
      token: user.token,
      body: {
        shipping_address: guestOrderBody('x').shipping_address,
        payment_info: { method: 'card', token: 'tok_visa' },
      },
    });
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
      (await t.request('GET', '/api/v1/admin/guest-stats', { token: await adminToken(t) })).body.data
        .guest_orders;
    const before = await stats();
    const product = await createProduct(t, { stock: 5 });
    const sessionId = await createGuestCart(t, [[product, 1]]);
    const body = guestOrderBody(sessionId, undefined, {
      payment_info: { method: 'card', token: 'tok_chargeDeclined' },
    });
    expectError(await placeGuestOrder(t, body), 402, 'PAYMENT_DECLINED');
    const [failed] = await ordersOfSession(t, sessionId);
    expect(failed.status).toBe('payment_failed');
    expectError(await lookup(t, body.customer_info.email, failed.orderNumber), 404, 'ORDER_NOT_FOUND');
    expect(await stats()).toBe(before);
  });
});

describe('checkout when the provider answers too late (PAYMENT_TIMEOUT_MS < provider latency)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ PAYMENT_SANDBOX_LATENCY_MS: '300', PAYMENT_TIMEOUT_MS: '100' });
  });
  afterAll(() => t.close());

  /** A guest order whose charge answer is lost: 503, the order left awaiting payment. */
  async function lostAnswer(key?: string) {
    const product = await createProduct(t, { stock: 5 });
    const sessionId = await createGuestCart(t, [[product, 2]]);
    const body = guestOrderBody(sessionId);
    const headers = key === undefined ? undefined : { 'idempotency-key': key };
    const first = await placeGuestOrder(t, body, { headers });
    expectError(first, 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
    const [awaiting] = await ordersOfSession(t, sessionId);
    return { product, sessionId, body, headers, awaiting };
  }

  it('answers 503, keeps the cart and shows no order while the payment is unsettled', async () => {
    const { product, sessionId, body, awaiting } = await lostAnswer();
    expect(awaiting).toMatchObject({ status: 'awaiting_payment', pendingCartId: expect.any(String) });
    expect(await guestCartLines(t, sessionId)).toEqual([{ productId: product.id, quantity: 2 }]);
    expect(await productStock(t, product.id)).toBe(3); // held by the order until it is settled
    expectError(await lookup(t, body.customer_info.email, awaiting.orderNumber), 404, 'ORDER_NOT_FOUND');
  });

  it('refuses a second checkout of the same cart while the first waits for its payment (409)', async () => {
    const { sessionId, body } = await lostAnswer();
    expectError(await placeGuestOrder(t, body), 409, 'REQUEST_IN_PROGRESS');
    expect(await ordersOfSession(t, sessionId)).toHaveLength(1);
  });

  it('finishes that same order on a retry with the same Idempotency-Key: one order, one charge', async () => {
    const { sessionId, body, headers, awaiting } = await lostAnswer(randomUUID());
    await new Promise((resolve) => setTimeout(resolve, 400)); // the late charge lands
    const retry = await placeGuestOrder(t, body, { headers });

    expect(retry.status).toBe(201);
    expect(retry.body.data.order).toMatchObject({ id: awaiting.id, status: 'paid' });
    expect(await ledger(t, awaiting.id)).toHaveLength(1);
    expect(await ordersOfSession(t, sessionId)).toHaveLength(1);
    expect(await guestCartLines(t, sessionId)).toEqual([]);
    const again = await placeGuestOrder(t, body, { headers });
    expect(again.raw).toBe(retry.raw);
  });

  it('lets the reconciler complete an order whose charge landed after the request gave up', async () => {
    const { product, sessionId, body, awaiting } = await lostAnswer();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const reconciler = t.app.get(PaymentReconciler);

    await reconciler.reconcileDue();
    expect((await ordersOfSession(t, sessionId))[0].status).toBe('awaiting_payment'); // too young to touch
    t.clock.advance(60_000);
    // the earlier tests' unsettled orders are completed too: every late charge here landed
    expect(await reconciler.reconcileDue()).toMatchObject({ completed: expect.any(Number), released: 0 });

    const [paid] = await ordersOfSession(t, sessionId);
    expect(paid).toMatchObject({ id: awaiting.id, status: 'paid', pendingCartId: null });
    expect(await historyOf(t, paid.id)).toEqual(['paid']);
    expect(await guestCartLines(t, sessionId)).toEqual([]);
    expect(await productStock(t, product.id)).toBe(3);
    const mails = await t.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, body.customer_info.email));
    expect(mails).toHaveLength(1);
    expect((await lookup(t, body.customer_info.email, paid.orderNumber)).status).toBe(200);
  });
});
