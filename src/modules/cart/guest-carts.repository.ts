import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, eq, getTableColumns, isNotNull, isNull, lt, sql, SQLWrapper, Subquery } from 'drizzle-orm';
import { CartRow, cartItems, carts, products } from '../../database/schema';
import { ASYNCHRONOUS_COMMIT } from '../../database/asynchronous-commit';
import { LeadingRows, leadingCtes } from '../../database/dependent-write';
import { Placeholders, placeholdersOf, statement } from '../../database/statement';
import { Db } from '../../database/db';
import { TxHost } from '../../database/transaction';
import type {
  SessionLockValues,
  SessionPart,
  SessionView,
  SessionReadValues,
  SessionTouchValues,
} from '../guest-session/guest-session.service';
import { CartItemWithProduct, CartLine, CartProduct } from './cart-rules';
import { PRODUCT_FOR_SALE_COLUMNS } from '../catalog/catalog.service';
import { lineWriteBodies, lineWrites, LineWriteValues, unchangedCartLock } from './cart.repository';

/** What the guest cart reads use of the cart's row: its id, whether it was merged, when it last changed. */
export type GuestCartRow = Pick<CartRow, 'id' | 'mergedAt' | 'updatedAt'>;

const GUEST_CART_COLUMNS = {
  id: carts.id,
  mergedAt: carts.mergedAt,
  updatedAt: carts.updatedAt,
} satisfies { [K in keyof GuestCartRow]: unknown };

/** An active session (as read: GuestSessionService.slideIfDue slides its expiry) with its cart (if any) and the cart's lines. */
export interface GuestCartRead {
  session: SessionView;
  cart: GuestCartRow | null;
  /** the cart row's version (xmin) when it was read; null without a cart */
  cartVersion: string | null;
  items: CartItemWithProduct[];
}

/** A merge's locks (GuestCartsRepository.lockForMerge): the session, its cart and the user's cart. */
export interface MergeLocks {
  session: SessionView;
  /** null: the session has no cart yet */
  guestCart: CartRow | null;
  /** null: the user has no cart yet */
  userCart: CartRow | null;
}

/** The values of the merge's cart writes (mergeWritesPart): both carts, the user, the user cart's lines. */
export type MergeWriteValues = LineWriteValues & { userCartId: string; guestCartId: string; userId: string };

/** A cart row's columns, as a CTE of cart rows returns them. */
const CART_COLUMNS = getTableColumns(carts);

/** What a left join of a CTE of cart rows gave: Drizzle maps a missing row to null or to an object of nulls. */
function cartOrNull(row: CartRow | { [K in keyof CartRow]: CartRow[K] | null } | null): CartRow | null {
  return row?.id == null ? null : (row as CartRow);
}

/**
 * A CTE named `name`: the cart of the session that the CTE `session` holds, row-locked. FOR UPDATE waits
 * for the cart's lock and then returns the row as its holder committed it.
 */
function sessionCartLocked<N extends string>(db: Db, name: N, session: Subquery) {
  return db.$with(name).as(
    db
      .select()
      .from(carts)
      .where(eq(carts.guestSessionId, sql`(select ${sql.identifier('id')} from ${session})`))
      .for('update'),
  );
}

/** The cart side of a merge, leading the merge module's statement (see mergeWritesPart). */
export type MergeWritesPart = LeadingRows<typeof CART_COLUMNS>;

/** The columns of a CTE of cart rows as a selection (Drizzle maps their values as the table's). */
function cartColumnsOf<T extends { [K in keyof CartRow]: unknown }>(cte: T): { [K in keyof CartRow]: T[K] } {
  return Object.fromEntries(Object.keys(CART_COLUMNS).map((key) => [key, cte[key as keyof CartRow]])) as {
    [K in keyof CartRow]: T[K];
  };
}

