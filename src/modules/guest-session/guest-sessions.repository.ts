import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import { GuestSessionRow, guestSessions } from '../../database/schema';
import { DependentWrite, LeadingRows } from '../../database/dependent-write';
import { Placeholders, placeholdersOf, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';

/** The values of a session part: the session, the time, and the expiry a touch moves it to (ISO text). */
export type SessionTouchValues = { id: string; now: string; expiresAt: string };

/** A read's values: a touch happens only if the session was last moved before `touchBefore`. */
export type SessionReadValues = SessionTouchValues & { touchBefore: string };

const SESSION_COLUMNS = {
  id: guestSessions.id,
  createdAt: guestSessions.createdAt,
  lastActivityAt: guestSessions.lastActivityAt,
  expiresAt: guestSessions.expiresAt,
};

/**
 * The active guest session as the first CTEs of another module's statement (the cart module's guest
 * cart statements; database/dependent-write.ts): its rows are the session (one) or none when the
 * session is unknown or expired.
 */
export type SessionPart = LeadingRows<typeof SESSION_COLUMNS>;

const columns = sql.raw('id, created_at, last_activity_at, expires_at');

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
 * A read's view of the session (contract §4): its expiry slides only when it was last moved before
 * `touchBefore` (GUEST_SESSION_TOUCH_INTERVAL_SECONDS ago), so a read is usually only a read. Two CTEs
 * read the session as it is and touch it if due; `current` is the touched row, else the read one.
 */
function readPart(): SessionPart {
  const p = placeholdersOf<SessionReadValues>();
  const active = sql`select ${columns}
                       from ${guestSessions}
                      where ${guestSessions.id} = ${p.id} and ${guestSessions.expiresAt} > ${p.now}`;
  const touched = sql`update ${guestSessions}
                         set last_activity_at = ${p.now}, expires_at = ${p.expiresAt}
                       where ${guestSessions.id} = (select id from active)
                         and ${guestSessions.lastActivityAt} <= ${p.touchBefore}
                   returning ${columns}`;
  return {
    before: [
      { name: 'active', body: active },
      { name: 'touched', body: touched },
    ],
    name: 'current',
    body: sql`select ${columns} from touched
               union all
              select ${columns} from active where not exists (select 1 from touched)`,
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
  readonly parts = { read: readPart(), touch: touchPart(), touchOnPlacement: touchOnPlacementPart() };

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

  static readonly lock = statement('guest_session_lock', (db, p: Placeholders<{ id: string }>) =>
    db.select().from(guestSessions).where(eq(guestSessions.id, p.id)).for('update'),
  );

  /** Locks the session row whatever its expiry (the merge decides what an expired session means). */
  async lock(id: string): Promise<GuestSessionRow | undefined> {
    const [row] = await GuestSessionsRepository.lock.run(this.txHost, { id });
    return row;
  }
}
