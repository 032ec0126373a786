import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { desc } from 'drizzle-orm';
import { CleanupRunRow, cleanupRuns } from '../../database/schema';
import { TxHost } from '../../database/transaction';

/** The record of cleanup runs, this module's own table; every other table is purged by its module. */
@Injectable()
export class CleanupRunsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  async insert(startedAt: Date, finishedAt: Date, deleted: Record<string, number>): Promise<void> {
    await this.txHost.tx.insert(cleanupRuns).values({ startedAt, finishedAt, deleted });
  }

  async last(): Promise<CleanupRunRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(cleanupRuns)
      .orderBy(desc(cleanupRuns.finishedAt))
      .limit(1);
    return row;
  }
}
