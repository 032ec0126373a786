import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, eq, getTableColumns, gt, sql } from 'drizzle-orm';
import {
  CartRow,
  cartItems,
  carts,
  GuestSessionRow,
  guestSessions,
  ProductRow,
  products,
} from '../../database/schema';
import { Db } from '../../database/db';
import { hotStatement } from '../../database/hot-statement';
import { TxHost } from '../../database/transaction';
import { CartItemWithProduct } from '../cart/cart-rules';

type Nullable<T> = { [K in keyof T]: T[K] | null };

type TouchValues = { id: string; now: string; expiresAt: string };
type ReadValues = TouchValues & { touchBefore: string };

/** An active session after its expiry slid, with its cart (if any) and the cart's lines. */
export interface TouchedSessionWithCart {
  session: GuestSessionRow;
  cart: CartRow | null;
  /** the cart row's version (xmin) when it was read; null without a cart */
  cartVersion: string | null;
  items: CartItemWithProduct[];
}

/** Slides the expiry of a session that has not expired (`now`, `expiresAt`, `id` placeholders). */
function touchActiveSession(db: Db) {
  return db
    .update(guestSessions)
    .set({
      lastActivityAt: sql`${sql.placeholder('now')}`,
      expiresAt: sql`${sql.placeholder('expiresAt')}`,
    })
    .where(
      and(eq(guestSessions.id, sql.placeholder('id')), gt(guestSessions.expiresAt, sql.placeholder('now'))),
    )
    .returning();
}

const SESSION_SELECTION = {
  id: guestSessions.id,
  createdAt: guestSessions.createdAt,
  lastActivityAt: guestSessions.lastActivityAt,
  expiresAt: guestSessions.expiresAt,
};

/** The touch as a CTE; Drizzle cannot type an UPDATE as one, so the selection maps its columns. */
function touchedSession(db: Db) {
  return db.$with('touched', SESSION_SELECTION).as(touchActiveSession(db).getSQL());
}

/**
 * A read's view of an active session (contract §4): its expiry slides only when it was last moved
 * before `touchBefore` (GUEST_SESSION_TOUCH_INTERVAL_SECONDS ago), so a read is usually only a read.
 * Two CTEs read the session as it is and touch it if due; `current` is the touched row, else the read one.
 */
function currentSession(db: Db) {
  const columns = sql.raw('id, created_at, last_activity_at, expires_at');
  const active = db
    .$with('active', SESSION_SELECTION)
    .as(
      sql`select ${columns} from ${guestSessions} where ${guestSessions.id} = ${sql.placeholder('id')} and ${guestSessions.expiresAt} > ${sql.placeholder('now')}`,
    );
  const touched = db.$with('touched', SESSION_SELECTION).as(
    sql`update ${guestSessions}
           set last_activity_at = ${sql.placeholder('now')}, expires_at = ${sql.placeholder('expiresAt')}
         where ${guestSessions.id} = (select id from active)
           and ${guestSessions.lastActivityAt} <= ${sql.placeholder('touchBefore')}
     returning ${columns}`,
  );
  const current = db
    .$with('current', SESSION_SELECTION)
    .as(
      sql`select ${columns} from touched union all select ${columns} from active where not exists (select 1 from touched)`,
    );
  return { active, touched, current };
}

/** The session row's columns as a session CTE returns them. */
function sessionOf(session: ReturnType<typeof touchedSession>) {
  return {
    id: session.id,
    createdAt: session.createdAt,
    lastActivityAt: session.lastActivityAt,
    expiresAt: session.expiresAt,
  };
}

@Injectable()
export class GuestSessionsRepository {
  /** Every guest-cart request starts here (GET, POST, order), so it is a prepared statement. */
  private readonly touchStatement: (values: TouchValues) => Promise<GuestSessionRow[]>;
  private readonly lockStatement: (values: { id: string }) => Promise<GuestSessionRow[]>;
  /** GET guest cart, the busiest endpoint, in one round trip: the touch as a CTE joined to the cart. */
  private readonly readWithCartStatement: (values: ReadValues) => Promise<
    {
      session: GuestSessionRow;
      cart: CartRow | null;
      cartVersion: string | null;
      quantity: number | null;
      product: ProductRow | null;
    }[]
  >;