/**
 * The cart side of a merge as the leading CTEs of the merge module's statement (dependent-write.ts): the
 * user cart's lines become the planned ones (lineWrites), the guest cart is emptied and marked merged
 * into the user, and the user cart's row is rewritten; its rows (`merged`) are the user cart as written.
 * Placeholders: MergeWriteValues. Both carts are row-locked by the caller's transaction (lockForMerge).
 */
function mergeWritesPart(): MergeWritesPart {
  const p = placeholdersOf<MergeWriteValues>();
  const { upserted, removed } = lineWriteBodies(sql`${p.userCartId}::uuid`, p);
  const column = (c: { name: string }) => sql.identifier(c.name);
  return {
    before: [
      { name: 'upserted', body: upserted },
      { name: 'removed', body: removed },
      {
        name: 'guest_emptied',
        body: sql`delete from ${cartItems} where ${cartItems.cartId} = ${p.guestCartId}::uuid
                  returning ${cartItems.productId}`,
      },
      {
        name: 'guest_marked',
        body: sql`update ${carts}
                     set ${column(carts.mergedIntoUserId)} = ${p.userId}::uuid,
                         ${column(carts.mergedAt)} = ${p.now}::timestamptz,
                         ${column(carts.updatedAt)} = ${p.now}::timestamptz
                   where ${carts.id} = ${p.guestCartId}::uuid
               returning ${carts.id}`,
      },
    ],
    name: 'merged',
    body: sql`update ${carts} set ${column(carts.updatedAt)} = ${p.now}::timestamptz
               where ${carts.id} = ${p.userCartId}::uuid
           returning *`,
    columns: CART_COLUMNS,
  };
}

