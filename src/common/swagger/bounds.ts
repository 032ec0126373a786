import { MAX_CART_LINES_BOUND, MAX_LINE_QUANTITY_BOUND } from '../../config/env.schema';

/**
 * Upper bounds the OpenAPI document states for integers. They are hard bounds, not the configured values
 * (MAX_LINE_QUANTITY and MAX_CART_LINES can be lowered per deployment; these are their ceilings), so a
 * client generated from the document never has a tighter type than a server can answer with.
 */
export const MAX_UNIT_PRICE = 100_000_000;
export const MAX_STOCK = 1_000_000_000;
export const MAX_QUANTITY = MAX_LINE_QUANTITY_BOUND;
export const MAX_LINE_TOTAL = MAX_UNIT_PRICE * MAX_LINE_QUANTITY_BOUND;
export const MAX_ORDER_TOTAL = MAX_LINE_TOTAL * MAX_CART_LINES_BOUND;
export const MAX_CART_UNITS = MAX_LINE_QUANTITY_BOUND * MAX_CART_LINES_BOUND;

/** Schema fragments for @ApiProperty: integer minor units, quantities and counts. */
export const MONEY = { type: 'integer', minimum: 0, maximum: MAX_UNIT_PRICE, example: 1999 } as const;
export const LINE_MONEY = { type: 'integer', minimum: 0, maximum: MAX_LINE_TOTAL, example: 3998 } as const;
export const TOTAL_MONEY = { type: 'integer', minimum: 0, maximum: MAX_ORDER_TOTAL, example: 3998 } as const;
export const QUANTITY = { type: 'integer', minimum: 1, maximum: MAX_QUANTITY, example: 2 } as const;
export const STOCK = { type: 'integer', minimum: 0, maximum: MAX_STOCK, example: 42 } as const;
/** a count of rows (stats, attempts): a non-negative integer JavaScript holds exactly */
export const COUNT = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, example: 3 } as const;
export const CURRENCY = { pattern: '^[A-Z]{3}$', example: 'USD', description: 'ISO 4217' } as const;
