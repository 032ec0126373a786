import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, eq, gt, sql } from 'drizzle-orm';
import { GuestSessionRow, guestSessions } from '../../database/schema';
import { hotStatement } from '../../database/hot-statement';
import { TxHost } from '../../database/transaction';

@Injectable()
export class GuestSessionsRepository {
  /** Every guest-cart request starts here (GET, POST, order), so it is a prepared statement. */
  private readonly touchStatement: (values: {
    id: string;
    now: string;
    expiresAt: string;
  }) => Promise<GuestSessionRow[]>;

  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {
    this.touchStatement = hotStatement(txHost, 'guest_session_touch', (db) =>
      db
        .update(guestSessions)
        .set({
          lastActivityAt: sql`${sql.placeholder('now')}`,
          expiresAt: sql`${sql.placeholder('expiresAt')}`,
        })
        .where(
          and(
            eq(guestSessions.id, sql.placeholder('id')),
            gt(guestSessions.expiresAt, sql.placeholder('now')),
          ),
        )
        .returning(),
    );
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

  /** Locks the session row whatever its expiry (the merge decides what an expired session means). */
  async lock(id: string): Promise<GuestSessionRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(guestSessions)
      .where(eq(guestSessions.id, id))
      .for('update');
    return row;
  }
}
