import { and, eq, notInArray, sql } from 'drizzle-orm';
import { cartItems, carts, orderItems, orders, products } from '../../src/database/schema';
import { TestApp } from './test-app';

/** Reads of stored state straight from the database, for what the API does not answer. */

export async function productStock(t: TestApp, productId: string): Promise<number> {
  const [row] = await t.database.db
    .select({ stock: products.stock })
    .from(products)
    .where(eq(products.id, productId));
  return row.stock;
}

/** The stored lines of a guest cart, ordered by product id. */
export async function guestCartLines(
  t: TestApp,
  sessionId: string,
): Promise<{ productId: string; quantity: number }[]> {
  return t.database.db
    .select({ productId: cartItems.productId, quantity: cartItems.quantity })
    .from(cartItems)
    .innerJoin(carts, eq(carts.id, cartItems.cartId))
    .where(eq(carts.guestSessionId, sessionId))
    .orderBy(cartItems.productId);
}

export async function ordersOfSession(t: TestApp, sessionId: string) {
  return t.database.db.select().from(orders).where(eq(orders.guestSessionId, sessionId));
}

/** Units of a product held by orders: not cancelled, and not released after a failed payment. */
export async function unitsInOpenOrders(t: TestApp, productId: string): Promise<number> {
  const [row] = await t.database.db
    .select({ units: sql<number>`coalesce(sum(${orderItems.quantity}), 0)`.mapWith(Number) })
    .from(orderItems)
    .innerJoin(orders, eq(orders.id, orderItems.orderId))
    .where(
      and(eq(orderItems.productId, productId), notInArray(orders.status, ['cancelled', 'payment_failed'])),
    );
  return row.units;
}
