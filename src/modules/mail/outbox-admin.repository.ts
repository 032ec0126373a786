import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { MailOutboxRow, mailOutbox } from '../../database/schema';
import { TxHost } from '../../database/transaction';
import { OutboxStatus } from './outbox.repository';

/** A page position: the creation time (microseconds since the epoch, exact) and id of the last row. */
export interface OutboxCursor {
  createdAtMicros: string;
  id: string;
}

export interface OutboxCounts {
  pending: number;
  oldestPendingCreatedAt: Date | null;
  deadLetters: number;
}

/** The outbox as admins see and act on it (contract §11): pages, counts, a dead letter sent again. */
@Injectable()
export class OutboxAdminRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  async findById(id: string): Promise<MailOutboxRow | undefined> {
    const [row] = await this.txHost.tx.select().from(mailOutbox).where(eq(mailOutbox.id, id));
    return row;
  }

  /**
   * Makes a mail in `from` pending and due at `now` again, its attempts counted from zero and its retry
   * window restarted at `now` (kept in sent_at, see retryWindowStart). Undefined when it left `from`.
   */
  async requeue(id: string, from: OutboxStatus, now: Date): Promise<MailOutboxRow | undefined> {
    const [row] = await this.txHost.tx
      .update(mailOutbox)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: now, sentAt: now })
      .where(and(eq(mailOutbox.id, id), eq(mailOutbox.status, from)))
      .returning();
    return row;
  }

  /**
   * A page of mails, oldest first, after `cursor`; each row with its exact creation time for the next
   * cursor (timestamptz keeps microseconds, a JS Date only milliseconds).
   */
  async list(
    status: OutboxStatus | undefined,
    cursor: OutboxCursor | undefined,
    limit: number,
  ): Promise<(MailOutboxRow & { createdAtMicros: string })[]> {
    const createdAtMicros = sql<string>`(extract(epoch from ${mailOutbox.createdAt}) * 1000000)::bigint::text`;
    const rows = await this.txHost.tx
      .select({ row: mailOutbox, createdAtMicros })
      .from(mailOutbox)
      .where(
        and(
          status === undefined ? undefined : eq(mailOutbox.status, status),
          cursor === undefined
            ? undefined
            : sql`(${mailOutbox.createdAt}, ${mailOutbox.id}) > (
                timestamptz 'epoch' + ${cursor.createdAtMicros}::bigint * interval '1 microsecond',
                ${cursor.id}::uuid
              )`,
        ),
      )
      .orderBy(asc(mailOutbox.createdAt), asc(mailOutbox.id))
      .limit(limit);
    return rows.map(({ row, createdAtMicros }) => ({ ...row, createdAtMicros }));
  }

  /** Pending mails (with the oldest one's creation) and dead letters: both read through the status index. */
  async counts(): Promise<OutboxCounts> {
    const rows = await this.txHost.tx
      .select({
        status: mailOutbox.status,
        n: sql<number>`count(*)`.mapWith(Number),
        oldest: sql<Date | null>`min(${mailOutbox.createdAt})`.mapWith(mailOutbox.createdAt),
      })
      .from(mailOutbox)
      .where(inArray(mailOutbox.status, ['pending', 'dead_letter']))
      .groupBy(mailOutbox.status);
    const pending = rows.find((row) => row.status === 'pending');
    return {
      pending: pending?.n ?? 0,
      oldestPendingCreatedAt: pending?.oldest ?? null,
      deadLetters: rows.find((row) => row.status === 'dead_letter')?.n ?? 0,
    };
  }
}
