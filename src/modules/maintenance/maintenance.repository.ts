import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import {
  and,
  count,
  desc,
  eq,
  gt,
  isNotNull,
  isNull,
  lt,
  lte,
  notInArray,
  sql,
  SQLWrapper,
} from 'drizzle-orm';
import { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import {
  cartItems,
  cartMergeLogs,
  carts,
  CleanupRunRow,
  cleanupRuns,
  guestConversions,
  guestSessions,
  idempotencyKeys,
  mailOutbox,
  orders,
} from '../../database/schema';
import { TxHost } from '../../database/transaction';

/** The bulk deletes of the cleanup job and the counts of the stats endpoint. */
@Injectable()
export class MaintenanceRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /**
   * Deletes up to `batchSize` sessions expired before `now` (their carts and lines go by cascade).
   * Small batches keep each statement short, so a backlog never locks the tables for long.
   */
  deleteExpiredSessions(now: Date, batchSize: number): Promise<number> {
    return this.deleteBatch(
      guestSessions,
      guestSessions.id,
      this.txHost.tx
        .select({ id: guestSessions.id })
        .from(guestSessions)
        .where(lte(guestSessions.expiresAt, now))
        .limit(batchSize),
    );
  }

  /** Deletes up to `batchSize` guest sessions whose cart was merged before `mergedBefore`. */
  deleteMergedGuestCarts(mergedBefore: Date, batchSize: number): Promise<number> {
    return this.deleteBatch(
      guestSessions,
      guestSessions.id,
      this.txHost.tx
        .select({ id: carts.guestSessionId })
        .from(carts)
        .where(and(isNotNull(carts.guestSessionId), lt(carts.mergedAt, mergedBefore)))
        .limit(batchSize),
    );
  }

  /**
   * Deletes the rows whose id a batch query selects. `id = ANY(ARRAY(batch))` runs the LIMITed batch
   * once and probes the primary key per id; `id IN (batch)` let the planner hash-join the batch against
   * the whole table (with 1M sessions: 95 vs 230 ms per 5,000-row batch, measured by the benchmark).
   */
  private async deleteBatch(table: PgTable, id: PgColumn, batch: SQLWrapper): Promise<number> {
    const rows = await this.txHost.tx
      .delete(table)
      .where(sql`${id} = any(array${batch})`)
      .returning({ id });
    return rows.length;
  }

  /** Deletes up to `batchSize` idempotency records created before `before`. */
  async deleteIdempotencyKeys(before: Date, batchSize: number): Promise<number> {
    const batch = this.txHost.tx
      .select({ scope: idempotencyKeys.scope, key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, before))
      .limit(batchSize);
    const rows = await this.txHost.tx
      .delete(idempotencyKeys)
      .where(sql`(${idempotencyKeys.scope}, ${idempotencyKeys.key}) in ${batch}`)
      .returning({ key: idempotencyKeys.key });
    return rows.length;
  }

  /** Deletes up to `batchSize` outbox mails sent before `before`; pending, failed and dead-lettered ones stay. */
  deleteSentMails(before: Date, batchSize: number): Promise<number> {
    return this.deleteBatch(
      mailOutbox,
      mailOutbox.id,
      this.txHost.tx
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.status, 'sent'), lt(mailOutbox.sentAt, before)))
        .limit(batchSize),
    );
  }

  async conversionCount(): Promise<number> {
    const [row] = await this.txHost.tx.select({ n: count() }).from(guestConversions);
    return row.n;
  }

  async guestOrderCount(): Promise<number> {
    // contract §6: orders awaiting or failing their payment are not orders (never counted)
    const [row] = await this.txHost.tx
      .select({ n: count() })
      .from(orders)
      .where(
        and(eq(orders.isGuest, true), notInArray(orders.status, ['awaiting_payment', 'payment_failed'])),
      );
    return row.n;
  }

  async recordRun(
    startedAt: Date,
    finishedAt: Date,
    deleted: Record<string, number>,
  ): Promise<CleanupRunRow> {
    const [row] = await this.txHost.tx
      .insert(cleanupRuns)
      .values({ startedAt, finishedAt, deleted })
      .returning();
    return row;
  }

  async lastRun(): Promise<CleanupRunRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(cleanupRuns)
      .orderBy(desc(cleanupRuns.finishedAt))
      .limit(1);
    return row;
  }

  async sessionCounts(now: Date): Promise<{ active: number; expired: number }> {
    const [row] = await this.txHost.tx
      .select({
        active:
          sql<number>`count(*) filter (where ${guestSessions.expiresAt} > ${now.toISOString()}::timestamptz)`.mapWith(
            Number,
          ),
        expired:
          sql<number>`count(*) filter (where ${guestSessions.expiresAt} <= ${now.toISOString()}::timestamptz)`.mapWith(
            Number,
          ),
      })
      .from(guestSessions);
    return row;
  }

  /** Unmerged guest carts holding at least one line. */
  async guestCartsWithItems(): Promise<number> {
    const [row] = await this.txHost.tx
      .select({ n: sql<number>`count(distinct ${carts.id})`.mapWith(Number) })
      .from(carts)
      .innerJoin(cartItems, eq(cartItems.cartId, carts.id))
      .where(and(isNotNull(carts.guestSessionId), isNull(carts.mergedAt)));
    return row.n;
  }

  async mergeCount(since?: Date): Promise<number> {
    const [row] = await this.txHost.tx
      .select({ n: count() })
      .from(cartMergeLogs)
      .where(since === undefined ? undefined : gt(cartMergeLogs.createdAt, since));
    return row.n;
  }
}
