import { AppError, StockProblem } from '../../common/errors/app-error';
import { OrderStatus, ShippingAddress } from '../../database/schema';
import { CartLine, CartProduct } from '../cart/cart-rules';
import { stockProblems } from '../catalog/catalog.service';
import type { NewOrderLine, Placement } from '../orders/order-records.service';

export interface Customer {
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
}

export interface GuestCheckout {
  sessionId: string;
  customer: Customer;
  shippingAddress: ShippingAddress;
  paymentToken: string;
}

export interface UserCheckout {
  shippingAddress: ShippingAddress;
  paymentToken: string;
}

/** spec 002: lines given in the request, no payment step. */
export interface LinesCheckout {
  lines: readonly CartLine[];
  /** the price the client saw per product; must equal the catalog's (the client's price is never used) */
  expectedPrices: ReadonlyMap<string, number>;
  customer: Customer;
  shippingAddress: ShippingAddress;
  userId: string | null;
  notes: string | null;
}

/** An order before it is written: its source's lines, customer and the conditions of its placement. */
export interface OrderDraft {
  lines: readonly CartLine[];
  /** the lines' product rows when the source read them already (a cart read with its products) */
  products?: ReadonlyMap<string, CartProduct>;
  expectedPrices?: ReadonlyMap<string, number>;
  customer: Customer;
  shippingAddress: ShippingAddress;
  userId: string | null;
  isGuest: boolean;
  guestSessionId: string | null;
  cartId: string | null;
  /** the cart's row version the lines were read at; null: the cart is locked by the caller's transaction */
  cartVersion: string | null;
  /** a guest's email that no account may use (contract §6); null: no such condition */
  guestEmail: string | null;
  notes: string | null;
  status: Extract<OrderStatus, 'awaiting_payment' | 'pending'>;
  idempotencyRef: string | null;
}

/**
 * The draft's lines priced from the catalog's rows (never the client's prices), after the checks that
 * an unlocked read can make: every product sold with enough stock, spec 002's expected prices, a total
 * the store can hold.
 */
export function priceLines(
  draft: OrderDraft,
  products: ReadonlyMap<string, CartProduct>,
): { lines: NewOrderLine[]; subtotal: number } {
  throwStockProblems(stockProblems(draft.lines, products));
  checkPrices(draft, products);
  const lines = draft.lines.map((line, position) => {
    const product = products.get(line.productId)!;
    return {
      productId: product.id,
      sku: product.sku,
      name: product.name,
      unitPrice: product.unitPrice,
      quantity: line.quantity,
      lineTotal: product.unitPrice * line.quantity,
      position,
    };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.lineTotal, 0);
  // contract §6: the configured bounds make this unreachable; a total JS cannot hold exactly is refused
  if (!Number.isSafeInteger(subtotal)) {
    throw new AppError('ORDER_TOTAL_TOO_LARGE', 'The order total is larger than the store can accept');
  }
  return { lines, subtotal };
}

/**
 * Why the placement wrote nothing although the cart was unchanged: the stock or a price moved between
 * the unlocked read and the locks (the placement's locked rows say which).
 */
export function refusalAfterLocks(lines: readonly CartLine[], locked: Placement['stock']): AppError {
  const problems = stockProblems(lines, new Map(locked.map((row) => [row.id, row])));
  return (
    stockRefusal(problems) ??
    new AppError(
      'SERVICE_UNAVAILABLE',
      'A price changed while the order was being placed; nothing was saved, please retry',
    )
  );
}

export function emailRegistered(): AppError {
  return new AppError('EMAIL_ALREADY_REGISTERED', 'An account uses this email; log in to check out');
}

export function throwStockProblems(problems: { unavailable: string[]; short: StockProblem[] }): void {
  const refusal = stockRefusal(problems);
  if (refusal !== undefined) throw refusal;
}

function stockRefusal(problems: { unavailable: string[]; short: StockProblem[] }): AppError | undefined {
  if (problems.unavailable.length > 0) {
    return new AppError(
      'PRODUCT_UNAVAILABLE',
      'Some products are unknown or no longer sold',
      problems.unavailable.map((product_id) => ({ product_id })),
    );
  }
  if (problems.short.length > 0)
    return new AppError('INSUFFICIENT_STOCK', 'Not enough stock for some products', problems.short);
  return undefined;
}

export function cartEmpty(): AppError {
  return new AppError('CART_EMPTY', 'There is nothing to order: the cart is empty');
}

/** spec 002: a client's price that is not the catalog's is refused, never used (contract §9). */
function checkPrices(draft: OrderDraft, products: ReadonlyMap<string, CartProduct>): void {
  if (draft.expectedPrices === undefined) return;
  const mismatches = draft.lines.flatMap((line) => {
    const given = draft.expectedPrices?.get(line.productId);
    const current = products.get(line.productId)?.unitPrice;
    return given === current
      ? []
      : [{ product_id: line.productId, given_unit_price: given, unit_price: current }];
  });
  if (mismatches.length > 0) {
    throw new AppError(
      'PRICE_MISMATCH',
      'Prices have changed; reload the products and try again',
      mismatches,
    );
  }
}
