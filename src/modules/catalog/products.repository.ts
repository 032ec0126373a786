import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, count, eq, gt, SQL, sql } from 'drizzle-orm';
import { NewProductRow, ProductRow, products } from '../../database/schema';
import { DependentWrite } from '../../database/dependent-write';
import { Placeholders, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';
import type { StockChange } from './stock-change';

export type ProductPatch = Partial<
  Pick<ProductRow, 'name' | 'description' | 'unitPrice' | 'stock' | 'isActive'>
>;

/**
 * What selling a product needs of its row (a cart line's price and availability, an order line's sku and
 * name): the columns the cart, merge and checkout reads select, not the timestamps or the description.
 */
export type ProductForSale = Pick<ProductRow, 'id' | 'sku' | 'name' | 'unitPrice' | 'stock' | 'isActive'>;

/** ProductForSale's columns, for a select (also joined by the cart module's reads, through CatalogService). */
export const PRODUCT_FOR_SALE_COLUMNS = {
  id: products.id,
  sku: products.sku,
  name: products.name,
  unitPrice: products.unitPrice,
  stock: products.stock,
  isActive: products.isActive,
} satisfies { [K in keyof ProductForSale]: unknown };

@Injectable()
export class ProductsRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  async findById(id: string): Promise<ProductRow | undefined> {
    const [row] = await this.txHost.tx.select().from(products).where(eq(products.id, id));
    return row;
  }

  /** The products of a cart write or a merge: prepared, with the ids as one array parameter. */
  static readonly byIds = statement('products_by_ids', (db, p: Placeholders<{ ids: string[] }>) =>
    db
      .select(PRODUCT_FOR_SALE_COLUMNS)
      .from(products)
      .where(sql`${products.id} = any(${p.ids})`),
  );

  /** One query for any number of ids (no N+1 over cart lines). */
  async findByIds(ids: readonly string[]): Promise<ProductForSale[]> {
    if (ids.length === 0) return [];
    return ProductsRepository.byIds.run(this.txHost, { ids: [...ids] });
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

  /**
   * Row-locks the products, in id order: concurrent checkouts lock shared products in the same order,
   * so they queue instead of deadlocking.
   */
  /**
   * Takes the units of every line, or none, in one statement (rows locked in id order first). Returns
   * each product row as it was before the take, and whether the lines were taken.
   */
  /**
   * Checkout's stock, as parts of orders' placement statement (database/dependent-write.ts), over the
   * placeholders `productIds`, `quantities` and `unitPrices` (one entry per line, one line per product):
   * - `lock`: the lines' rows locked in id order (concurrent orders queue on shared products and never
   *   deadlock; NO KEY UPDATE, so inserts of order lines, whose foreign keys take KEY SHARE on these rows,
   *   neither wait nor deadlock), as their last holder committed them; `after` is evaluated first (the
   *   cart's lock: checkout's lock order is cart, products, order);
   * - `fits`: every line's product is sold, has the units and still has the price the order was priced at;
   * - `takeWhen`: the units taken, only if `guard` holds (the order was written).
   */
  stockParts(): {
    lock: (after: SQL) => SQL;
    fits: (locked: SQL) => SQL;
    takeWhen: DependentWrite;
  } {
    const ids = sql`${sql.placeholder('productIds')}::uuid[]`;
    const quantities = sql`${sql.placeholder('quantities')}::int[]`;
    const column = (name: string) => sql.identifier(name);
    return {
      lock: (after) =>
        sql`select ${column(products.id.name)}, ${column(products.stock.name)}, ${column(products.unitPrice.name)}, ${column(products.isActive.name)}
              from ${products}
             where ${products.id} = any(${ids}) and ${after}
             order by ${products.id}
               for no key update`,
      fits: (locked) =>
        sql`(select count(*)
               from ${locked}
               join unnest(${ids}, ${quantities}, ${sql.placeholder('unitPrices')}::bigint[])
                 as line(id, quantity, unit_price) on line.id = ${locked}.${column(products.id.name)}
              where ${locked}.${column(products.isActive.name)}
                and ${locked}.${column(products.stock.name)} >= line.quantity
                and ${locked}.${column(products.unitPrice.name)} = line.unit_price) = cardinality(${ids})`,
      takeWhen: (guard) =>
        sql`update ${products}
               set ${column(products.stock.name)} = ${products.stock} - line.quantity,
                   ${column(products.updatedAt.name)} = now()
              from unnest(${ids}, ${quantities}) as line(id, quantity)
             where ${products.id} = line.id and ${guard}`,
    };
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

  /**
   * An admin's change as one conditional UPDATE (concurrency in SQL, not read-check-write): a `set` with
   * `expected` applies only while the stock is still that value, an `adjust` only while the result stays
   * within 0..max. No row back: the product is unknown or the condition failed (the caller reads which).
   */
  async updateChecked(
    id: string,
    patch: Omit<ProductPatch, 'stock'>,
    change: StockChange | undefined,
  ): Promise<ProductRow | undefined> {
    let stock: SQL | number | undefined;
    let condition: SQL | undefined;
    if (change?.kind === 'set') {
      stock = change.stock;
      if (change.expected !== undefined) condition = eq(products.stock, change.expected);
    } else if (change?.kind === 'adjust') {
      stock = sql`${products.stock} + ${change.delta}`;
      condition = sql`${products.stock} + ${change.delta} between 0 and ${change.max}`;
    }
    const [updated] = await this.txHost.tx
      .update(products)
      .set({ ...patch, stock, updatedAt: sql`now()` })
      .where(and(eq(products.id, id), condition))
      .returning();
    return updated;
  }
}
