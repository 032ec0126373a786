import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { count } from 'drizzle-orm';
import { guestConversions } from '../../database/schema';
import { TxHost } from '../../database/transaction';

@Injectable()
export class ConversionsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  async insert(
    userId: string,
    guestSessionId: string | null,
    guestOrderId: string | null,
    at: Date,
  ): Promise<void> {
    await this.txHost.tx
      .insert(guestConversions)
      .values({ userId, guestSessionId, guestOrderId, createdAt: at });
  }

  async count(): Promise<number> {
    const [row] = await this.txHost.tx.select({ n: count() }).from(guestConversions);
    return row.n;
  }
}
