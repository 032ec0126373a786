import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, count, eq, gt, gte, sql } from 'drizzle-orm';
import { NewProductRow, ProductRow, products } from '../../database/schema';
import { hotStatement } from '../../database/hot-statement';
import { TxHost } from '../../database/transaction';

export type ProductPatch = Partial<
  Pick<ProductRow, 'name' | 'description' | 'unitPrice' | 'stock' | 'isActive'>
>;

@Injectable()
export class ProductsRepository {
  /** One per order line at checkout: a prepared statement. */
  private readonly reserveStatement: (values: { id: string; quantity: number }) => Promise<ProductRow[]>;
  /** The products of a cart write or a merge: prepared, with the ids as one array parameter. */
  private readonly byIdsStatement: (values: { ids: string[] }) => Promise<ProductRow[]>;

  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {
    this.byIdsStatement = hotStatement(txHost, 'products_by_ids', (db) =>
      db
        .select()
        .from(products)
        .where(sql`${products.id} = any(${sql.placeholder('ids')})`),
    );
    this.reserveStatement = hotStatement(txHost, 'product_reserve', (db) =>
      db
        .update(products)
        .set({ stock: sql`${products.stock} - ${sql.placeholder('quantity')}`, updatedAt: sql`now()` })
        .where(
          and(
            eq(products.id, sql.placeholder('id')),
            eq(products.isActive, true),
            gte(products.stock, sql.placeholder('quantity')),
          ),
        )
        .returning(),
    );
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
   * Takes `quantity` units if the product is active and has them, in one conditional UPDATE: stock can
   * never go below zero and two buyers can never take the same unit (CONVENTIONS: concurrency in SQL).
   */
  async reserve(id: string, quantity: number): Promise<ProductRow | undefined> {
    const [row] = await this.reserveStatement({ id, quantity });
    return row;
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
