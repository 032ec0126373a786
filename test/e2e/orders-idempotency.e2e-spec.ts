import { randomUUID } from 'node:crypto';
import { guestOrderBody } from '../support/fixtures';
import { expectError } from '../support/matchers';
import { expectCheckoutRefused } from '../support/refusals';
import { useShop } from '../support/use-shop';

describe('Idempotency-Key on guest orders (contract §6)', () => {
  const { api, db } = useShop({}, { trailingSlash: true });

  it('replays the first response byte for byte for the same key and body, without a second order', async () => {
    const product = await api.product({ stock: 5 });
    const sessionId = await api.guestCart([[product, 2]]);
    const body = guestOrderBody(sessionId);
    const key = randomUUID();

    const first = await api.placeGuestOrder(body, { key });
    const second = await api.placeGuestOrder(body, { key });

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.raw).toBe(first.raw);
    expect(await db.ordersOfSession(sessionId)).toHaveLength(1);
    expect(await db.stock(product.id)).toBe(3);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
    const product = await api.product({ stock: 5 });
    const sessionId = await api.guestCart([[product, 1]]);
    const key = randomUUID();
    const body = guestOrderBody(sessionId);
    expect((await api.placeGuestOrder(body, { key })).status).toBe(201);

    const other = { ...body, customer_info: { ...body.customer_info, last_name: 'Smith' } };
    expectError(await api.placeGuestOrder(other, { key }), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await db.ordersOfSession(sessionId)).toHaveLength(1);
  });

  it('makes one order of 5 concurrent requests with one key; the others replay it or answer 409 REQUEST_IN_PROGRESS', async () => {
    const product = await api.product({ stock: 10 });
    const sessionId = await api.guestCart([[product, 1]]);
    const body = guestOrderBody(sessionId);
    const key = randomUUID();

    const results = await Promise.all(Array.from({ length: 5 }, () => api.placeGuestOrder(body, { key })));

    const created = results.filter((res) => res.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const res of created) expect(res.raw).toBe(created[0].raw);
    for (const res of results.filter((r) => r.status !== 201)) expectError(res, 409, 'REQUEST_IN_PROGRESS');
    expect(await db.ordersOfSession(sessionId)).toHaveLength(1);
    expect(await db.stock(product.id)).toBe(9);
  });

  it('refuses a key longer than 255 characters with 400 and accepts one of 255', async () => {
    const product = await api.product({ stock: 5 });
    const sessionId = await api.guestCart([[product, 1]]);
    await expectCheckoutRefused(
      db,
      [product.id],
      sessionId,
      () => api.placeGuestOrder(guestOrderBody(sessionId), { key: 'k'.repeat(256) }),
      400,
      'VALIDATION_FAILED',
    );
    expect((await api.placeGuestOrder(guestOrderBody(sessionId), { key: 'k'.repeat(255) })).status).toBe(201);
  });

  it('replays a declined payment (402) instead of running the request again', async () => {
    const product = await api.product({ stock: 5 });
    const sessionId = await api.guestCart([[product, 1]]);
    const body = guestOrderBody(sessionId, undefined, {
      payment_info: { method: 'card', token: 'tok_chargeDeclined' },
    });
    const key = randomUUID();

    const first = await api.placeGuestOrder(body, { key });
    expectError(first, 402, 'PAYMENT_DECLINED');
    // run again, the request would now answer 422 PRODUCT_UNAVAILABLE: a 402 proves the replay
    await api.updateProduct(product.id, { is_active: false });
    const second = await api.placeGuestOrder(body, { key });

    expect(second.status).toBe(402);
    expect(second.raw).toBe(first.raw);
    const attempts = await db.ordersOfSession(sessionId);
    expect(attempts.map((order) => order.status)).toEqual(['payment_failed']);
    expect(await db.stock(product.id)).toBe(5);
  });
});
