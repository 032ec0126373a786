import { StockProblem } from '../../common/errors/app-error';
import type { ProductForSale } from '../catalog/catalog.service';

/** A requested cart line. */
export interface CartLine {
  productId: string;
  quantity: number;
}

export interface CartLimits {
  maxLines: number;
  maxLineQuantity: number;
}

/** One exceeded limit (contract §1): `product_id` names the line that is over `max_line_quantity`. */
export interface CartLimitProblem {
  limit: 'max_lines' | 'max_line_quantity';
  max: number;
  product_id?: string;
}

/** Why a cart content was refused; the service turns it into the matching AppError (contract §4). */
export type CartViolation =
  | {
      kind: 'CART_LIMIT_EXCEEDED';
      message: string;
      details: CartLimitProblem[];
    }
  | { kind: 'PRODUCT_UNAVAILABLE'; productIds: string[] }
  | { kind: 'INSUFFICIENT_STOCK'; problems: StockProblem[] };

function tooManyLines(limits: CartLimits): CartViolation {
  return {
    kind: 'CART_LIMIT_EXCEEDED',
    message: `A cart holds at most ${limits.maxLines} lines`,
    details: [{ limit: 'max_lines', max: limits.maxLines }],
  };
}

/** The size limits alone (MAX_CART_LINES, MAX_LINE_QUANTITY): every order obeys them too (contract §9). */
export function checkCartLimits(lines: readonly CartLine[], limits: CartLimits): CartViolation | undefined {
  if (lines.length > limits.maxLines) return tooManyLines(limits);
  const overQuantity = lines
    .filter((line) => line.quantity > limits.maxLineQuantity)
    .map((line) => line.productId);
  if (overQuantity.length === 0) return undefined;
  return {
    kind: 'CART_LIMIT_EXCEEDED',
    message: `A line holds at most ${limits.maxLineQuantity} units`,
    details: overQuantity.map((productId) => ({
      limit: 'max_line_quantity',
      max: limits.maxLineQuantity,
      product_id: productId,
    })),
  };
}

/**
 * Checks a whole cart content against the limits, product availability and stock. Pure: the caller
 * loads the products (one query) and decides what to do with the violation. Limits come first (they
 * need nothing from the catalog), then availability, then stock.
 */
export function checkCartLines(
  lines: readonly CartLine[],
  products: ReadonlyMap<string, CartProduct>,
  limits: CartLimits,
): CartViolation | undefined {
  const overLimit = checkCartLimits(lines, limits);
  if (overLimit !== undefined) return overLimit;
  const unavailable = lines
    .filter((line) => !products.get(line.productId)?.isActive)
    .map((line) => line.productId);
  if (unavailable.length > 0) return { kind: 'PRODUCT_UNAVAILABLE', productIds: unavailable };

  const short = lines.flatMap((line) => {
    const available = products.get(line.productId)?.stock ?? 0;
    return line.quantity > available
      ? [{ product_id: line.productId, requested: line.quantity, available }]
      : [];
  });
  if (short.length > 0) return { kind: 'INSUFFICIENT_STOCK', problems: short };
  return undefined;
}

/** A cart line priced at the catalog's current price (cart.dto.ts maps it to the contract's casing). */
export interface PricedItem {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  lineTotal: number;
  /** false when the product is inactive or has less stock than the line asks */
  available: boolean;
  /** units that can be bought now (0 for an inactive product) */
  availableQuantity: number;
}

export interface PricedCart {
  items: PricedItem[];
  itemCount: number;
  subtotal: number;
}

/**
 * Prices stored lines at the catalog's current prices and flags what can no longer be bought
 * (inactive product, or less stock than the line asks). Lines keep their order.
 */
export function priceCart(
  lines: readonly CartLine[],
  products: ReadonlyMap<string, CartProduct>,
): PricedCart {
  const items = lines.flatMap((line): PricedItem[] => {
    const product = products.get(line.productId);
    if (product === undefined) return [];
    return [
      {
        productId: product.id,
        sku: product.sku,
        name: product.name,
        quantity: line.quantity,
        unitPrice: product.unitPrice,
        lineTotal: product.unitPrice * line.quantity,
        available: product.isActive && product.stock >= line.quantity,
        availableQuantity: product.isActive ? product.stock : 0,
      },
    ];
  });
  return {
    items,
    itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
    subtotal: items.reduce((sum, item) => sum + item.lineTotal, 0),
  };
}

/**
 * Checks a change of one line: the cart after the change must respect the line limit, and the changed
 * line must respect the quantity limit, availability and stock. Other lines are not re-judged: a line
 * that went short since it was added stays in the cart flagged `available: false`.
 */
export function checkLineChange(
  linesAfter: readonly CartLine[],
  changed: CartLine,
  products: ReadonlyMap<string, CartProduct>,
  limits: CartLimits,
): CartViolation | undefined {
  if (linesAfter.length > limits.maxLines) return tooManyLines(limits);
  return checkCartLines([changed], products, limits);
}

/** What pricing and checking a cart line needs of its product (the catalog's columns for selling it). */
export type CartProduct = ProductForSale;

/** A cart line with its product, as the cart reads (and GET guest cart's one statement) return it. */
export interface CartItemWithProduct {
  quantity: number;
  product: CartProduct;
}
