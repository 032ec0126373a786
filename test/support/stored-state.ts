import { count, eq } from 'drizzle-orm';
import {
  cartItems,
  cartMergeLogs,
  carts,
  guestSessions,
  orders,
  orderStatusHistory,
} from '../../src/database/schema';
import { guestCartLines, ordersOfSession, productStock, unitsInOpenOrders } from './db-reads';
import { TestApp } from './test-app';

/**
 * Reads of stored state straight from the database, for what the API does not answer: a refused
 * request left no row behind, a merge wrote its audit row, a checkout took the stock.
 */
export class StoredState {
  constructor(readonly t: TestApp) {}

  private get db() {
    return this.t.database.db;
  }

  stock(productId: string): Promise<number> {
    return productStock(this.t, productId);
  }

  /** Units of a product held by orders that are not cancelled (nor released after a failed payment). */
  unitsInOpenOrders(productId: string): Promise<number> {
    return unitsInOpenOrders(this.t, productId);
  }

  /** The stored lines of a guest cart, ordered by product id. */
  guestLines(sessionId: string) {
    return guestCartLines(this.t, sessionId);
  }

  /** The stored lines of a user's cart, ordered by product id. */
  userLines(userId: string): Promise<{ productId: string; quantity: number }[]> {
    return this.db
      .select({ productId: cartItems.productId, quantity: cartItems.quantity })
      .from(cartItems)
      .innerJoin(carts, eq(carts.id, cartItems.cartId))
      .where(eq(carts.userId, userId))
      .orderBy(cartItems.productId);
  }

  async guestCartRow(sessionId: string) {
    const [row] = await this.db.select().from(carts).where(eq(carts.guestSessionId, sessionId));
    return row;
  }

  async sessionRow(sessionId: string) {
    const [row] = await this.db.select().from(guestSessions).where(eq(guestSessions.id, sessionId));
    return row;
  }

  async sessionCount(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(guestSessions);
    return row.n;
  }

  async cartCount(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(carts);
    return row.n;
  }

  /** The merge audit rows of a guest session (contract §5). */
  mergeLogs(sessionId: string) {
    return this.db.select().from(cartMergeLogs).where(eq(cartMergeLogs.guestSessionId, sessionId));
  }

  ordersOfSession(sessionId: string) {
    return ordersOfSession(this.t, sessionId);
  }

  async orderCount(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(orders);
    return row.n;
  }

  /** An order's status history, oldest first. */
  async history(orderId: string): Promise<string[]> {
    const rows = await this.db
      .select({ status: orderStatusHistory.status })
      .from(orderStatusHistory)
      .where(eq(orderStatusHistory.orderId, orderId))
      .orderBy(orderStatusHistory.at, orderStatusHistory.status);
    return rows.map((row) => row.status);
  }
}

export function storedState(t: TestApp): StoredState {
  return new StoredState(t);
}
