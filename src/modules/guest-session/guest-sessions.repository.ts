import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, eq, gt, lte, sql } from 'drizzle-orm';
import { GuestSessionRow, guestSessions } from '../../database/schema';
import { DependentWrite, LeadingRows } from '../../database/dependent-write';
import { ASYNCHRONOUS_COMMIT } from '../../database/asynchronous-commit';
import { Placeholders, placeholdersOf, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';

/** The values of a session part: the session, the time, and the expiry a touch moves it to (ISO text). */
export type SessionTouchValues = { id: string; now: string; expiresAt: string };

/** A read's values: the session and the time (an expired session is not found). */
export type SessionReadValues = { id: string; now: string };

/** A merge's lock of the session: the session only, whatever its expiry. */
export type SessionLockValues = { id: string };

/** A due touch's values: the expiry slides only if the session was last moved before `touchBefore`. */
export type SessionTouchIfDueValues = SessionTouchValues & { touchBefore: string };

/**
 * What the guest cart statements use of a session (contract §4: its id and expiry, and when the expiry
 * last moved): the columns the session parts return, on each row of a cart's lines.
 */
export type SessionView = Pick<GuestSessionRow, 'id' | 'lastActivityAt' | 'expiresAt'>;

const SESSION_COLUMNS = {
  id: guestSessions.id,
  lastActivityAt: guestSessions.lastActivityAt,
  expiresAt: guestSessions.expiresAt,
} satisfies { [K in keyof SessionView]: unknown };

/**
 * The active guest session as the first CTEs of another module's statement (the cart module's guest
 * cart statements; database/dependent-write.ts): its rows are the session (one) or none when the
 * session is unknown or expired.
 */
export type SessionPart = LeadingRows<typeof SESSION_COLUMNS>;

const columns = sql.raw('id, last_activity_at, expires_at');

/** A write's view of the session: its expiry slides if it has not expired (placeholders SessionTouchValues). */
function touchPart(): SessionPart {
  const p = placeholdersOf<SessionTouchValues>();
  return {
    before: [],
    name: 'touched',
    body: sql`update ${guestSessions}
                 set last_activity_at = ${p.now}, expires_at = ${p.expiresAt}
               where ${guestSessions.id} = ${p.id} and ${guestSessions.expiresAt} > ${p.now}
           returning ${columns}`,
    columns: SESSION_COLUMNS,
  };
}

/**
 * A read's view of the session (contract §4): the session if it is active, and nothing else. A read
 * slides the expiry at most once per GUEST_SESSION_TOUCH_INTERVAL_SECONDS, so the statement is a plain
 * SELECT and the rare due touch its own statement (GuestSessionsRepository.touchIfDue): an UPDATE in a
 * CTE, even one that changes no row, cost PostgreSQL about 40 % more per GET guest cart (pgbench, the
 * same statement with and without it).
 */
function readPart(): SessionPart {
  const p = placeholdersOf<SessionReadValues>();
  return {
    before: [],
    name: 'current',
    body: sql`select ${columns}
                from ${guestSessions}
               where ${guestSessions.id} = ${p.id} and ${guestSessions.expiresAt} > ${p.now}`,
    columns: SESSION_COLUMNS,
  };
}

/**
 * A merge's view of the session (contract §5): its row, locked for the rest of the transaction whatever
 * its expiry (the merge judges an expired session after it has looked at the cart: a merged cart answers
 * its replay even then), so a concurrent merge of the same session waits and then finds it merged. No row:
 * the session does not exist (placeholders SessionLockValues).
 */
function lockPart(): SessionPart {
  const p = placeholdersOf<SessionLockValues>();
  return {
    before: [],
    name: 'session_locked',
    body: sql`select ${columns} from ${guestSessions} where ${guestSessions.id} = ${p.id} for update`,
    columns: SESSION_COLUMNS,
  };
}

/** The values of the session's touch in checkout's placement statement (null session: no touch). */
export type SessionTouchOnPlacement = {
  sessionId: string | null;
  sessionNow: string | null;
  sessionExpiresAt: string | null;
};

/**
 * Checkout's placement statement slides the session's expiry only when it writes the order, so a
 * refused checkout changes nothing (placeholders SessionTouchOnPlacement).
 */
function touchOnPlacementPart(): DependentWrite {
  const p = placeholdersOf<SessionTouchOnPlacement>();
  return (guard) =>
    sql`update ${guestSessions}
           set last_activity_at = ${p.sessionNow}::timestamptz, expires_at = ${p.sessionExpiresAt}::timestamptz
         where ${guestSessions.id} = ${p.sessionId}::uuid and ${guard}`;
}

@Injectable()
export class GuestSessionsRepository {
  /** The session parts the guest cart statements start from (constant: those are prepared once). */
  readonly parts = {
    read: readPart(),
    touch: touchPart(),
    lock: lockPart(),
    touchOnPlacement: touchOnPlacementPart(),
  };

  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

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

  static readonly touchIfDue = statement(
    'guest_session_touch_if_due',
    (db, p: Placeholders<SessionTouchIfDueValues>) =>
      db
        .update(guestSessions)
        .set({ lastActivityAt: sql`${p.now}::timestamptz`, expiresAt: sql`${p.expiresAt}::timestamptz` })
        .where(
          and(
            eq(guestSessions.id, p.id),
            gt(guestSessions.expiresAt, sql`${p.now}::timestamptz`),
            lte(guestSessions.lastActivityAt, sql`${p.touchBefore}::timestamptz`),
            ASYNCHRONOUS_COMMIT,
          ),
        )
        .returning(SESSION_COLUMNS),
    { asynchronousCommit: true },
  );

  /**
   * Slides an active session's expiry if it was last moved before `touchBefore` (committed asynchronously:
   * database/asynchronous-commit.ts); the session as written
   * (the same columns as the session parts return), or undefined when nothing was (another request moved
   * it since, or it has expired).
   */
  async touchIfDue(values: SessionTouchIfDueValues): Promise<SessionView | undefined> {
    const [row] = await GuestSessionsRepository.touchIfDue.run(this.txHost, values);
    return row;
  }
}
