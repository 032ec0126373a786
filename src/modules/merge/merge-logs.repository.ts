import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { count, eq, sql } from 'drizzle-orm';
import { CartRow, cartMergeLogs } from '../../database/schema';
import { leadingCtes } from '../../database/dependent-write';
import { Placeholders, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';
import type { MergeWritesPart, MergeWriteValues } from '../cart/cart.service';
import { MergeReportDto } from './dto/merge.dto';

/** A merge's record: the session merged, the strategy, the report as answered (JSON text), when. */
type MergeRecordValues = { guestSessionId: string; strategy: string; report: string; recordedAt: string };

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

  /**
   * A merge's writes in one statement: the cart module's (both carts: its CTEs lead) and the merge's
   * record with the report as answered (contract §5), so a retry replays it unchanged. The user's cart
   * as written.
   */
  static readonly record = statement(
    'merge_write_and_record',
    (db, p: Placeholders<MergeWriteValues & MergeRecordValues>, cartWrites: MergeWritesPart) => {
      const { ctes, cte: merged, columns } = leadingCtes(db, cartWrites);
      const column = (c: { name: string }) => sql.identifier(c.name);
      const recorded = db.$with('recorded', {}).as(
        sql`insert into ${cartMergeLogs} (${column(cartMergeLogs.userId)}, ${column(cartMergeLogs.guestSessionId)},
                                           ${column(cartMergeLogs.strategy)}, ${column(cartMergeLogs.report)},
                                           ${column(cartMergeLogs.createdAt)})
            values (${p.userId}::uuid, ${p.guestSessionId}::uuid, ${p.strategy}::text, ${p.report}::text::jsonb,
                    ${p.recordedAt}::timestamptz)`,
      );
      return db
        .with(...ctes, recorded)
        .select(columns)
        .from(merged);
    },
  );

  /** See record: the cart module's merge writes (`cartWrites`, with their values) and the merge's record. */
  async recordMerge(
    cartWrites: { part: MergeWritesPart; values: MergeWriteValues },
    guestSessionId: string,
    report: MergeReportDto,
    at: Date,
  ): Promise<CartRow> {
    const [merged] = await MergeLogsRepository.record.run(
      this.txHost,
      {
        ...cartWrites.values,
        guestSessionId,
        strategy: report.strategy,
        report: JSON.stringify(report),
        recordedAt: at.toISOString(),
      },
      cartWrites.part,
    );
    return merged;
  }

  /** Merges ever recorded. */
  async count(): Promise<number> {
    const [row] = await this.txHost.tx.select({ n: count() }).from(cartMergeLogs);
    return row.n;
  }
}
