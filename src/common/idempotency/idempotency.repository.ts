import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { IdempotencyKeyRow, idempotencyKeys } from '../../database/schema';
import { TxHost } from '../../database/transaction';

@Injectable()
export class IdempotencyRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** Claims a key; false when a record exists (the primary key settles concurrent duplicates). */
  async tryBegin(
    scope: string,
    key: string,
    requestHash: string,
    now: Date,
    lockedUntil: Date,
  ): Promise<boolean> {
    const rows = await this.txHost.tx
      .insert(idempotencyKeys)
      .values({ scope, key, requestHash, createdAt: now, lockedUntil })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    return rows.length > 0;
  }

  async find(scope: string, key: string): Promise<IdempotencyKeyRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    return row;
  }

  /** Takes over a record without an answer whose lock ran out or was released. */
  async takeOver(scope: string, key: string, now: Date, lockedUntil: Date): Promise<boolean> {
    const rows = await this.txHost.tx
      .update(idempotencyKeys)
      .set({ lockedUntil })
      .where(
        and(
          eq(idempotencyKeys.scope, scope),
          eq(idempotencyKeys.key, key),
          isNull(idempotencyKeys.responseStatus),
          lt(idempotencyKeys.lockedUntil, now),
        ),
      )
      .returning({ key: idempotencyKeys.key });
    return rows.length > 0;
  }

  async complete(scope: string, key: string, status: number, body: string): Promise<void> {
    await this.txHost.tx
      .update(idempotencyKeys)
      .set({ responseStatus: status, responseBody: body })
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  }

  /** Ends the lock of a request that failed without an answer to keep: a retry may take over at once. */
  async release(scope: string, key: string, at: Date): Promise<void> {
    await this.txHost.tx
      .update(idempotencyKeys)
      .set({ lockedUntil: at })
      .where(
        and(
          eq(idempotencyKeys.scope, scope),
          eq(idempotencyKeys.key, key),
          isNull(idempotencyKeys.responseStatus),
        ),
      );
  }

  async delete(scope: string, key: string): Promise<void> {
    await this.txHost.tx
      .delete(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  }

  /** Deletes up to `batchSize` records created before `before` (the cleanup, one batch). */
  async deleteCreatedBefore(before: Date, batchSize: number): Promise<number> {
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
}
