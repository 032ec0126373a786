import { and, eq, inArray, ne, notExists, or, sql } from 'drizzle-orm';
import { orderItems, orders, orderStatusHistory, products } from '../../../src/database/schema';
import { productStock, unitsInOpenOrders } from '../../support/db-reads';
import {
  createGuestCart,
  createGuestOrder,
  createProduct,
  CreatedProduct,
  Lines,
  PlacedGuestOrder,
  placeGuestOrder,
  ProductInput,
} from '../../support/factories';
import { HttpResult, TestApp } from '../../support/test-app';

// the contract's patterns, declared once in test/support/matchers.ts
export { ORDER_NUMBER, UUID_V4 } from '../../support/matchers';

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export function tally(results: readonly HttpResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const res of results) {
    const key = `${res.status}${res.body?.error?.code ? ` ${res.body.error.code}` : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Shop helpers over one app, plus the stock ledger the invariant needs: every product made here is
 * remembered with its initial stock (nothing in these tests sets stock through the admin API afterwards).
 */
export function shop(t: TestApp) {
  const db = t.database.db;
  const initialStock = new Map<string, number>();

  const helpers = {
    initialStock,

    async product(input: ProductInput = {}): Promise<CreatedProduct> {
      const product = await createProduct(t, input);
      initialStock.set(product.id, product.stock);
      return product;
    },

    guestCart(lines: Lines, remoteAddress?: string): Promise<string> {
      return createGuestCart(t, lines, { remoteAddress });
    },

    placeGuest(body: unknown, headers?: Record<string, string>, remoteAddress?: string): Promise<HttpResult> {
      return placeGuestOrder(t, body, { headers, remoteAddress });
    },

    guestOrder(lines: Lines, email?: string): Promise<PlacedGuestOrder> {
      return createGuestOrder(t, lines, { email });
    },

    stock(productId: string): Promise<number> {
      return productStock(t, productId);
    },

    /**
     * The stock invariant: for every product made here, initial stock = current stock + units held by
     * orders that are not cancelled. Returns one message per product that breaks it.
     */
    async stockViolations(): Promise<string[]> {
      const ids = [...initialStock.keys()];
      if (ids.length === 0) return [];
      const rows = await db
        .select({
          id: products.id,
          stock: products.stock,
          held: sql<number>`coalesce(sum(${orderItems.quantity}) filter (where ${orders.status} not in ('cancelled', 'payment_failed')), 0)`.mapWith(
            Number,
          ),
        })
        .from(products)
        .leftJoin(orderItems, eq(orderItems.productId, products.id))
        .leftJoin(orders, eq(orders.id, orderItems.orderId))
        .where(inArray(products.id, ids))
        .groupBy(products.id, products.stock);
      return rows.flatMap((row) => {
        const initial = initialStock.get(row.id)!;
        const problems: string[] = [];
        if (row.stock + row.held !== initial)
          problems.push(`product ${row.id}: initial ${initial} ≠ stock ${row.stock} + held ${row.held}`);
        if (row.stock < 0) problems.push(`product ${row.id}: negative stock ${row.stock}`);
        return problems;
      });
    },

    /**
     * Orders that are not whole: no line, no status history row, or a total that is not the sum of
     * its lines (contract §6: an order and its lines are written in one transaction).
     */
    async partialOrders(): Promise<string[]> {
      const noItems = db
        .select({ one: sql`1` })
        .from(orderItems)
        .where(eq(orderItems.orderId, orders.id));
      const noHistory = db
        .select({ one: sql`1` })
        .from(orderStatusHistory)
        .where(eq(orderStatusHistory.orderId, orders.id));
      const broken = await db
        .select({ id: orders.id })
        .from(orders)
        // an order awaiting its payment has no status yet in its history (contract §6 step 3 writes it)
        .where(or(notExists(noItems), and(notExists(noHistory), ne(orders.status, 'awaiting_payment'))));
      const badTotals = await db
        .select({ id: orders.id })
        .from(orders)
        .innerJoin(orderItems, eq(orderItems.orderId, orders.id))
        .groupBy(orders.id, orders.subtotal)
        .having(sql`${orders.subtotal} <> sum(${orderItems.lineTotal})`);
      return [
        ...broken.map((row) => `order ${row.id} has no line or no status history`),
        ...badTotals.map((row) => `order ${row.id}: subtotal is not the sum of its lines`),
      ];
    },

    /** Units of `productId` held by orders (not cancelled, not released after a failed payment). */
    unitsOrdered(productId: string): Promise<number> {
      return unitsInOpenOrders(t, productId);
    },
  };
  return helpers;
}

export type Shop = ReturnType<typeof shop>;

/** Rows of a raw `db.execute` on either driver (node-postgres and PGlite both answer `{rows}`). */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
