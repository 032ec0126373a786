import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { count, eq } from 'drizzle-orm';
import { cartMergeLogs } from '../../database/schema';
import { TxHost } from '../../database/transaction';
import { MergeReportDto } from './dto/merge.dto';

@Injectable()
export class MergeLogsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** The report a merge of this session answered with, as insert() stored it; undefined when none. */
  async findReport(guestSessionId: string): Promise<MergeReportDto | undefined> {
    const [row] = await this.txHost.tx
      .select({ report: cartMergeLogs.report })
      .from(cartMergeLogs)
      .where(eq(cartMergeLogs.guestSessionId, guestSessionId));
    return row?.report as MergeReportDto | undefined;
  }

  /** Records a merge with the report as answered (contract §5), so a retry replays it unchanged. */
  async insert(userId: string, guestSessionId: string, report: MergeReportDto, at: Date): Promise<void> {
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
