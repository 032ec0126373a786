import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  inArray,
  isNull,
  lt,
  notInArray,
  or,
  SQL,
  sql,
} from 'drizzle-orm';
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
import { hotStatement } from '../../database/hot-statement';
import { Placeholders, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';
import { CHECKOUT_STATUSES } from './order-status';

export type NewOrder = typeof orders.$inferInsert;

/** Every column a checkout writes; the others (carrier, tracking number, id) take their defaults. */
const ORDER_INSERT_COLUMNS = [
  'orderNumber',
  'status',
  'email',
  'firstName',
  'lastName',
  'phone',
  'shippingAddress',
  'isGuest',
  'userId',
  'guestSessionId',
  'subtotal',
  'total',
  'currency',
  'paymentProvider',
  'paymentReference',
  'notes',
  'pendingCartId',
  'idempotencyRef',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof NewOrder)[];

export type NewOrderInput = Pick<NewOrder, (typeof ORDER_INSERT_COLUMNS)[number]>;
export type NewOrderItem = typeof orderItems.$inferInsert;

/** Orders shoppers see: not in one of checkout's own states (contract §6). */
const visible = () => notInArray(orders.status, [...CHECKOUT_STATUSES]);

/** The other modules' SQL in the placement statement (database/dependent-write.ts). */
export interface PlacementParts {
  /** true when the customer may order as a guest (placeholder guestEmail; null: no condition) */
  guestEmailFree: SQL;
  /** the source cart's row lock, taken only if the cart is as it was read (placeholders cartId, cartVersion) */
  cart: LockFirst;
  stock: {
    /** the lines' product rows locked (id, stock, unit_price, is_active), `after` evaluated first */
    lock: (after: SQL) => SQL;
    /** true when the locked rows serve every line at the price it was priced at */
    fits: (locked: SQL) => SQL;
    /** the units taken, only when `guard` holds */
    takeWhen: DependentWrite;
  };
}

/** A line's product as the placement statement found it under its lock. */
export interface LockedStock {
  id: string;
  stock: number;
  unitPrice: number;
  isActive: boolean;
}

export interface Placement {
  /** the order written with its lines and the stock taken; undefined when nothing was written */
  order: OrderRow | undefined;
  /** the cart was locked unchanged (always true for an order without a cart) */
  cartUnchanged: boolean;
  /** every line fits the locked stock and prices */
  stockFits: boolean;
  /** no account uses the guest's email (always true without one) */
  guestEmailFree: boolean;
  stock: LockedStock[];
}

type PlaceValues = { [K in keyof NewOrderInput]-?: unknown } & {
  cartId: string | null;
  cartVersion: string | null;
  guestEmail: string | null;
  productIds: string[];
  skus: string[];
  names: string[];
  unitPrices: number[];
  quantities: number[];
  lineTotals: number[];
  positions: number[];
};

const ORDER_LINE_COLUMNS = [
  'productId',
  'sku',
  'name',
  'unitPrice',
  'quantity',
  'lineTotal',
  'position',
] as const satisfies readonly (keyof NewOrderItem)[];

@Injectable()
export class OrdersRepository {
  /** The three reads of a lookup (contract §7), the public read path: prepared statements. */
  private readonly byNumberStatement: (values: { orderNumber: string }) => Promise<OrderRow[]>;
  private readonly itemsOfOneStatement: (values: { orderId: string }) => Promise<OrderItemRow[]>;
  private readonly historyStatement: (values: { orderId: string }) => Promise<OrderStatusHistoryRow[]>;
  /** The fixed-shape writes of every checkout: prepared too. */
  private readonly insertWithItemsStatement: (
    values: Required<NewOrderInput> & {
      productIds: string[];
      skus: string[];
      names: string[];
      unitPrices: number[];
      quantities: number[];
      lineTotals: number[];
      positions: number[];
    },
  ) => Promise<OrderRow[]>;
  private readonly insertHistoryStatement: (values: {
    orderId: string;
    status: OrderStatus;
    at: Date;
    note: string | null;
  }) => Promise<unknown>;

  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {
    this.byNumberStatement = hotStatement(txHost, 'order_by_number', (db) =>
      db
        .select()
        .from(orders)
        .where(and(eq(orders.orderNumber, sql.placeholder('orderNumber')), visible())),
    );
    this.itemsOfOneStatement = hotStatement(txHost, 'order_items_of_one', (db) =>
      db
        .select()
        .from(orderItems)
        .where(eq(orderItems.orderId, sql.placeholder('orderId')))
        .orderBy(asc(orderItems.position)),
    );
    this.historyStatement = hotStatement(
      txHost,
      'order_history',
      (db) =>
        db
          .select()
          .from(orderStatusHistory)
          .where(eq(orderStatusHistory.orderId, sql.placeholder('orderId')))
          .orderBy(asc(orderStatusHistory.at), asc(orderStatusHistory.status)), // ties: enum order is flow order
    );
    // An order and its lines (any number, as arrays) in one round trip: the lines' CTE reads the order's
    // id from the insert's RETURNING, and inserts nothing when the order number was taken.
    this.insertWithItemsStatement = hotStatement(txHost, 'order_insert_with_items', (db) => {
      const placeholders = Object.fromEntries(
        ORDER_INSERT_COLUMNS.map((column) => [column, sql.placeholder(column)]),
      ) as unknown as NewOrder;
      const created = db
        .$with('created', getTableColumns(orders))
        .as(
          db
            .insert(orders)
            .values(placeholders)
            .onConflictDoNothing({ target: orders.orderNumber })
            .returning()
            .getSQL(),
        );
      const column = (c: { name: string }) => sql.identifier(c.name);
      const lines = db
        .$with('lines', { orderId: orderItems.orderId })
        .as(
          sql`insert into ${orderItems} (${sql.join(
            [
              orderItems.orderId,
              orderItems.productId,
              orderItems.sku,
              orderItems.name,
              orderItems.unitPrice,
              orderItems.quantity,
              orderItems.lineTotal,
              orderItems.position,
            ].map(column),
            sql`, `,
          )}) select ${sql.identifier('created')}.${column(orders.id)}, i.product_id, i.sku, i.name, i.unit_price, i.quantity, i.line_total, i.position from ${sql.identifier('created')}, unnest(${sql.placeholder('productIds')}::uuid[], ${sql.placeholder('skus')}::text[], ${sql.placeholder('names')}::text[], ${sql.placeholder('unitPrices')}::bigint[], ${sql.placeholder('quantities')}::int[], ${sql.placeholder('lineTotals')}::bigint[], ${sql.placeholder('positions')}::int[]) as i(product_id, sku, name, unit_price, quantity, line_total, position) returning ${column(orderItems.orderId)}`,
        );
      return db.with(created, lines).select().from(created);
    });
    this.insertHistoryStatement = hotStatement(txHost, 'order_history_insert', (db) =>
      db.insert(orderStatusHistory).values({
        orderId: sql.placeholder('orderId'),
        status: sql.placeholder('status'),
        at: sql.placeholder('at'),
        note: sql.placeholder('note'),
      }),
    );
  }

  /**
   * Inserts an order with its lines, in one statement, unless the order number is taken (then undefined
   * and nothing is written: draw another number).
   */
  async insertWithItemsIfNumberFree(
    order: NewOrderInput,
    lines: readonly Omit<NewOrderItem, 'orderId'>[],
  ): Promise<OrderRow | undefined> {
    const values = Object.fromEntries(
      ORDER_INSERT_COLUMNS.map((column) => [column, order[column] ?? null]),
    ) as Required<NewOrderInput>;
    const [row] = await this.insertWithItemsStatement({
      ...values,
      productIds: lines.map((line) => line.productId),
      skus: lines.map((line) => line.sku),
      names: lines.map((line) => line.name),
      unitPrices: lines.map((line) => line.unitPrice),
      quantities: lines.map((line) => line.quantity),
      lineTotals: lines.map((line) => line.lineTotal),
      positions: lines.map((line) => line.position),
    });
    return row;
  }

  /**
   * Checkout's step 1 as one statement, atomic on its own (no BEGIN/COMMIT): the source cart locked if
   * unchanged, the lines' products locked (cart, then products: checkout's lock order), and only when
   * both hold the order with its lines is written and the stock taken. The order number is drawn by the
   * caller; when it was taken nothing is written (`order` undefined with both conditions true).
   */
  static readonly place = statement(
    'order_place',
    (db, p: Placeholders<PlaceValues>, parts: PlacementParts) => {
      const column = (c: { name: string }) => sql.identifier(c.name);
      const cart = db.$with('cart', { id: sql<string>`id` }).as(parts.cart);
      const stock = db
        .$with('stock', { id: sql<string>`id` })
        .as(parts.stock.lock(sql`(select count(*) from ${cart}) >= 0`));
      const ready = db.$with('ready', { ok: sql<boolean>`ok` }).as(
        sql`select (${p.cartId}::uuid is null or exists (select 1 from ${cart}))
                   and ${parts.stock.fits(sql`${stock}`)} and ${parts.guestEmailFree} as ok`,
      );
      const created = db.$with('created', getTableColumns(orders)).as(
        sql`insert into ${orders} (${sql.join(
          ORDER_INSERT_COLUMNS.map((c) => column(orders[c])),
          sql`, `,
        )})
            select ${sql.join(
              ORDER_INSERT_COLUMNS.map((c) => sql`${p[c]}::${sql.raw(orders[c].getSQLType())}`),
              sql`, `,
            )}
             where (select ok from ${ready})
                on conflict (${column(orders.orderNumber)}) do nothing
         returning *`,
      );
      const lines = db.$with('lines', { orderId: orderItems.orderId }).as(
        sql`insert into ${orderItems} (${column(orderItems.orderId)}, ${sql.join(
          ORDER_LINE_COLUMNS.map((c) => column(orderItems[c])),
          sql`, `,
        )})
            select created.id, line.*
              from ${created},
                   unnest(${p.productIds}::uuid[], ${p.skus}::text[], ${p.names}::text[], ${p.unitPrices}::bigint[],
                          ${p.quantities}::int[], ${p.lineTotals}::bigint[], ${p.positions}::int[]) as line
         returning ${column(orderItems.orderId)}`,
      );
      const taken = db
        .$with('taken', { id: sql<string>`id` })
        .as(parts.stock.takeWhen(sql`exists (select 1 from ${created})`));
      return db
        .with(cart, stock, ready, created, lines, taken)
        .select({
          stockFits: sql<boolean>`${parts.stock.fits(sql`${stock}`)}`,
          cartUnchanged: sql<boolean>`(${p.cartId}::uuid is null or exists (select 1 from ${cart}))`,
          guestEmailFree: sql<boolean>`${parts.guestEmailFree}`,
          stock: sql<LockedStock[]>`(select coalesce(json_agg(json_build_object(
                   'id', s.id, 'stock', s.stock, 'unitPrice', s.unit_price, 'isActive', s.is_active)), '[]')
                   from ${stock} s)`,
          order: Object.fromEntries(
            Object.keys(getTableColumns(orders)).map((key) => [key, created[key as keyof OrderRow]]),
          ) as { [K in keyof OrderRow]: (typeof created)[K] },
        })
        .from(ready)
        .leftJoin(created, sql`true`);
    },
  );

  /** See OrdersRepository.place; the values are encoded here (the statement's SQL casts them). */
  async place(
    order: NewOrderInput,
    lines: readonly Omit<NewOrderItem, 'orderId'>[],
    conditions: { cartId: string | null; cartVersion: string | null; guestEmail: string | null },
    parts: PlacementParts,
  ): Promise<Placement> {
    const values = Object.fromEntries(ORDER_INSERT_COLUMNS.map((c) => [c, encode(order[c])])) as PlaceValues;
    const [row] = await OrdersRepository.place.run(
      this.txHost,
      {
        ...values,
        ...conditions,
        productIds: lines.map((line) => line.productId),
        skus: lines.map((line) => line.sku),
        names: lines.map((line) => line.name),
        unitPrices: lines.map((line) => line.unitPrice),
        quantities: lines.map((line) => line.quantity),
        lineTotals: lines.map((line) => line.lineTotal),
        positions: lines.map((line) => line.position),
      },
      parts,
    );
    return {
      order: row.order === null || row.order.id === null ? undefined : row.order,
      cartUnchanged: row.cartUnchanged,
      stockFits: row.stockFits,
      guestEmailFree: row.guestEmailFree,
      stock: row.stock,
    };
  }

  async insertHistory(
    orderId: string,
    status: OrderStatus,
    at: Date,
    note: string | null = null,
  ): Promise<void> {
    await this.insertHistoryStatement({ orderId, status, at, note });
  }

  async findByNumber(orderNumber: string): Promise<OrderRow | undefined> {
    const [row] = await this.byNumberStatement({ orderNumber });
    return row;
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
    const result = await this.txHost.tx.execute(sql`
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
      select id from settled`);
    return (result as { rows: unknown[] }).rows.length === 1;
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

  /** Lines of several orders in one query. */
  async itemsOf(orderIds: readonly string[]): Promise<OrderItemRow[]> {
    if (orderIds.length === 0) return [];
    if (orderIds.length === 1) return this.itemsOfOneStatement({ orderId: orderIds[0] });
    return this.txHost.tx
      .select()
      .from(orderItems)
      .where(inArray(orderItems.orderId, [...orderIds]))
      .orderBy(asc(orderItems.position));
  }

  historyOf(orderId: string): Promise<OrderStatusHistoryRow[]> {
    return this.historyStatement({ orderId });
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

  /**
   * Links unlinked guest orders with this email to a user: those listed by id, those placed in a guest
   * session, or (`all`) every one. The email condition is in SQL, so nothing else can ever be linked.
   */
  async linkGuestOrders(
    userId: string,
    email: string,
    which: { orderIds?: readonly string[]; sessionId?: string | null; all?: boolean },
  ): Promise<OrderRow[]> {
    const selectors = [
      which.all === true ? sql`true` : undefined,
      which.orderIds !== undefined && which.orderIds.length > 0
        ? inArray(orders.id, [...which.orderIds])
        : undefined,
      which.sessionId ? eq(orders.guestSessionId, which.sessionId) : undefined,
    ].filter((selector) => selector !== undefined);
    if (selectors.length === 0) return [];
    return this.txHost.tx
      .update(orders)
      .set({ userId })
      .where(
        and(
          eq(orders.isGuest, true),
          isNull(orders.userId),
          eq(orders.email, email),
          visible(),
          or(...selectors),
        ),
      )
      .returning();
  }

  async countUnlinkedGuestOrders(email: string): Promise<number> {
    const [row] = await this.txHost.tx
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(orders)
      .where(and(eq(orders.isGuest, true), isNull(orders.userId), eq(orders.email, email), visible()));
    return row.n;
  }

  async newestGuestOrderByEmail(email: string): Promise<OrderRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(orders)
      .where(and(eq(orders.isGuest, true), eq(orders.email, email), visible()))
      .orderBy(desc(orders.createdAt))
      .limit(1);
    return row;
  }

  async countGuestOrders(): Promise<number> {
    const [row] = await this.txHost.tx
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(orders)
      .where(and(eq(orders.isGuest, true), visible()));
    return row.n;
  }
}

/** A value as the placement statement's casts read it: dates as ISO text, JSON as its text. */
function encode(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}
