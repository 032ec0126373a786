import { AppError } from '../../common/errors/app-error';
import { MAX_STOCK } from '../../common/swagger/bounds';

/**
 * An admin's stock change (issue 14: an absolute value written over a sale made since the admin read the
 * stock lost that sale): `set` with the value the admin saw as a precondition, or `adjust` by a delta
 * (received goods, a count correction) that never races a sale. A plain `set` without `expected` stays
 * for contract §3's `{stock}`; the README and Swagger steer admins to the other two.
 */
export type StockChange =
  { kind: 'set'; stock: number; expected?: number } | { kind: 'adjust'; delta: number; max: number };

/** The stock fields of an admin PATCH, as one change or none; contradictory combinations are a 400. */
export function stockChangeOf(fields: {
  stock?: number;
  expected_stock?: number;
  stock_delta?: number;
}): StockChange | undefined {
  const { stock, expected_stock: expected, stock_delta: delta } = fields;
  if (delta !== undefined) {
    if (stock !== undefined || expected !== undefined) {
      throw AppError.validation([
        { field: 'stock_delta', message: 'stock_delta cannot be sent with stock or expected_stock' },
      ]);
    }
    return { kind: 'adjust', delta, max: MAX_STOCK };
  }
  if (stock !== undefined) return { kind: 'set', stock, expected };
  if (expected !== undefined) {
    throw AppError.validation([
      { field: 'expected_stock', message: 'expected_stock is only sent together with stock' },
    ]);
  }
  return undefined;
}

/** Why a conditional stock change matched no row of a product that exists (its stock is `current` now). */
export function stockConflict(productId: string, change: StockChange, current: number): AppError {
  if (change.kind === 'set') {
    return new AppError(
      'STOCK_CHANGED',
      `The stock is ${current}, not the expected ${change.expected}; nothing was changed`,
      [{ product_id: productId, expected_stock: change.expected, stock: current }],
    );
  }
  if (current + change.delta < 0) {
    return new AppError('INSUFFICIENT_STOCK', 'The stock cannot go below zero; nothing was changed', [
      { product_id: productId, requested: -change.delta, available: current },
    ]);
  }
  if (current + change.delta > change.max) {
    return AppError.validation([
      { field: 'stock_delta', message: `stock_delta would take the stock above ${change.max}` },
    ]);
  }
  // the stock moved between the refused update and this read: the admin sees the new value and retries
  return new AppError('STOCK_CHANGED', 'The stock changed meanwhile; nothing was changed', [
    { product_id: productId, stock: current },
  ]);
}
