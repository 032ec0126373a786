import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../common/errors/database-errors';
import { DependentWrite, LockFirst } from '../../database/dependent-write';
import { OrderItemRow, OrderRow } from '../../database/schema';
import { newOrderNumber } from './order-number';
import {
  NewOrderInput,
  NewOrderItem,
  OrderPlacementRepository,
  Placement,
  PlacementConditions,
  PlacementParts,
} from './order-placement.repository';
import { OrdersRepository } from './orders.repository';

export type { Placement, PlacementConditions, PlacementParts } from './order-placement.repository';

const MAX_NUMBER_ATTEMPTS = 5;

export interface OrderWithItems {
  order: OrderRow;
  items: OrderItemRow[];
}

export type NewOrderRecord = Omit<NewOrderInput, 'orderNumber'>;
export type NewOrderLine = Omit<NewOrderItem, 'orderId'>;

/**
 * The writes checkout makes to orders (this module owns the tables): a new order with its lines, and the
 * end of its payment step. Every call joins the caller's transaction.
 */
@Injectable()
export class OrderRecords {
  private readonly logger = new Logger(OrderRecords.name);

  constructor(
    private readonly orders: OrdersRepository,
    private readonly placements: OrderPlacementRepository,
  ) {}

  /**
   * Checkout's step 1 in one statement (OrderPlacementRepository.place): the order with a fresh number, its
   * lines and the stock taken, only if the cart is as read and the stock fits; then, for an order that
   * starts `pending`, its first status. `placed` is undefined when nothing was written (see `placement`
   * for why). A second order for a cart that already has one awaiting payment is refused (one checkout
   * in flight per cart).
   */
  async place(
    values: NewOrderRecord,
    lines: readonly NewOrderLine[],
    conditions: PlacementConditions,
    parts: PlacementParts,
  ): Promise<{ placed: OrderWithItems | undefined; placement: Placement }> {
    for (let attempt = 0; attempt < MAX_NUMBER_ATTEMPTS; attempt++) {
      const placement = await this.placeNumbered(
        { ...values, orderNumber: newOrderNumber() },
        lines,
        conditions,
        parts,
      );
      const order = placement.order;
      if (order !== undefined) {
        if (order.status !== 'awaiting_payment')
          await this.orders.insertHistory(order.id, order.status, order.createdAt);
        return { placed: { order, items: lines.map((line) => ({ ...line, orderId: order.id })) }, placement };
      }
      if (!placement.cartUnchanged || !placement.stockFits || !placement.guestEmailFree)
        return { placed: undefined, placement };
      this.logger.warn('order number collision; drawing another');
    }
    throw new Error('could not draw a free order number');
  }

  private async placeNumbered(
    values: NewOrderInput,
    lines: readonly NewOrderLine[],
    conditions: PlacementConditions,
    parts: PlacementParts,
  ): Promise<Placement> {
    try {
      return await this.placements.place(values, lines, conditions, parts);
    } catch (error) {
      if (isUniqueViolation(error, 'orders_pending_cart_key')) {
        throw new AppError(
          'REQUEST_IN_PROGRESS',
          'A checkout of this cart is already waiting for its payment; retry shortly',
        );
      }
      throw error;
    }
  }

  async withItems(order: OrderRow): Promise<OrderWithItems> {
    return { order, items: await this.orders.itemsOf([order.id]) };
  }

  async findByIdempotencyRef(ref: string): Promise<OrderWithItems | undefined> {
    const order = await this.orders.findByIdempotencyRef(ref);
    return order === undefined ? undefined : this.withItems(order);
  }

  findAnyById(id: string): Promise<OrderRow | undefined> {
    return this.orders.findAnyById(id);
  }

  awaitingPaymentSince(before: Date, limit: number): Promise<OrderRow[]> {
    return this.orders.awaitingPaymentSince(before, limit);
  }

  /**
   * `awaiting_payment` → `paid`, with its history entry and other modules' locks and writes
   * (OrdersRepository.settlePayment), in one statement. Returns the order as it now is, or undefined
   * when it had left that state (someone else settled it; then none of the writes happened).
   */
  async markPaid(
    order: OrderRow,
    payment: { provider: string; chargeId: string },
    at: Date,
    also: { lockFirst?: readonly LockFirst[]; whenSettled?: readonly DependentWrite[] } = {},
  ): Promise<OrderRow | undefined> {
    const values = { paymentProvider: payment.provider, paymentReference: payment.chargeId };
    const moved = await this.orders.settlePayment(order.id, { status: 'paid', at, ...values }, also);
    return moved ? { ...order, ...values, status: 'paid', pendingCartId: null, updatedAt: at } : undefined;
  }

  /** `awaiting_payment` → `payment_failed` (kept for audit); false when the order had left that state. */
  markPaymentFailed(id: string, reason: string, at: Date): Promise<boolean> {
    return this.orders.settlePayment(id, { status: 'payment_failed', at, paymentFailure: reason });
  }
}
