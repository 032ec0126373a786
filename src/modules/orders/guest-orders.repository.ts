import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { OrderRow, orders } from '../../database/schema';
import { TxHost } from '../../database/transaction';
import { visible } from './orders.repository';

/** Guest orders as accounts claim them (conversion, contract §8) and as monitoring counts them. */
@Injectable()
export class GuestOrdersRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /**
   * Links unlinked guest orders with this email to a user: those listed by id, those placed in a guest
   * session, or (`all`) every one. The email condition is in SQL, so nothing else can ever be linked.
   */
  async linkGuestOrders(
    userId: string,
    email: string,
    which: { orderIds?: readonly string[]; sessionId?: string | null; all?: boolean },
  ): Promise<OrderRow[]> {
    const selectors = [
      which.all === true ? sql`true` : undefined,
      which.orderIds !== undefined && which.orderIds.length > 0
        ? inArray(orders.id, [...which.orderIds])
        : undefined,
      which.sessionId ? eq(orders.guestSessionId, which.sessionId) : undefined,
    ].filter((selector) => selector !== undefined);
    if (selectors.length === 0) return [];
    return this.txHost.tx
      .update(orders)
      .set({ userId })
      .where(
        and(
          eq(orders.isGuest, true),
          isNull(orders.userId),
          eq(orders.email, email),
          visible(),
          or(...selectors),
        ),
      )
      .returning();
  }

  async countUnlinkedGuestOrders(email: string): Promise<number> {
    const [row] = await this.txHost.tx
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(orders)
      .where(and(eq(orders.isGuest, true), isNull(orders.userId), eq(orders.email, email), visible()));
    return row.n;
  }

  async newestGuestOrderByEmail(email: string): Promise<OrderRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(orders)
      .where(and(eq(orders.isGuest, true), eq(orders.email, email), visible()))
      .orderBy(desc(orders.createdAt))
      .limit(1);
    return row;
  }

  async countGuestOrders(): Promise<number> {
    const [row] = await this.txHost.tx
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(orders)
      .where(and(eq(orders.isGuest, true), visible()));
    return row.n;
  }
}
