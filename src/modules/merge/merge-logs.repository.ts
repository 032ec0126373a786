import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { count, eq } from 'drizzle-orm';
import { CartMergeLogRow, cartMergeLogs } from '../../database/schema';
import { TxHost } from '../../database/transaction';
import { MergeReport } from './cart-merger';

@Injectable()
export class MergeLogsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  async findBySession(guestSessionId: string): Promise<CartMergeLogRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(cartMergeLogs)
      .where(eq(cartMergeLogs.guestSessionId, guestSessionId));
    return row;
  }

  async insert(userId: string, guestSessionId: string, report: MergeReport, at: Date): Promise<void> {
    await this.txHost.tx
      .insert(cartMergeLogs)
      .values({ userId, guestSessionId, strategy: report.strategy, report, createdAt: at });
  }

  /** Merges ever recorded. */
  async count(): Promise<number> {
    const [row] = await this.txHost.tx.select({ n: count() }).from(cartMergeLogs);
    return row.n;
  }
}
