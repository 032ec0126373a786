import { eq } from 'drizzle-orm';
import { products } from '../../src/database/schema';
import type { CreatedProduct } from '../support/factories';
import { expectError, expectSuccess } from '../support/matchers';
import { useShop } from '../support/use-shop';

/**
 * Issue 14: an admin's stock change must not overwrite a sale made since the admin read the stock. An
 * absolute `stock` carries the value the admin saw (`expected_stock`, 409 STOCK_CHANGED when it moved), or
 * the change is relative (`stock_delta`); either is one conditional UPDATE, and a refused one changes nothing.
 */
describe('admin stock changes (issue 14, contract §3)', () => {
  const { t, api, db } = useShop();

  async function patch(product: CreatedProduct, body: Record<string, unknown>) {
    return api.patchProduct(await api.adminToken(), product.id, body);
  }

  async function productRow(product: CreatedProduct) {
    const [row] = await t.database.db.select().from(products).where(eq(products.id, product.id));
    return row;
  }

  /** What the admin's screen shows: the product as the API answers it. */
  async function adminReads(product: CreatedProduct): Promise<number> {
    return expectSuccess(await api.getProduct(product.id)).product.stock;
  }

  it('refuses a stock whose expected_stock a sale made stale with 409, and changes nothing', async () => {
    const product = await api.product({ stock: 5, name: 'Before' });
    const seen = await adminReads(product);
    await api.guestOrder([[product, 2]]); // a sale between the admin's read and write
    const before = await productRow(product);

    const res = await patch(product, { stock: 20, expected_stock: seen, name: 'After' });

    expectError(res, 409, 'STOCK_CHANGED', [{ product_id: product.id, expected_stock: 5, stock: 3 }]);
    expect(await productRow(product)).toEqual(before);
    expect(before).toMatchObject({ stock: 3, name: 'Before' });
  });

  it('applies a stock whose expected_stock still holds, with the other fields', async () => {
    const product = await api.product({ stock: 5 });
    await api.guestOrder([[product, 2]]);
    const seen = await adminReads(product);

    const res = await patch(product, { stock: 20, expected_stock: seen, name: 'Restocked' });

    expect(expectSuccess(res).product).toMatchObject({ id: product.id, stock: 20, name: 'Restocked' });
    expect(await productRow(product)).toMatchObject({ stock: 20, name: 'Restocked' });
  });

  it('adds a stock_delta to the stock as it is, a sale in between included', async () => {
    const product = await api.product({ stock: 5 });
    await api.guestOrder([[product, 2]]);

    const res = await patch(product, { stock_delta: 10 });

    expect(expectSuccess(res).product.stock).toBe(13);
    expect(await db.stock(product.id)).toBe(13);
    expect(expectSuccess(await patch(product, { stock_delta: -13 })).product.stock).toBe(0);
  });

  it('refuses a stock_delta below zero with 409 INSUFFICIENT_STOCK and changes nothing', async () => {
    const product = await api.product({ stock: 3, name: 'Kept' });
    const before = await productRow(product);

    const res = await patch(product, { stock_delta: -4, name: 'Lost' });

    expectError(res, 409, 'INSUFFICIENT_STOCK', [{ product_id: product.id, requested: 4, available: 3 }]);
    expect(await productRow(product)).toEqual(before);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a stock_delta beside a stock', { stock_delta: 1, stock: 4 }, 'stock_delta'],
    ['a stock_delta beside an expected_stock', { stock_delta: 1, expected_stock: 3 }, 'stock_delta'],
    ['an expected_stock without a stock', { expected_stock: 3, name: 'x' }, 'expected_stock'],
    ['a stock_delta above the largest stock', { stock_delta: 1_000_000_001 }, 'stock_delta'],
    ['a fractional stock_delta', { stock_delta: 0.5 }, 'stock_delta'],
    ['a null expected_stock', { stock: 1, expected_stock: null }, 'expected_stock'],
  ])('refuses %s with 400 and changes nothing', async (_label, body, field) => {
    const product = await api.product({ stock: 3 });
    const before = await productRow(product);

    const res = await patch(product, body);

    expectError(res, 400, 'VALIDATION_FAILED');
    const fields = (res.body.error.details as { field: string }[]).map((detail) => detail.field);
    expect(new Set(fields)).toEqual(new Set([field]));
    expect(await productRow(product)).toEqual(before);
  });

  it('refuses a stock_delta that would pass the largest stock with 400 and changes nothing', async () => {
    const product = await api.product({ stock: 3 });

    const res = await patch(product, { stock_delta: 999_999_998 });

    expectError(res, 400, 'VALIDATION_FAILED');
    expect(await db.stock(product.id)).toBe(3);
  });
});
