import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, inArray, lt, notInArray, sql } from 'drizzle-orm';
import {
  OrderItemRow,
  orderItems,
  OrderRow,
  orders,
  OrderStatus,
  OrderStatusHistoryRow,
  orderStatusHistory,
} from '../../database/schema';
import { DependentWrite, LockFirst } from '../../database/dependent-write';
import { Placeholders, shapedStatement, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';
import { CHECKOUT_STATUSES } from './order-status';
import type { OrderLineView, OrderView } from './dto/order.dto';

/** Orders shoppers see: not in one of checkout's own states (contract §6). */
export const visible = () => notInArray(orders.status, [...CHECKOUT_STATUSES]);

/** A history entry as json_build_object writes it: its time as ISO text. */
type HistoryJson = { status: OrderStatusHistoryRow['status']; at: string };

/**
 * An order as its answer shows it, with its lines (by position) and status history (oldest first): the
 * columns the answer uses only (the lookup's read; no payment, idempotency or cart columns to send,
 * format and parse).
 */
export interface OrderDetails {
  order: OrderView;
  items: OrderLineView[];
  history: Pick<OrderStatusHistoryRow, 'status' | 'at'>[];
}

const ORDER_VIEW_COLUMNS = {
  id: orders.id,
  orderNumber: orders.orderNumber,
  status: orders.status,
  email: orders.email,
  firstName: orders.firstName,
  lastName: orders.lastName,
  phone: orders.phone,
  shippingAddress: orders.shippingAddress,
  subtotal: orders.subtotal,
  total: orders.total,
  currency: orders.currency,
  isGuest: orders.isGuest,
  createdAt: orders.createdAt,
  carrier: orders.carrier,
  trackingNumber: orders.trackingNumber,
} satisfies { [K in keyof OrderView]: unknown };

/** Placed orders: the lookup's reads, status changes and their history, the payment step's settlement. */
@Injectable()
export class OrdersRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  static readonly insertHistory = statement(
    'order_history_insert',
    (db, p: Placeholders<{ orderId: string; status: OrderStatus; at: Date; note: string | null }>) =>
      db.insert(orderStatusHistory).values({ orderId: p.orderId, status: p.status, at: p.at, note: p.note }),
  );

  async insertHistory(
    orderId: string,
    status: OrderStatus,
    at: Date,
    note: string | null = null,
  ): Promise<void> {
    await OrdersRepository.insertHistory.run(this.txHost, { orderId, status, at, note });
  }

  /** A shopper-visible order by number (a user's own order, conversion). */
  static readonly byNumber = statement('order_by_number', (db, p: Placeholders<{ orderNumber: string }>) =>
    db
      .select()
      .from(orders)
      .where(and(eq(orders.orderNumber, p.orderNumber), visible())),
  );

  async findByNumber(orderNumber: string): Promise<OrderRow | undefined> {
    const [row] = await OrdersRepository.byNumber.run(this.txHost, { orderNumber });
    return row;
  }

  /**
   * A guest lookup's one read (contract §7), the public read path: the visible order by number with its
   * lines and status history, aggregated as JSON by PostgreSQL, in one prepared statement (it was three
   * round trips: the order, then its lines, then its history). The outer row is named `"orders".id`:
   * Drizzle writes `${orders.id}` unqualified in a one-table select, which inside the history subquery
   * would mean the history row's own id.
   */
  static readonly byNumberWithDetails = statement(
    'order_by_number_with_details',
    (db, p: Placeholders<{ orderNumber: string }>) =>
      db
        .select({
          order: ORDER_VIEW_COLUMNS,
          items: sql<OrderLineView[]>`(
            select coalesce(json_agg(json_build_object(
                     'productId', i.product_id, 'sku', i.sku, 'name', i.name, 'unitPrice', i.unit_price,
                     'quantity', i.quantity, 'lineTotal', i.line_total) order by i.position), '[]'::json)
              from ${orderItems} i where i.order_id = ${orders}.id)`,
          history: sql<HistoryJson[]>`(
            select coalesce(json_agg(json_build_object('status', h.status, 'at', h.at)
                     order by h.at, h.status), '[]'::json) -- ties: enum order is flow order
              from ${orderStatusHistory} h where h.order_id = ${orders}.id)`,
        })
        .from(orders)
        .where(and(eq(orders.orderNumber, p.orderNumber), visible())),
  );

  async findByNumberWithDetails(orderNumber: string): Promise<OrderDetails | undefined> {
    const [row] = await OrdersRepository.byNumberWithDetails.run(this.txHost, { orderNumber });
    if (row === undefined) return undefined;
    const history = row.history.map((entry) => ({ ...entry, at: new Date(entry.at) }));
    return { order: row.order, items: row.items, history };
  }

  /** A shopper-visible order by id. */
  async findById(id: string): Promise<OrderRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(orders)
      .where(and(eq(orders.id, id), visible()));
    return row;
  }

  /** Any order, whatever its state (checkout and its reconciler). */
  async findAnyById(id: string): Promise<OrderRow | undefined> {
    const [row] = await this.txHost.tx.select().from(orders).where(eq(orders.id, id));
    return row;
  }

  /** The order an Idempotency-Key created (contract §6: a retry finishes it, never places another). */
  async findByIdempotencyRef(ref: string): Promise<OrderRow | undefined> {
    const [row] = await this.txHost.tx.select().from(orders).where(eq(orders.idempotencyRef, ref));
    return row;
  }

  /** Orders left `awaiting_payment` since before `before`, oldest first (the reconciler's work). */
  async awaitingPaymentSince(before: Date, limit: number): Promise<OrderRow[]> {
    return this.txHost.tx
      .select()
      .from(orders)
      .where(and(eq(orders.status, 'awaiting_payment'), lt(orders.createdAt, before)))
      .orderBy(asc(orders.createdAt))
      .limit(limit);
  }

  /** settlePayment's statement: one shape per set of locks and dependent writes it carries. */
  static readonly settle = shapedStatement('order_settle');

  /**
   * Ends checkout's payment step and writes its history entry, in one statement: only an order still
   * `awaiting_payment` moves (one winner). `also.lockFirst` are other modules' row locks taken before
   * the order's (checkout's lock order: cart, then order); `also.whenSettled` their writes (emptying the
   * cart, queueing the mail) that happen only if this call moved the order. True when it moved it.
   */
  async settlePayment(
    id: string,
    values: { status: 'paid' | 'payment_failed'; at: Date } & Partial<
      Pick<OrderRow, 'paymentProvider' | 'paymentReference' | 'paymentFailure'>
    >,
    also: { lockFirst?: readonly LockFirst[]; whenSettled?: readonly DependentWrite[] } = {},
  ): Promise<boolean> {
    const column = (c: { name: string }) => sql.identifier(c.name);
    const at = values.at.toISOString();
    const guard = sql`exists (select 1 from settled)`;
    const locks = (also.lockFirst ?? []).map(
      (lock, i) => sql`${sql.identifier(`locked_${i}`)} as (${lock}), `,
    );
    // a one-time filter: every lock is taken (waited for) before the order's row is read and locked
    const locksTaken = (also.lockFirst ?? []).map(
      (_, i) => sql` and (select count(*) from ${sql.identifier(`locked_${i}`)}) >= 0`,
    );
    const dependents = (also.whenSettled ?? []).map(
      (write, i) => sql`, ${sql.identifier(`dependent_${i}`)} as (${write(guard)})`,
    );
    const result = await OrdersRepository.settle.run(
      this.txHost,
      sql`
      with ${sql.join(locks)}settled as (
        update ${orders}
           set ${column(orders.status)} = ${values.status}::order_status,
               ${column(orders.paymentProvider)} = coalesce(${values.paymentProvider ?? null}, ${column(orders.paymentProvider)}),
               ${column(orders.paymentReference)} = coalesce(${values.paymentReference ?? null}, ${column(orders.paymentReference)}),
               ${column(orders.paymentFailure)} = ${values.paymentFailure ?? null},
               ${column(orders.pendingCartId)} = null,
               -- a failed attempt frees its key: a retry after an outage may place a new order
               ${column(orders.idempotencyRef)} = case when ${values.status} = 'payment_failed' then null
                                                  else ${column(orders.idempotencyRef)} end,
               ${column(orders.updatedAt)} = ${at}::timestamptz
         where ${column(orders.id)} = ${id} and ${column(orders.status)} = 'awaiting_payment'${sql.join(locksTaken)}
         returning ${column(orders.id)}
      ), history as (
        insert into ${orderStatusHistory} (${column(orderStatusHistory.orderId)}, ${column(orderStatusHistory.status)}, ${column(orderStatusHistory.at)})
        select id, ${values.status}::order_status, ${at}::timestamptz from settled
      )${sql.join(dependents)}
      select id from settled`,
    );
    return result.rows.length === 1;
  }

  async lock(id: string): Promise<OrderRow | undefined> {
    const [row] = await this.txHost.tx.select().from(orders).where(eq(orders.id, id)).for('update');
    return row;
  }

  async findForUser(userId: string, limit: number): Promise<OrderRow[]> {
    return this.txHost.tx
      .select()
      .from(orders)
      .where(and(eq(orders.userId, userId), visible()))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(limit);
  }

  static readonly itemsOfOne = statement('order_items_of_one', (db, p: Placeholders<{ orderId: string }>) =>
    db.select().from(orderItems).where(eq(orderItems.orderId, p.orderId)).orderBy(asc(orderItems.position)),
  );

  /** Lines of several orders in one query. */
  async itemsOf(orderIds: readonly string[]): Promise<OrderItemRow[]> {
    if (orderIds.length === 0) return [];
    if (orderIds.length === 1) return OrdersRepository.itemsOfOne.run(this.txHost, { orderId: orderIds[0] });
    return this.txHost.tx
      .select()
      .from(orderItems)
      .where(inArray(orderItems.orderId, [...orderIds]))
      .orderBy(asc(orderItems.position));
  }

  async updateStatus(
    id: string,
    from: OrderStatus,
    to: OrderStatus,
    at: Date,
    tracking: { carrier?: string; trackingNumber?: string },
  ): Promise<OrderRow | undefined> {
    const [row] = await this.txHost.tx
      .update(orders)
      .set({
        status: to,
        updatedAt: at,
        ...(tracking.carrier === undefined ? {} : { carrier: tracking.carrier }),
        ...(tracking.trackingNumber === undefined ? {} : { trackingNumber: tracking.trackingNumber }),
      })
      .where(and(eq(orders.id, id), eq(orders.status, from)))
      .returning();
    return row;
  }
}
