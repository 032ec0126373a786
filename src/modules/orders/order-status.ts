import { ORDER_STATUSES, OrderStatus } from '../../database/schema';

/** Every status an order can have, in flow order (declared once, beside the database enum). */
export { ORDER_STATUSES };

/** spec 002 spells statuses in upper case (`PENDING`); the same list, one source. */
export const COMPAT_ORDER_STATUSES = ORDER_STATUSES.map(
  (status) => status.toUpperCase() as Uppercase<OrderStatus>,
);
export type CompatOrderStatus = Uppercase<OrderStatus>;

export function toCompatStatus(status: OrderStatus): CompatOrderStatus {
  return status.toUpperCase() as CompatOrderStatus;
}

/** The statuses an admin may set (contract §6); checkout's own states are never set by hand. */
export const SETTABLE_STATUSES = [
  'paid',
  'processing',
  'shipped',
  'delivered',
  'cancelled',
] as const satisfies readonly OrderStatus[];
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

/** Checkout's own states (contract §6): never shown to shoppers, never counted as orders. */
export const CHECKOUT_STATUSES = [
  'awaiting_payment',
  'payment_failed',
] as const satisfies readonly OrderStatus[];

export const STATUS_DESCRIPTION =
  'Shoppers only ever see pending, paid, processing, shipped, delivered and cancelled. awaiting_payment (checkout step 1 done, payment not settled) and payment_failed (payment declined or unavailable, stock released, kept for audit) belong to checkout: an admin can meet them only on an order id, where any status change answers 409 INVALID_STATUS_TRANSITION.';

/** Allowed status changes (contract §6): forward along the flow, or cancel before shipping. */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  // checkout's own states (contract §6): only checkout and its reconciler move an order out of them
  awaiting_payment: [],
  payment_failed: [],
  pending: ['paid', 'processing', 'cancelled'],
  paid: ['processing', 'cancelled'],
  processing: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A cancelled order's units go back to stock (contract §6). */
export function restocksOn(to: OrderStatus): boolean {
  return to === 'cancelled';
}
