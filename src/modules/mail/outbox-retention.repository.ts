import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, eq, lt } from 'drizzle-orm';
import { deleteBatch } from '../../database/batch-delete';
import { mailOutbox } from '../../database/schema';
import { TxHost } from '../../database/transaction';

/** The cleanup's delete of sent mails (contract §12). */
@Injectable()
export class OutboxRetentionRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /** Deletes up to `batchSize` mails sent before `before`; pending, failed and dead-lettered ones stay. */
  deleteSentBefore(before: Date, batchSize: number): Promise<number> {
    return deleteBatch(
      this.txHost.tx,
      mailOutbox,
      mailOutbox.id,
      this.txHost.tx
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.status, 'sent'), lt(mailOutbox.sentAt, before)))
        .limit(batchSize),
    );
  }
}
