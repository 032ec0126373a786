import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { getTableColumns, SQL, sql } from 'drizzle-orm';
import { orderItems, OrderRow, orders } from '../../database/schema';
import { DependentWrite, LockFirst } from '../../database/dependent-write';
import { Placeholders, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';

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
  /** the guest session's expiry slid, only when `guard` holds (placeholders sessionId, sessionNow, sessionExpiresAt) */
  sessionTouchWhen: DependentWrite;
}

/** The conditions of a placement and the values of its parts. */
export type PlacementConditions = {
  cartId: string | null;
  cartVersion: string | null;
  guestEmail: string | null;
  sessionId: string | null;
  sessionNow: string | null;
  sessionExpiresAt: string | null;
};

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

type PlaceValues = { [K in keyof NewOrderInput]-?: unknown } & PlacementConditions & {
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

/** Checkout's step 1: the order placed, with its lines and the stock taken, in one statement. */
@Injectable()
export class OrderPlacementRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

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
      const touched = db
        .$with('session_touched', { id: sql<string>`id` })
        .as(parts.sessionTouchWhen(sql`exists (select 1 from ${created})`));
      return db
        .with(cart, stock, ready, created, lines, taken, touched)
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

  /** See OrderPlacementRepository.place; the values are encoded here (the statement's SQL casts them). */
  async place(
    order: NewOrderInput,
    lines: readonly Omit<NewOrderItem, 'orderId'>[],
    conditions: PlacementConditions,
    parts: PlacementParts,
  ): Promise<Placement> {
    const values = Object.fromEntries(ORDER_INSERT_COLUMNS.map((c) => [c, encode(order[c])])) as PlaceValues;
    const [row] = await OrderPlacementRepository.place.run(
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
}

/** A value as the placement statement's casts read it: dates as ISO text, JSON as its text. */
function encode(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}
