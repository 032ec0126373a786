import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import { NewProductRow, ProductRow, products } from '../../database/schema';
import { hotStatement } from '../../database/hot-statement';
import { TxHost } from '../../database/transaction';

export type ProductPatch = Partial<
  Pick<ProductRow, 'name' | 'description' | 'unitPrice' | 'stock' | 'isActive'>
>;

@Injectable()
export class ProductsRepository {
  // checkout: lock the order's products in id order, then take the units of every line at once
  private readonly lockByIdsStatement: (values: { ids: string[] }) => Promise<ProductRow[]>;
  private readonly takeStockStatement: (values: {
    ids: string[];
    quantities: number[];
  }) => Promise<ProductRow[]>;
  /** The products of a cart write or a merge: prepared, with the ids as one array parameter. */
  private readonly byIdsStatement: (values: { ids: string[] }) => Promise<ProductRow[]>;

  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {
    this.byIdsStatement = hotStatement(txHost, 'products_by_ids', (db) =>
      db
        .select()
        .from(products)
        .where(sql`${products.id} = any(${sql.placeholder('ids')})`),
    );
    this.lockByIdsStatement = hotStatement(txHost, 'products_lock_by_ids', (db) =>
      db
        .select()
        .from(products)
        .where(sql`${products.id} = any(${sql.placeholder('ids')}::uuid[])`)
        .orderBy(asc(products.id))
        // NO KEY UPDATE: only stock changes, so orders inserting lines (their foreign keys take KEY SHARE
        // on these rows, in line order) neither wait for this lock nor deadlock with it
        .for('no key update'),
    );
    // Drizzle types an UPDATE … FROM <sql> … RETURNING as unknown; it returns the product rows
    this.takeStockStatement = hotStatement(txHost, 'products_take_stock', (db) =>
      db
        .update(products)
        .set({ stock: sql`${products.stock} - taken.quantity`, updatedAt: sql`now()` })
        .from(
          sql`unnest(${sql.placeholder('ids')}::uuid[], ${sql.placeholder('quantities')}::int[]) as taken(id, quantity)`,
        )
        .where(
          sql`${products.id} = taken.id and ${products.isActive} and ${products.stock} >= taken.quantity`,
        )
        .returning(),
    ) as (values: { ids: string[]; quantities: number[] }) => Promise<ProductRow[]>;
  }

  async findById(id: string): Promise<ProductRow | undefined> {
    const [row] = await this.txHost.tx.select().from(products).where(eq(products.id, id));
    return row;
  }

  /** One query for any number of ids (no N+1 over cart lines). */
  async findByIds(ids: readonly string[]): Promise<ProductRow[]> {
    if (ids.length === 0) return [];
    return this.byIdsStatement({ ids: [...ids] });
  }

  /** Active products ordered by sku, keyset-paginated after `afterSku`. */
  async listActive(limit: number, afterSku: string | undefined): Promise<ProductRow[]> {
    return this.txHost.tx
      .select()
      .from(products)
      .where(
        and(eq(products.isActive, true), afterSku === undefined ? undefined : gt(products.sku, afterSku)),
      )
      .orderBy(asc(products.sku))
      .limit(limit);
  }

  async insert(row: NewProductRow): Promise<ProductRow> {
    const [created] = await this.txHost.tx.insert(products).values(row).returning();
    return created;
  }

  async insertMany(rows: NewProductRow[]): Promise<void> {
    await this.txHost.tx.insert(products).values(rows).onConflictDoNothing();
  }

  async update(id: string, patch: ProductPatch): Promise<ProductRow | undefined> {
    const [updated] = await this.txHost.tx
      .update(products)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(products.id, id))
      .returning();
    return updated;
  }

  /**
   * Row-locks the products, in id order: concurrent checkouts lock shared products in the same order,
   * so they queue instead of deadlocking.
   */
  lockByIds(ids: readonly string[]): Promise<ProductRow[]> {
    return this.lockByIdsStatement({ ids: [...ids] });
  }

  /**
   * Takes each line's units in one conditional UPDATE: a product that is inactive or short is left
   * alone (and missing from the result), so stock can never go below zero (CONVENTIONS: concurrency
   * in SQL). Callers lock the rows first (lockByIds) and check; the condition is the guarantee.
   */
  takeStock(lines: readonly { productId: string; quantity: number }[]): Promise<ProductRow[]> {
    return this.takeStockStatement({
      ids: lines.map((line) => line.productId),
      quantities: lines.map((line) => line.quantity),
    });
  }

  async restock(id: string, quantity: number): Promise<void> {
    await this.txHost.tx
      .update(products)
      .set({ stock: sql`${products.stock} + ${quantity}`, updatedAt: sql`now()` })
      .where(eq(products.id, id));
  }

  async countAll(): Promise<number> {
    const [row] = await this.txHost.tx.select({ n: count() }).from(products);
    return row.n;
  }
}
