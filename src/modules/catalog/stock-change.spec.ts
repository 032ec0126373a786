import { AppError } from '../../common/errors/app-error';
import { MAX_STOCK } from '../../common/swagger/bounds';
import { stockChangeOf, stockConflict } from './stock-change';

const ID = '00000000-0000-4000-8000-000000000001';

function thrown(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
  }
  throw new Error('expected an AppError');
}

describe('stockChangeOf', () => {
  it('reads no stock fields as no change', () => {
    expect(stockChangeOf({})).toBeUndefined();
  });

  it('reads stock with and without the stock the admin saw', () => {
    expect(stockChangeOf({ stock: 4, expected_stock: 5 })).toEqual({ kind: 'set', stock: 4, expected: 5 });
    expect(stockChangeOf({ stock: 4 })).toEqual({ kind: 'set', stock: 4, expected: undefined });
  });

  it('reads a delta as an adjustment bounded by MAX_STOCK', () => {
    expect(stockChangeOf({ stock_delta: -2 })).toEqual({ kind: 'adjust', delta: -2, max: MAX_STOCK });
  });

  it.each([
    { stock_delta: 1, stock: 3 },
    { stock_delta: 1, expected_stock: 3 },
  ])('refuses a delta beside an absolute value (%o)', (fields) => {
    const error = thrown(() => stockChangeOf(fields));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual([{ field: 'stock_delta', message: expect.any(String) }]);
  });

  it('refuses expected_stock without stock', () => {
    const error = thrown(() => stockChangeOf({ expected_stock: 3 }));
    expect(error.details).toEqual([{ field: 'expected_stock', message: expect.any(String) }]);
  });
});

describe('stockConflict', () => {
  it('reports a set whose expected stock is gone with the current stock', () => {
    const error = stockConflict(ID, { kind: 'set', stock: 4, expected: 5 }, 3);
    expect(error.code).toBe('STOCK_CHANGED');
    expect(error.details).toEqual([{ product_id: ID, expected_stock: 5, stock: 3 }]);
  });

  it('reports a delta below zero as insufficient stock', () => {
    const error = stockConflict(ID, { kind: 'adjust', delta: -5, max: 10 }, 3);
    expect(error.code).toBe('INSUFFICIENT_STOCK');
    expect(error.details).toEqual([{ product_id: ID, requested: 5, available: 3 }]);
  });

  it('reports a delta above the maximum as a validation error', () => {
    expect(stockConflict(ID, { kind: 'adjust', delta: 8, max: 10 }, 3).code).toBe('VALIDATION_FAILED');
  });

  it('reports a delta that fits the stock read afterwards as a stock that changed meanwhile', () => {
    const error = stockConflict(ID, { kind: 'adjust', delta: -2, max: 10 }, 3);
    expect(error.code).toBe('STOCK_CHANGED');
    expect(error.details).toEqual([{ product_id: ID, stock: 3 }]);
  });
});