  /** Cart writes and checkout: the touch and the cart's row lock in one round trip. */
  private readonly touchAndLockCartStatement: (
    values: TouchValues,
  ) => Promise<{ session: GuestSessionRow; cart: Nullable<CartRow> }[]>;

  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {
    this.touchStatement = hotStatement(txHost, 'guest_session_touch', touchActiveSession);
    this.lockStatement = hotStatement(txHost, 'guest_session_lock', (db) =>
      db
        .select()
        .from(guestSessions)
        .where(eq(guestSessions.id, sql.placeholder('id')))
        .for('update'),
    );
    this.readWithCartStatement = hotStatement(txHost, 'guest_session_read_with_cart', (db) => {
      const { active, touched, current } = currentSession(db);
      return db
        .with(active, touched, current)
        .select({
          session: {
            id: current.id,
            createdAt: current.createdAt,
            lastActivityAt: current.lastActivityAt,
            expiresAt: current.expiresAt,
          },
          cart: carts,
          // the row version a checkout's placement checks the cart against (CartRepository.unchangedLock)
          cartVersion: sql<string | null>`${carts}.xmin::text`,
          quantity: cartItems.quantity,
          product: products,
        })
        .from(current)
        .leftJoin(carts, eq(carts.guestSessionId, current.id))
        .leftJoin(cartItems, eq(cartItems.cartId, carts.id))
        .leftJoin(products, eq(products.id, cartItems.productId))
        .orderBy(asc(cartItems.addedAt), asc(cartItems.productId));
    });
    this.touchAndLockCartStatement = hotStatement(txHost, 'guest_session_touch_lock_cart', (db) => {
      const touched = touchedSession(db);
      // FOR UPDATE waits for the cart's lock and then returns the row as the holder committed it
      const locked = db.$with('locked').as(
        db
          .select()
          .from(carts)
          .where(eq(carts.guestSessionId, sql`(select ${sql.identifier('id')} from ${touched})`))
          .for('update'),
      );
      const cartColumns = Object.fromEntries(
        Object.keys(getTableColumns(carts)).map((key) => [key, locked[key as keyof CartRow]]),
      ) as { [K in keyof CartRow]: (typeof locked)[K] };
      return db
        .with(touched, locked)
        .select({
          session: sessionOf(touched),
          cart: cartColumns,
        })
        .from(touched)
        .leftJoin(locked, sql`true`);
    }) as (values: TouchValues) => Promise<{ session: GuestSessionRow; cart: Nullable<CartRow> }[]>;
  }

  async insert(id: string, now: Date, expiresAt: Date): Promise<GuestSessionRow> {
    const [row] = await this.txHost.tx
      .insert(guestSessions)
      .values({ id, createdAt: now, lastActivityAt: now, expiresAt })
      .returning();
    return row;
  }

  async findById(id: string): Promise<GuestSessionRow | undefined> {
    const [row] = await this.txHost.tx.select().from(guestSessions).where(eq(guestSessions.id, id));
    return row;
  }

  /**
   * Slides the expiry of a session that has not expired, in one statement. The UPDATE also row-locks
   * the session for the rest of the transaction, so writes to one guest cart queue up.
   */
  async touchIfActive(id: string, now: Date, expiresAt: Date): Promise<GuestSessionRow | undefined> {
    const [row] = await this.touchStatement({
      id,
      now: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    });
    return row;
  }

  /**
   * An active session (its expiry slid if it was last moved before `touchBefore`) and, in the same
   * statement, its cart with its lines and products: one row per line, one row with null cart/line
   * fields when there is none, no row when the session is not active.
   */
  async readWithCart(
    id: string,
    now: Date,
    expiresAt: Date,
    touchBefore: Date,
  ): Promise<TouchedSessionWithCart | undefined> {
    const rows = await this.readWithCartStatement({
      id,
      now: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      touchBefore: touchBefore.toISOString(),
    });
    if (rows.length === 0) return undefined;
    const items = rows.flatMap((row) =>
      row.product !== null && row.quantity !== null ? [{ quantity: row.quantity, product: row.product }] : [],
    );
    return { session: rows[0].session, cart: rows[0].cart, cartVersion: rows[0].cartVersion, items };
  }

  /**
   * touchIfActive and, in the same statement, the session's cart row-locked for the rest of the
   * transaction (null when the session has no cart yet); undefined when the session is not active.
   */
  async touchAndLockCart(
    id: string,
    now: Date,
    expiresAt: Date,
  ): Promise<{ session: GuestSessionRow; cart: CartRow | null } | undefined> {
    const [row] = await this.touchAndLockCartStatement({
      id,
      now: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    });
    if (row === undefined) return undefined;
    return { session: row.session, cart: row.cart.id === null ? null : (row.cart as CartRow) };
  }

  /** Locks the session row whatever its expiry (the merge decides what an expired session means). */
  async lock(id: string): Promise<GuestSessionRow | undefined> {
    const [row] = await this.lockStatement({ id });
    return row;
  }
}
