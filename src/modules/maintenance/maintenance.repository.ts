import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, count, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, sql } from 'drizzle-orm';
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
  async deleteExpiredSessions(now: Date, batchSize: number): Promise<number> {
    const batch = this.txHost.tx
      .select({ id: guestSessions.id })
      .from(guestSessions)
      .where(lte(guestSessions.expiresAt, now))
      .limit(batchSize);
    const rows = await this.txHost.tx
      .delete(guestSessions)
      .where(inArray(guestSessions.id, batch))
      .returning({ id: guestSessions.id });
    return rows.length;
  }

  /** Deletes up to `batchSize` guest sessions whose cart was merged before `mergedBefore`. */
  async deleteMergedGuestCarts(mergedBefore: Date, batchSize: number): Promise<number> {
    const batch = this.txHost.tx
      .select({ id: carts.guestSessionId })
      .from(carts)
      .where(and(isNotNull(carts.guestSessionId), lt(carts.mergedAt, mergedBefore)))
      .limit(batchSize);
    const rows = await this.txHost.tx
      .delete(guestSessions)
      .where(inArray(guestSessions.id, batch))
      .returning({ id: guestSessions.id });
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

  /** Deletes up to `batchSize` outbox mails sent before `before`; pending and failed ones stay. */
  async deleteSentMails(before: Date, batchSize: number): Promise<number> {
    const batch = this.txHost.tx
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(and(eq(mailOutbox.status, 'sent'), lt(mailOutbox.sentAt, before)))
      .limit(batchSize);
    const rows = await this.txHost.tx
      .delete(mailOutbox)
      .where(inArray(mailOutbox.id, batch))
      .returning({ id: mailOutbox.id });
    return rows.length;
  }

  async conversionCount(): Promise<number> {
    const [row] = await this.txHost.tx.select({ n: count() }).from(guestConversions);
    return row.n;
  }

  async guestOrderCount(): Promise<number> {
    const [row] = await this.txHost.tx.select({ n: count() }).from(orders).where(eq(orders.isGuest, true));
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
