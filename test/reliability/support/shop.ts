import { and, eq, inArray, ne, notExists, or, sql } from 'drizzle-orm';
import { orderItems, orders, orderStatusHistory, products } from '../../../src/database/schema';
import { createProduct, CreatedProduct, ProductInput, uniqueEmail } from '../../support/factories';
import { HttpResult, TestApp } from '../../support/test-app';

export const SHIPPING = {
  line1: '1 Main Street',
  city: 'Springfield',
  state: 'IL',
  postal_code: '62701',
  country: 'US',
};
export const CARD = { method: 'card', token: 'tok_visa' };
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ORDER_NUMBER = /^GC-[0-9A-HJKMNP-TV-Z]{10}$/;

export type Lines = [CreatedProduct, number][];

export function guestOrderBody(sessionId: string, email: string = uniqueEmail('buyer'), token = 'tok_visa') {
  return {
    session_id: sessionId,
    customer_info: { email, first_name: 'Jane', last_name: 'Doe', phone: '+1 555 0100' },
    shipping_address: SHIPPING,
    payment_info: { method: 'card', token },
  };
}

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

    async guestCart(lines: Lines, remoteAddress?: string): Promise<string> {
      const res = await t.request('POST', '/api/v1/cart/guest', {
        body: { items: lines.map(([product, quantity]) => ({ product_id: product.id, quantity })) },
        remoteAddress,
      });
      if (res.status !== 201) throw new Error(`guest cart failed: ${res.status} ${res.raw}`);
      return res.body.data.session_id as string;
    },

    placeGuest(body: unknown, headers?: Record<string, string>, remoteAddress?: string): Promise<HttpResult> {
      return t.request('POST', '/api/v1/orders/guest', { body, headers, remoteAddress });
    },

    async guestOrder(lines: Lines, email: string = uniqueEmail('buyer')) {
      const res = await helpers.placeGuest(guestOrderBody(await helpers.guestCart(lines), email));
      if (res.status !== 201) throw new Error(`guest order failed: ${res.status} ${res.raw}`);
      return res.body.data as {
        order: { id: string; order_number: string; email: string; items: { quantity: number }[] };
        confirmation_details: { email_queued: boolean };
      };
    },

    async stock(productId: string): Promise<number> {
      const [row] = await db
        .select({ stock: products.stock })
        .from(products)
        .where(eq(products.id, productId));
      return row.stock;
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
          held: sql<number>`coalesce(sum(${orderItems.quantity}) filter (where ${orders.status} <> 'cancelled'), 0)`.mapWith(
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
        .where(or(notExists(noItems), notExists(noHistory)));
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

    /** Units of `productId` in orders that are not cancelled. */
    async unitsOrdered(productId: string): Promise<number> {
      const [row] = await db
        .select({ units: sql<number>`coalesce(sum(${orderItems.quantity}), 0)`.mapWith(Number) })
        .from(orderItems)
        .innerJoin(orders, eq(orders.id, orderItems.orderId))
        .where(and(eq(orderItems.productId, productId), ne(orders.status, 'cancelled')));
      return row.units;
    },
  };
  return helpers;
}

export type Shop = ReturnType<typeof shop>;

/** Rows of a raw `db.execute` on either driver (node-postgres and PGlite both answer `{rows}`). */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
