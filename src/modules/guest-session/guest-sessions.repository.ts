import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, eq, gt } from 'drizzle-orm';
import { GuestSessionRow, guestSessions } from '../../database/schema';
import { TxHost } from '../../database/transaction';

@Injectable()
export class GuestSessionsRepository {
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

  /**
   * Slides the expiry of a session that has not expired, in one statement. The UPDATE also row-locks
   * the session for the rest of the transaction, so writes to one guest cart queue up.
   */
  async touchIfActive(id: string, now: Date, expiresAt: Date): Promise<GuestSessionRow | undefined> {
    const [row] = await this.txHost.tx
      .update(guestSessions)
      .set({ lastActivityAt: now, expiresAt })
      .where(and(eq(guestSessions.id, id), gt(guestSessions.expiresAt, now)))
      .returning();
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
