import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { orders } from '../../src/database/schema';
import { createProduct, registerUser } from '../support/factories';
import { SPEC_GUEST_EMAIL, spec002Body, spec002Item, uniqueEmail } from '../support/fixtures';
import { anyOrderNumber, anyUuid, expectError } from '../support/matchers';
import { HttpResult } from '../support/test-app';
import { useShop } from '../support/use-shop';

describe('POST /api/orders (spec 002, contract §9)', () => {
  const { t, api, db } = useShop();

  function order(body: unknown, token?: string) {
    return api.spec002Order(body, { token });
  }

  function stock(productId: string): Promise<number> {
    return db.stock(productId);
  }

  function orderCount(): Promise<number> {
    return db.orderCount();
  }

  /** Sends an order that must be refused and checks that no stock moved and no order was kept. */
  async function expectRefused(
    productIds: string[],
    send: () => Promise<HttpResult>,
    status: number,
    code: string,
    details?: unknown,
  ): Promise<HttpResult> {
    const before = { stock: await Promise.all(productIds.map(stock)), orders: await orderCount() };
    const res = await send();
    expectError(res, status, code, details);
    expect({ stock: await Promise.all(productIds.map(stock)), orders: await orderCount() }).toEqual(before);
    return res;
  }

  it("creates a PENDING order from spec 002's example body and takes the stock", async () => {
    const product = await createProduct(t, { name: 'Empanada', unit_price: 100, stock: 10 });
    const body = spec002Body([spec002Item(product, 2)]);

    const res = await order(body);

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      message: 'Order created successfully',
      data: {
        id: anyUuid(),
        orderNumber: anyOrderNumber(),
        customer: body.customerData,
        items: [
          {
            productId: product.id,
            sku: product.sku,
            name: 'Empanada',
            quantity: 2,
            unitPrice: 100,
            lineTotal: 200,
          },
        ],
        status: 'PENDING',
        total: 200,
        notes: 'opcional',
      },
    });
    expect(await stock(product.id)).toBe(8);
    const [row] = await t.database.db.select().from(orders).where(eq(orders.id, res.body.data.id));
    expect(row).toMatchObject({
      orderNumber: res.body.data.orderNumber,
      status: 'pending',
      email: SPEC_GUEST_EMAIL,
      isGuest: true,
      userId: null,
      total: 200,
    });
  });

  it('accepts the same guest-pattern email for any number of orders', async () => {
    const product = await createProduct(t, { stock: 10 });

    const first = await order(spec002Body([spec002Item(product)]));
    const second = await order(spec002Body([spec002Item(product)]));

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.data.orderNumber).not.toBe(first.body.data.orderNumber);
    expect(await stock(product.id)).toBe(8);
  });

  it('accepts an unregistered real email without a token', async () => {
    const product = await createProduct(t, { stock: 3 });
    const email = uniqueEmail('walk-in');

    const res = await order(spec002Body([spec002Item(product)], email));

    expect(res.status).toBe(201);
    expect(res.body.data.customer.email).toBe(email);
    expect(await stock(product.id)).toBe(2);
  });

  it('refuses a registered email without a token with 400 EMAIL_ALREADY_REGISTERED, in any letter case', async () => {
    const user = await registerUser(t);
    const product = await createProduct(t, { stock: 3 });

    await expectRefused(
      [product.id],
      () => order(spec002Body([spec002Item(product)], user.email)),
      400,
      'EMAIL_ALREADY_REGISTERED',
    );
    await expectRefused(
      [product.id],
      () => order(spec002Body([spec002Item(product)], user.email.toUpperCase())),
      400,
      'EMAIL_ALREADY_REGISTERED',
    );
  });

  it("accepts a registered email with that account's token and files the order under the account", async () => {
    const user = await registerUser(t);
    const product = await createProduct(t, { stock: 3 });

    const res = await order(spec002Body([spec002Item(product)], user.email), user.token);

    expect(res.status).toBe(201);
    expect(await stock(product.id)).toBe(2);
    const mine = await t.request('GET', '/api/v1/orders', { token: user.token });
    expect(mine.status).toBe(200);
    expect(mine.body.data.orders).toEqual([
      expect.objectContaining({
        id: res.body.data.id,
        order_number: res.body.data.orderNumber,
        status: 'pending',
        email: user.email,
        is_guest: false,
        total: product.unit_price,
      }),
    ]);
  });

  it("refuses a registered email with another user's token with 400", async () => {
    const owner = await registerUser(t);
    const other = await registerUser(t);
    const product = await createProduct(t, { stock: 3 });

    await expectRefused(
      [product.id],
      () => order(spec002Body([spec002Item(product)], owner.email), other.token),
      400,
      'EMAIL_ALREADY_REGISTERED',
    );
    expect((await t.request('GET', '/api/v1/orders', { token: other.token })).body.data.orders).toEqual([]);
  });

  it('refuses a unitPrice that is not the current price with 409 PRICE_MISMATCH', async () => {
    const product = await createProduct(t, { unit_price: 1999, stock: 5 });
    const fine = await createProduct(t, { unit_price: 500, stock: 5 });

    await expectRefused(
      [product.id, fine.id],
      () => order(spec002Body([spec002Item(fine), spec002Item(product, 1, 1000)])),
      409,
      'PRICE_MISMATCH',
      [{ productId: product.id, givenUnitPrice: 1000, unitPrice: 1999 }],
    );
  });

  it('refuses a quantity above stock with 409 INSUFFICIENT_STOCK and per-product details', async () => {
    const product = await createProduct(t, { stock: 2 });

    await expectRefused(
      [product.id],
      () => order(spec002Body([spec002Item(product, 3)])),
      409,
      'INSUFFICIENT_STOCK',
      [{ productId: product.id, requested: 3, available: 2 }],
    );
  });

  it('refuses malformed items with 400: a MongoDB id, a repeated productId, no items', async () => {
    const product = await createProduct(t, { stock: 5 });

    await expectRefused(
      [product.id],
      () => order(spec002Body([{ productId: '65f1b2c3d4e5f6a7b8c9d0e3', quantity: 1, unitPrice: 100 }])),
      400,
      'VALIDATION_FAILED',
      [{ field: 'items.0.productId', message: 'productId must be a UUID' }],
    );
    await expectRefused(
      [product.id],
      () => order(spec002Body([spec002Item(product), spec002Item(product)])),
      400,
      'VALIDATION_FAILED',
    );
    await expectRefused([product.id], () => order(spec002Body([])), 400, 'VALIDATION_FAILED');
  });

  it('reads a productId case-insensitively, so two spellings of one UUID are a repeated productId', async () => {
    const product = await createProduct(t, { unit_price: 250, stock: 5 });
    const upper = product.id.toUpperCase();

    await expectRefused(
      [product.id],
      () => order(spec002Body([spec002Item(product), { productId: upper, quantity: 1, unitPrice: 250 }])),
      400,
      'VALIDATION_FAILED',
    );
    const res = await order(spec002Body([{ productId: upper, quantity: 2, unitPrice: 250 }]));
    expect(res.status).toBe(201);
    expect(res.body.data.items).toEqual([expect.objectContaining({ productId: product.id, quantity: 2 })]);
    expect(await stock(product.id)).toBe(3);
  });

  it('answers 401 to an invalid Bearer token instead of ordering as a guest', async () => {
    const product = await createProduct(t, { stock: 5 });

    await expectRefused(
      [product.id],
      () => order(spec002Body([spec002Item(product)]), 'not-a-valid-token'),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses 50,000 units at 50,000 each with 422 CART_LIMIT_EXCEEDED, as a cart would (never a 500)', async () => {
    const product = await createProduct(t, { unit_price: 50_000, stock: 100_000 });

    await expectRefused(
      [product.id],
      () => order(spec002Body([spec002Item(product, 50_000)])),
      422,
      'CART_LIMIT_EXCEEDED',
      [{ limit: 'max_line_quantity', max: t.config.maxLineQuantity, productId: product.id }],
    );
  });

  it('replays the first 201 byte for byte for a repeated Idempotency-Key and keeps one order', async () => {
    const product = await createProduct(t, { unit_price: 300, stock: 5 });
    const body = spec002Body([spec002Item(product, 1)]);
    const headers = { 'idempotency-key': randomUUID() };

    const first = await t.request('POST', '/api/orders', { body, headers });
    const before = await orderCount();
    const second = await t.request('POST', '/api/orders', { body, headers });

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.raw).toBe(first.raw);
    expect(await orderCount()).toBe(before);
    expect(await stock(product.id)).toBe(4);
    const other = await t.request('POST', '/api/orders', {
      body: spec002Body([spec002Item(product, 2)]),
      headers,
    });
    expectError(other, 422, 'IDEMPOTENCY_KEY_REUSED');
  });
});
