import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, count, eq, getTableColumns, gt, sql } from 'drizzle-orm';
import { NewProductRow, ProductRow, products } from '../../database/schema';
import { hotStatement } from '../../database/hot-statement';
import { TxHost } from '../../database/transaction';

export type ProductPatch = Partial<
  Pick<ProductRow, 'name' | 'description' | 'unitPrice' | 'stock' | 'isActive'>
>;

@Injectable()
export class ProductsRepository {
  // checkout: the units of every line of an order taken at once, or none (locked in id order first)
  private readonly lockAndTakeAllStatement: (values: {
    ids: string[];
    quantities: number[];
  }) => Promise<{ product: ProductRow; taken: boolean }[]>;
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
    // Several lines in one round trip. `locked` takes the row locks in id order (concurrent orders queue
    // on shared products, never deadlock; NO KEY UPDATE, so orders inserting lines, whose foreign keys
    // take KEY SHARE on these rows, neither wait nor deadlock) and returns the rows as their last holder
    // committed them. `enough` checks every line against them, and `taken` decrements only when all pass,
    // with the stock condition repeated as the guarantee. The rows come back as they were before the take.
    this.lockAndTakeAllStatement = hotStatement(txHost, 'products_lock_and_take_all', (db) => {
      const locked = db.$with('locked').as(
        db
          .select()
          .from(products)
          .where(sql`${products.id} = any(${sql.placeholder('ids')}::uuid[])`)
          .orderBy(asc(products.id))
          .for('no key update'),
      );
      const wanted = sql`unnest(${sql.placeholder('ids')}::uuid[], ${sql.placeholder('quantities')}::int[]) as wanted(id, quantity)`;
      const id = sql.identifier('id');
      const enough = db.$with('enough', { ok: sql<boolean>`ok` }).as(
        sql`select count(*) = cardinality(${sql.placeholder('ids')}::uuid[]) as ok
              from ${locked} join ${wanted} on wanted.id = ${locked}.${id}
             where ${locked}.${sql.identifier(products.isActive.name)}
               and ${locked}.${sql.identifier(products.stock.name)} >= wanted.quantity`,
      );
      const taken = db.$with('taken', { id: products.id }).as(
        sql`update ${products} set ${sql.identifier(products.stock.name)} = ${products.stock} - wanted.quantity,
                   ${sql.identifier(products.updatedAt.name)} = now()
              from ${wanted}
             where ${products.id} = wanted.id and (select ok from ${enough})
               and ${products.isActive} and ${products.stock} >= wanted.quantity
         returning ${products.id}`,
      );
      const product = Object.fromEntries(
        Object.keys(getTableColumns(products)).map((key) => [key, locked[key as keyof ProductRow]]),
      ) as { [K in keyof ProductRow]: (typeof locked)[K] };
      return db
        .with(locked, enough, taken)
        .select({ product, taken: sql<boolean>`(select ok from ${enough})` })
        .from(locked);
    });
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
  /**
   * Takes the units of every line, or none, in one statement (rows locked in id order first). Returns
   * each product row as it was before the take, and whether the lines were taken.
   */
  async lockAndTakeAll(
    lines: readonly { productId: string; quantity: number }[],
  ): Promise<{ rows: ProductRow[]; taken: boolean }> {
    const result = await this.lockAndTakeAllStatement({
      ids: lines.map((line) => line.productId),
      quantities: lines.map((line) => line.quantity),
    });
    return { rows: result.map((row) => row.product), taken: result[0]?.taken === true };
  }

  /**
   * Takes each line's units in one conditional UPDATE: a product that is inactive or short is left
   * alone (and missing from the result), so stock can never go below zero (CONVENTIONS: concurrency
   * in SQL). For one line (its UPDATE locks the one row); several go through lockAndTakeAll.
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
