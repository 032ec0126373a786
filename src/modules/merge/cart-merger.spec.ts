import { ProductRow } from '../../database/schema';
import { planMerge } from './cart-merger';
import { mergeStrategy, MergeStrategyName } from './merge-strategies';

function product(id: string, stock = 100, isActive = true): ProductRow {
  return {
    id,
    sku: id,
    name: id,
    description: '',
    unitPrice: 100,
    stock,
    isActive,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

const limits = { maxLines: 50, maxLineQuantity: 99 };
const older = new Date('2026-01-01T00:00:00Z');
const newer = new Date('2026-01-02T00:00:00Z');
const catalog = (...rows: ProductRow[]) => new Map(rows.map((row) => [row.id, row]));

function plan(
  name: MergeStrategyName,
  user: [string, number][],
  guest: [string, number][],
  products: Map<string, ProductRow>,
  options: { limits?: typeof limits; userNewer?: boolean } = {},
) {
  return planMerge({
    userLines: user.map(([productId, quantity]) => ({ productId, quantity })),
    guestLines: guest.map(([productId, quantity]) => ({ productId, quantity })),
    products,
    strategy: mergeStrategy(name),
    limits: options.limits ?? limits,
    context: options.userNewer
      ? { userCartUpdatedAt: newer, guestCartUpdatedAt: older }
      : { userCartUpdatedAt: older, guestCartUpdatedAt: newer },
  });
}

describe('planMerge', () => {
  it('sums quantities of a product in both carts and adds guest-only lines (sum)', () => {
    const result = plan(
      'sum',
      [
        ['a', 2],
        ['u', 1],
      ],
      [
        ['a', 3],
        ['g', 4],
      ],
      catalog(product('a'), product('u'), product('g')),
    );
    expect(result.lines).toEqual([
      { productId: 'a', quantity: 5 },
      { productId: 'u', quantity: 1 },
      { productId: 'g', quantity: 4 },
    ]);
    expect(result.report).toEqual({
      strategy: 'sum',
      added: [{ productId: 'g', quantity: 4 }],
      combined: [{ productId: 'a', userQuantity: 2, guestQuantity: 3, quantity: 5 }],
      capped: [],
      removed: [],
    });
  });

  it.each([
    ['guest', 3],
    ['user', 2],
  ] as const)('lets the %s cart win for duplicates', (name, expected) => {
    const result = plan(name, [['a', 2]], [['a', 3]], catalog(product('a')));
    expect(result.lines).toEqual([{ productId: 'a', quantity: expected }]);
    expect(result.report.combined[0]).toEqual({
      productId: 'a',
      userQuantity: 2,
      guestQuantity: 3,
      quantity: expected,
    });
  });

  it('takes the quantity of the cart modified last (newest)', () => {
    const products = catalog(product('a'));
    expect(plan('newest', [['a', 2]], [['a', 3]], products).lines[0].quantity).toBe(3);
    expect(plan('newest', [['a', 2]], [['a', 3]], products, { userNewer: true }).lines[0].quantity).toBe(2);
  });

  it('caps a combined quantity at stock and reports STOCK_LIMIT', () => {
    const result = plan('sum', [['a', 4]], [['a', 5]], catalog(product('a', 6)));
    expect(result.lines).toEqual([{ productId: 'a', quantity: 6 }]);
    expect(result.report.capped).toEqual([
      { productId: 'a', requested: 9, quantity: 6, reason: 'STOCK_LIMIT' },
    ]);
  });

  it('caps at MAX_LINE_QUANTITY and reports LINE_LIMIT', () => {
    const result = plan('sum', [['a', 60]], [['a', 60]], catalog(product('a', 1000)));
    expect(result.lines).toEqual([{ productId: 'a', quantity: 99 }]);
    expect(result.report.capped).toEqual([
      { productId: 'a', requested: 120, quantity: 99, reason: 'LINE_LIMIT' },
    ]);
  });

  it('drops out-of-stock and inactive or unknown products with their reasons', () => {
    const result = plan(
      'sum',
      [['gone', 1]],
      [
        ['gone', 1],
        ['empty', 2],
        ['off', 3],
        ['ghost', 1],
      ],
      catalog(product('gone', 10, false), product('empty', 0), product('off', 5, false)),
    );
    expect(result.lines).toEqual([]);
    expect(result.report.removed).toEqual([
      { productId: 'gone', quantity: 2, reason: 'UNAVAILABLE' },
      { productId: 'empty', quantity: 2, reason: 'OUT_OF_STOCK' },
      { productId: 'off', quantity: 3, reason: 'UNAVAILABLE' },
      { productId: 'ghost', quantity: 1, reason: 'UNAVAILABLE' },
    ]);
  });

  it('keeps user-only lines untouched, even when they went short', () => {
    const result = plan('sum', [['u', 5]], [], catalog(product('u', 1)));
    expect(result.lines).toEqual([{ productId: 'u', quantity: 5 }]);
    expect(result.report.capped).toEqual([]);
  });

  it('drops guest lines beyond MAX_CART_LINES with LINE_LIMIT', () => {
    const result = plan(
      'sum',
      [
        ['u1', 1],
        ['u2', 1],
      ],
      [
        ['g1', 1],
        ['g2', 1],
      ],
      catalog(product('u1'), product('u2'), product('g1'), product('g2')),
      {
        limits: { maxLines: 3, maxLineQuantity: 99 },
      },
    );
    expect(result.lines.map((line) => line.productId)).toEqual(['u1', 'u2', 'g1']);
    expect(result.report.removed).toEqual([{ productId: 'g2', quantity: 1, reason: 'LINE_LIMIT' }]);
  });

  it('plans nothing for an empty guest cart', () => {
    const result = plan('sum', [['u', 1]], [], catalog(product('u')));
    expect(result.lines).toEqual([{ productId: 'u', quantity: 1 }]);
    expect(result.report).toEqual({ strategy: 'sum', added: [], combined: [], capped: [], removed: [] });
  });
});