/** The carts of guest sessions: each session owns at most one (carts.guest_session_id is unique). */
@Injectable()
export class GuestCartsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /**
   * GET guest cart, the busiest endpoint, in one round trip: the guest-session module's read of the
   * session (its CTEs lead the statement) joined to the cart, its lines and their products.
   */
  static readonly readWithSession = statement(
    'guest_session_read_with_cart',
    (db, _p: Placeholders<SessionReadValues>, session: SessionPart) => {
      const { ctes, cte: current, columns } = leadingCtes(db, session);
      return db
        .with(...ctes)
        .select({
          session: columns,
          cart: GUEST_CART_COLUMNS,
          // the row version a checkout's placement checks the cart against (CartRepository.unchangedLock)
          cartVersion: sql<string | null>`${carts}.xmin::text`,
          quantity: cartItems.quantity,
          addedAt: cartItems.addedAt,
          product: PRODUCT_FOR_SALE_COLUMNS,
        })
        .from(current)
        .leftJoin(carts, eq(carts.guestSessionId, current.id))
        .leftJoin(cartItems, eq(cartItems.cartId, carts.id))
        .leftJoin(products, eq(products.id, cartItems.productId));
    },
  );

  /**
   * The active session and, in the same statement, its cart with its lines and products; undefined
   * when the session is not active (the statement found no session row).
   */
  async readWithSession(session: SessionPart, values: SessionReadValues): Promise<GuestCartRead | undefined> {
    const rows = await GuestCartsRepository.readWithSession.run(this.txHost, values, session);
    if (rows.length === 0) return undefined;
    const lines = rows.flatMap((row) =>
      row.product !== null && row.quantity !== null && row.addedAt !== null
        ? [{ at: row.addedAt.getTime(), item: { quantity: row.quantity, product: row.product } }]
        : [],
    );
    // the lines' order, added_at (to the millisecond) then product id, is the app's: PostgreSQL's sort
    // of the rows cost it 5–7 µs of its ~80 µs per GET guest cart (bench:ab), this sort of a few lines far
    // less. A product is in a cart once, and a uuid's text compares as PostgreSQL orders uuids.
    lines.sort((a, b) => a.at - b.at || (a.item.product.id < b.item.product.id ? -1 : 1));
    const items = lines.map((line) => line.item);
    return { session: rows[0].session, cart: rows[0].cart, cartVersion: rows[0].cartVersion, items };
  }

  /**
   * The active session (not touched) with its cart row and the row's version, and the products of the
   * lines about to be written (`productIds`), in one statement without the cart's lines: what POST guest
   * cart checks before its write (replaceIfUnchanged). One row per product found, or one with no product.
   */
  static readonly sessionWithCartAndProducts = statement(
    'guest_session_with_cart_row_and_products',
    (db, p: Placeholders<SessionReadValues & { productIds: string[] }>, session: SessionPart) => {
      const { ctes, cte: current, columns } = leadingCtes(db, session);
      return db
        .with(...ctes)
        .select({
          session: columns,
          cart: GUEST_CART_COLUMNS,
          cartVersion: sql<string | null>`${carts}.xmin::text`,
          product: PRODUCT_FOR_SALE_COLUMNS,
        })
        .from(current)
        .leftJoin(carts, eq(carts.guestSessionId, current.id))
        .leftJoin(products, sql`${products.id} = any(${p.productIds}::uuid[])`);
    },
  );

  /** See sessionWithCartAndProducts; undefined when the session is not active. */
  async sessionWithCartAndProducts(
    session: SessionPart,
    values: SessionReadValues & { productIds: string[] },
  ): Promise<(Omit<GuestCartRead, 'items'> & { products: Map<string, CartProduct> }) | undefined> {
    const rows = await GuestCartsRepository.sessionWithCartAndProducts.run(this.txHost, values, session);
    if (rows.length === 0) return undefined;
    const products = new Map(
      rows.flatMap((row) => (row.product === null ? [] : [[row.product.id, row.product]])),
    );
    return { session: rows[0].session, cart: rows[0].cart, cartVersion: rows[0].cartVersion, products };
  }

  /** Cart writes: the session's touch and its cart's row lock in one round trip. */
  static readonly touchAndLock = statement(
    'guest_session_touch_lock_cart',
    (db, _p: Placeholders<SessionTouchValues>, session: SessionPart) => {
      const { ctes, cte: touched, columns } = leadingCtes(db, session);
      const locked = sessionCartLocked(db, 'locked', touched);
      return db
        .with(...ctes, locked)
        .select({ session: columns, cart: cartColumnsOf(locked) })
        .from(touched)
        .leftJoin(locked, sql`true`);
    },
  );

  /**
   * The touched session and its cart, row-locked for the rest of the transaction (null when the
   * session has no cart yet); undefined when the session is not active.
   */
  async touchAndLock(
    session: SessionPart,
    values: SessionTouchValues,
  ): Promise<{ session: SessionView; cart: CartRow | null } | undefined> {
    const [row] = await GuestCartsRepository.touchAndLock.run(this.txHost, values, session);
    if (row === undefined) return undefined;
    return { session: row.session, cart: cartOrNull(row.cart) };
  }

  /**
   * POST guest cart without a transaction (GuestCartService.replace): the session touched (the guest-session
   * module's CTE leads, as in touchAndLock: the session's row, then the cart's, the lock order of every
   * guest cart write), its cart row-locked only if it is still the version its lines were read at
   * (`cartVersion`, its xmin) and not merged, then the whole cart write (lineWrites) and the cart's row
   * rewritten. Every change to a cart's lines rewrites its row, so an unchanged version means unchanged
   * lines; FOR UPDATE re-checks the condition on the row as its last writer committed it. Its commit does
   * not wait for the WAL flush (database/asynchronous-commit.ts). No row: the
   * session is no longer active, or the cart changed or was merged since the read; nothing was written
   * but, at most, the session's touch.
   */
  static readonly replaceIfUnchanged = statement(
    'guest_cart_replace_if_unchanged',
    (
      db,
      p: Placeholders<SessionTouchValues & LineWriteValues & { cartId: string; cartVersion: string }>,
      session: SessionPart,
    ) => {
      const { ctes, cte: touched, columns } = leadingCtes(db, session);
      const locked = db
        .$with('locked', { id: carts.id })
        .as(
          unchangedCartLock(sql`${carts.guestSessionId} = (select ${sql.identifier('id')} from ${touched})`),
        );
      const lockedId = sql`(select ${sql.identifier('id')} from ${locked})`;
      const { upserted, removed } = lineWrites(db, lockedId, p);
      return db
        .with(...ctes, locked, upserted, removed)
        .update(carts)
        .set({ updatedAt: sql`${p.now}::timestamptz` })
        .from(touched)
        .where(and(eq(carts.id, lockedId), ASYNCHRONOUS_COMMIT))
        .returning({ cart: GUEST_CART_COLUMNS, session: columns });
    },
    { asynchronousCommit: true },
  );

  /** See replaceIfUnchanged: the session and cart rows as written, or undefined when nothing was. */
  async replaceIfUnchanged(
    session: SessionPart,
    values: SessionTouchValues & { cartId: string; cartVersion: string },
    lines: readonly CartLine[],
  ): Promise<{ session: SessionView; cart: GuestCartRow } | undefined> {
    const [row] = await GuestCartsRepository.replaceIfUnchanged.run(
      this.txHost,
      {
        ...values,
        productIds: lines.map((line) => line.productId),
        quantities: lines.map((line) => line.quantity),
      },
      session,
    );
    return row;
  }

  /**
   * A merge's locks in one round trip, in the order every merge takes them: the session (the
   * guest-session module's part leads), then its cart, then the user's cart (a one-time filter on the
   * guest cart's CTE makes that lock wait for the first two). Undefined when the session does not exist.
   */
  static readonly lockForMerge = statement(
    'merge_lock_session_and_carts',
    (db, p: Placeholders<SessionLockValues & { userId: string }>, session: SessionPart) => {
      const { ctes, cte: locked, columns } = leadingCtes(db, session);
      const guest = sessionCartLocked(db, 'guest_cart', locked);
      const user = db.$with('user_cart').as(
        db
          .select()
          .from(carts)
          .where(and(eq(carts.userId, p.userId), sql`(select count(*) from ${guest}) >= 0`))
          .for('update'),
      );
      return db
        .with(...ctes, guest, user)
        .select({ session: columns, guestCart: cartColumnsOf(guest), userCart: cartColumnsOf(user) })
        .from(locked)
        .leftJoin(guest, sql`true`)
        .leftJoin(user, sql`true`);
    },
  );

  /** See lockForMerge: the session and both carts, row-locked for the rest of the transaction. */
  async lockForMerge(
    session: SessionPart,
    values: SessionLockValues & { userId: string },
  ): Promise<MergeLocks | undefined> {
    const [row] = await GuestCartsRepository.lockForMerge.run(this.txHost, values, session);
    if (row === undefined) return undefined;
    return { session: row.session, guestCart: cartOrNull(row.guestCart), userCart: cartOrNull(row.userCart) };
  }

  /** The cart side of a merge, for the merge module's statement (see mergeWritesPart). */
  readonly mergeWrites = mergeWritesPart();

  async create(sessionId: string, now: Date): Promise<CartRow> {
    const [row] = await this.txHost.tx
      .insert(carts)
      .values({ guestSessionId: sessionId, createdAt: now, updatedAt: now })
      .returning();
    return row;
  }

  /** The guest sessions whose cart was merged before `mergedBefore`, at most `limit`: a batch query to embed. */
  mergedSessionIds(mergedBefore: Date, limit: number): SQLWrapper {
    return this.txHost.tx
      .select({ id: carts.guestSessionId })
      .from(carts)
      .where(and(isNotNull(carts.guestSessionId), lt(carts.mergedAt, mergedBefore)))
      .limit(limit);
  }

  /** Unmerged guest carts holding at least one line. */
  async countWithItems(): Promise<number> {
    const [row] = await this.txHost.tx
      .select({ n: sql<number>`count(distinct ${carts.id})`.mapWith(Number) })
      .from(carts)
      .innerJoin(cartItems, eq(cartItems.cartId, carts.id))
      .where(and(isNotNull(carts.guestSessionId), isNull(carts.mergedAt)));
    return row.n;
  }
}
