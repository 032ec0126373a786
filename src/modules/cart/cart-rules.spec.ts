import { ProductRow } from '../../database/schema';
import { checkCartLines, priceCart } from './cart-rules';

function product(id: string, overrides: Partial<ProductRow> = {}): ProductRow {
  return {
    id,
    sku: `SKU-${id}`,
    name: `Product ${id}`,
    description: '',
    unitPrice: 1000,
    stock: 10,
    isActive: true,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

const limits = { maxLines: 3, maxLineQuantity: 5 };
const catalog = new Map([
  ['a', product('a')],
  ['b', product('b', { stock: 2 })],
  ['off', product('off', { isActive: false })],
]);

describe('checkCartLines', () => {
  it('accepts lines within limits, available and in stock', () => {
    expect(
      checkCartLines(
        [
          { productId: 'a', quantity: 5 },
          { productId: 'b', quantity: 2 },
        ],
        catalog,
        limits,
      ),
    ).toBeUndefined();
  });

  it('refuses more lines than the cart may hold before looking at the catalog', () => {
    const lines = ['x', 'y', 'z', 'w'].map((productId) => ({ productId, quantity: 1 }));
    expect(checkCartLines(lines, catalog, limits)).toMatchObject({
      kind: 'CART_LIMIT_EXCEEDED',
      details: [{ limit: 'max_lines', max: 3 }],
    });
  });

  it('refuses a line above the per-line maximum', () => {
    expect(checkCartLines([{ productId: 'a', quantity: 6 }], catalog, limits)).toMatchObject({
      kind: 'CART_LIMIT_EXCEEDED',
      details: [{ limit: 'max_line_quantity', max: 5, product_id: 'a' }],
    });
  });

  it('lists every unknown or inactive product', () => {
    expect(
      checkCartLines(
        [
          { productId: 'off', quantity: 1 },
          { productId: 'ghost', quantity: 1 },
          { productId: 'a', quantity: 1 },
        ],
        catalog,
        limits,
      ),
    ).toEqual({
      kind: 'PRODUCT_UNAVAILABLE',
      productIds: ['off', 'ghost'],
    });
  });

  it('reports requested and available units for each short line', () => {
    expect(checkCartLines([{ productId: 'b', quantity: 3 }], catalog, limits)).toEqual({
      kind: 'INSUFFICIENT_STOCK',
      problems: [{ product_id: 'b', requested: 3, available: 2 }],
    });
  });
});

describe('priceCart', () => {
  it('prices lines at current prices and sums units and subtotal', () => {
    const priced = priceCart(
      [
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 1 },
      ],
      catalog,
    );
    expect(priced.itemCount).toBe(3);
    expect(priced.subtotal).toBe(3000);
    expect(priced.items[0]).toEqual({
      productId: 'a',
      sku: 'SKU-a',
      name: 'Product a',
      quantity: 2,
      unitPrice: 1000,
      lineTotal: 2000,
      available: true,
      availableQuantity: 10,
    });
  });

  it('flags inactive and short lines without changing their quantity', () => {
    const priced = priceCart(
      [
        { productId: 'off', quantity: 1 },
        { productId: 'b', quantity: 4 },
      ],
      catalog,
    );
    expect(priced.items.map((i) => [i.available, i.availableQuantity, i.quantity])).toEqual([
      [false, 0, 1],
      [false, 2, 4],
    ]);
  });
});
