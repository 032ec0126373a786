import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { gt, lte, sql, SQLWrapper } from 'drizzle-orm';
import { deleteBatch } from '../../database/batch-delete';
import { guestSessions } from '../../database/schema';
import { TxHost } from '../../database/transaction';

/** The cleanup's deletes of guest sessions and the counts monitoring shows of them (contract §12). */
@Injectable()
export class GuestSessionsRetentionRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** Deletes up to `batchSize` sessions expired at `now`; their carts and lines go by cascade. */
  deleteExpired(now: Date, batchSize: number): Promise<number> {
    return this.deleteSelected(
      this.txHost.tx
        .select({ id: guestSessions.id })
        .from(guestSessions)
        .where(lte(guestSessions.expiresAt, now))
        .limit(batchSize),
    );
  }

  /** Deletes the sessions whose ids a LIMITed batch query selects; their carts go by cascade. */
  deleteSelected(batch: SQLWrapper): Promise<number> {
    return deleteBatch(this.txHost.tx, guestSessions, guestSessions.id, batch);
  }

  /** Sessions not yet expired at `now`, and expired ones the cleanup has not deleted yet. */
  async countByExpiry(now: Date): Promise<{ active: number; expired: number }> {
    const at = now.toISOString();
    const [row] = await this.txHost.tx
      .select({
        active: sql<number>`count(*) filter (where ${guestSessions.expiresAt} > ${at}::timestamptz)`.mapWith(
          Number,
        ),
        expired:
          sql<number>`count(*) filter (where ${guestSessions.expiresAt} <= ${at}::timestamptz)`.mapWith(
            Number,
          ),
      })
      .from(guestSessions);
    return row;
  }

  /** Sessions not yet expired at `now`: one range scan of the expires_at index (monitoring, every scrape). */
  async countActive(now: Date): Promise<number> {
    const [row] = await this.txHost.tx
      .select({ active: sql<number>`count(*)`.mapWith(Number) })
      .from(guestSessions)
      .where(gt(guestSessions.expiresAt, now));
    return row.active;
  }
}
