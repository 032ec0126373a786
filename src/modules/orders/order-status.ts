import { OrderStatus } from '../../database/schema';

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
