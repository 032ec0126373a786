import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, eq, isNotNull, isNull, lt, sql, SQLWrapper } from 'drizzle-orm';
import { CartRow, cartItems, carts, products } from '../../database/schema';
import { DependentWrite, LockFirst } from '../../database/dependent-write';
import { hotStatement } from '../../database/hot-statement';
import { TxHost } from '../../database/transaction';
import { CartItemWithProduct, CartLine } from './cart-rules';

@Injectable()
export class CartRepository {
  // The statements of the cart write paths (replace, merge, checkout), prepared once (hot-statement.ts).
  private readonly lockByUserIdStatement: (values: { userId: string }) => Promise<CartRow[]>;
  private readonly lockByGuestSessionStatement: (values: { sessionId: string }) => Promise<CartRow[]>;
  private readonly linesStatement: (values: { cartId: string }) => Promise<CartLine[]>;
  private readonly itemsWithProductsStatement: (values: { cartId: string }) => Promise<CartItemWithProduct[]>;
  private readonly touchStatement: (values: { cartId: string; now: string }) => Promise<CartRow[]>;
  private readonly replaceLinesStatement: (values: {
    cartId: string;
    now: string;
    productIds: string[];
    quantities: number[];
  }) => Promise<CartRow[]>;
  private readonly clearAndMarkMergedStatement: (values: {
    cartId: string;
    userId: string;
    now: string;
  }) => Promise<unknown>;

  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {
    this.lockByUserIdStatement = hotStatement(txHost, 'cart_lock_by_user', (db) =>
      db
        .select()
        .from(carts)
        .where(eq(carts.userId, sql.placeholder('userId')))
        .for('update'),
    );
    this.lockByGuestSessionStatement = hotStatement(txHost, 'cart_lock_by_guest_session', (db) =>
      db
        .select()
        .from(carts)
        .where(eq(carts.guestSessionId, sql.placeholder('sessionId')))
        .for('update'),
    );
    // a cart's lines with their products (GET cart, checkout's pricing): one query, no N+1
    this.itemsWithProductsStatement = hotStatement(txHost, 'cart_items_with_products', (db) =>
      db
        .select({ quantity: cartItems.quantity, product: products })
        .from(cartItems)
        .innerJoin(products, eq(products.id, cartItems.productId))
        .where(eq(cartItems.cartId, sql.placeholder('cartId')))
        .orderBy(asc(cartItems.addedAt), asc(cartItems.productId)),
    );
    this.linesStatement = hotStatement(txHost, 'cart_lines', (db) =>
      db
        .select({ productId: cartItems.productId, quantity: cartItems.quantity })
        .from(cartItems)
        .where(eq(cartItems.cartId, sql.placeholder('cartId')))
        .orderBy(asc(cartItems.addedAt), asc(cartItems.productId)),
    );
    // A whole cart write in one round trip: the new lines upserted (any number, as two arrays, in the
    // order given: added_at steps by a millisecond), the other lines deleted, the cart touched. The two
    // CTEs touch disjoint rows (product ids in the list, and not in it).
    this.replaceLinesStatement = hotStatement(txHost, 'cart_replace_lines', (db) => {
      const column = (name: string) => sql.identifier(name);
      const upserted = db
        .$with('upserted', { productId: cartItems.productId })
        .as(
          sql`insert into ${cartItems} (${column(cartItems.cartId.name)}, ${column(cartItems.productId.name)}, ${column(cartItems.quantity.name)}, ${column(cartItems.addedAt.name)}, ${column(cartItems.updatedAt.name)}) select ${sql.placeholder('cartId')}::uuid, line.product_id, line.quantity, ${sql.placeholder('now')}::timestamptz + (line.position - 1) * interval '1 millisecond', ${sql.placeholder('now')}::timestamptz from unnest(${sql.placeholder('productIds')}::uuid[], ${sql.placeholder('quantities')}::int[]) with ordinality as line(product_id, quantity, position) on conflict (${column(cartItems.cartId.name)}, ${column(cartItems.productId.name)}) do update set ${column(cartItems.quantity.name)} = excluded.${column(cartItems.quantity.name)}, ${column(cartItems.addedAt.name)} = excluded.${column(cartItems.addedAt.name)}, ${column(cartItems.updatedAt.name)} = excluded.${column(cartItems.updatedAt.name)} returning ${cartItems.productId}`,
        );
      const removed = db
        .$with('removed', { productId: cartItems.productId })
        .as(
          sql`delete from ${cartItems} where ${cartItems.cartId} = ${sql.placeholder('cartId')}::uuid and ${cartItems.productId} <> all(${sql.placeholder('productIds')}::uuid[]) returning ${cartItems.productId}`,
        );
      return db
        .with(upserted, removed)
        .update(carts)
        .set({ updatedAt: sql`${sql.placeholder('now')}::timestamptz` })
        .where(eq(carts.id, sql.placeholder('cartId')))
        .returning();
    });
    // a merged guest cart: emptied and marked in one round trip
    this.clearAndMarkMergedStatement = hotStatement(txHost, 'cart_clear_and_mark_merged', (db) => {
      const removed = db
        .$with('removed', { productId: cartItems.productId })
        .as(
          sql`delete from ${cartItems} where ${cartItems.cartId} = ${sql.placeholder('cartId')}::uuid returning ${cartItems.productId}`,
        );
      return db
        .with(removed)
        .update(carts)
        .set({
          mergedIntoUserId: sql`${sql.placeholder('userId')}::uuid`,
          mergedAt: sql`${sql.placeholder('now')}::timestamptz`,
          updatedAt: sql`${sql.placeholder('now')}::timestamptz`,
        })
        .where(eq(carts.id, sql.placeholder('cartId')));
    });
    this.touchStatement = hotStatement(txHost, 'cart_touch', (db) =>
      db
        .update(carts)
        .set({ updatedAt: sql`${sql.placeholder('now')}` })
        .where(eq(carts.id, sql.placeholder('cartId')))
        .returning(),
    );
  }

  async findByUserId(userId: string): Promise<CartRow | undefined> {
    const [row] = await this.txHost.tx.select().from(carts).where(eq(carts.userId, userId));
    return row;
  }

  /** The user's cart, created on first use; safe under concurrent first requests (unique user_id). */
  async getOrCreateForUser(userId: string): Promise<CartRow> {
    const [created] = await this.txHost.tx.insert(carts).values({ userId }).onConflictDoNothing().returning();
    return created ?? (await this.findByUserId(userId))!;
  }

  async lockByGuestSessionId(sessionId: string): Promise<CartRow | undefined> {
    const [row] = await this.lockByGuestSessionStatement({ sessionId });
    return row;
  }

  async createForGuestSession(sessionId: string, now: Date): Promise<CartRow> {
    const [row] = await this.txHost.tx
      .insert(carts)
      .values({ guestSessionId: sessionId, createdAt: now, updatedAt: now })
      .returning();
    return row;
  }

  /** The cart's row lock, taken by another module's statement before it writes (dependent-write.ts). */
  lockFirst(cartId: string): LockFirst {
    return sql`select ${carts.id} from ${carts} where ${carts.id} = ${cartId}::uuid for update`;
  }

  /**
   * Deletes a cart's lines as dependent writes of another statement (checkout's completion), and
   * rewrites the cart's row: a new row version tells a checkout that read the lines before that the
   * cart has changed (unchangedLock).
   */
  emptyWhen(cartId: string): DependentWrite[] {
    return [
      (guard) => sql`delete from ${cartItems} where ${cartItems.cartId} = ${cartId}::uuid and ${guard}`,
      (guard) =>
        sql`update ${carts} set ${sql.identifier(carts.updatedAt.name)} = ${carts.updatedAt}
             where ${carts.id} = ${cartId}::uuid and ${guard}`,
    ];
  }

  /**
   * Checkout's cart condition (orders' placement statement): the cart's row, locked, only if it is still
   * the version the lines were read from (placeholder `cartVersion`, its `xmin`; null: any version) and
   * not merged (placeholder `cartId`). Every change to a cart's lines rewrites the cart's row in the same
   * transaction, so a new version means the lines may differ; FOR UPDATE re-checks the condition on the
   * row as its last writer committed it.
   */
  unchangedLock(): LockFirst {
    const cartId = sql`${sql.placeholder('cartId')}::uuid`;
    const version = sql`${sql.placeholder('cartVersion')}::text`;
    return sql`select ${carts.id} from ${carts}
                where ${carts.id} = ${cartId} and ${carts.mergedAt} is null
                  and (${version} is null or ${carts}.xmin::text = ${version})
                  for update`;
  }

  /** Empties a guest cart and records the user it was merged into. */
  async clearAndMarkMerged(cartId: string, userId: string, now: Date): Promise<void> {
    await this.clearAndMarkMergedStatement({ cartId, userId, now: now.toISOString() });
  }

  /** The user's cart, row-locked for the rest of the transaction; undefined when the user has none yet. */
  async lockByUserId(userId: string): Promise<CartRow | undefined> {
    const [row] = await this.lockByUserIdStatement({ userId });
    return row;
  }

  /** Row-locks a cart for the rest of the transaction, so concurrent writes to one cart queue up. */
  async lock(cartId: string): Promise<CartRow | undefined> {
    const [row] = await this.txHost.tx.select().from(carts).where(eq(carts.id, cartId)).for('update');
    return row;
  }

  /** Every line with its product, in one query (no N+1), oldest line first. */
  itemsWithProducts(cartId: string): Promise<CartItemWithProduct[]> {
    return this.itemsWithProductsStatement({ cartId });
  }

  lines(cartId: string): Promise<CartLine[]> {
    return this.linesStatement({ cartId });
  }

  async upsertLine(cartId: string, line: CartLine, now: Date): Promise<void> {
    await this.txHost.tx
      .insert(cartItems)
      .values({ cartId, productId: line.productId, quantity: line.quantity, addedAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [cartItems.cartId, cartItems.productId],
        set: { quantity: line.quantity, updatedAt: now },
      });
  }

  async deleteLine(cartId: string, productId: string): Promise<void> {
    await this.txHost.tx
      .delete(cartItems)
      .where(and(eq(cartItems.cartId, cartId), eq(cartItems.productId, productId)));
  }

  /** Replaces the whole content (lines keep the order given) and touches the cart: one statement. */
  async replaceLines(cartId: string, lines: readonly CartLine[], now: Date): Promise<CartRow> {
    const [row] = await this.replaceLinesStatement({
      cartId,
      now: now.toISOString(),
      productIds: lines.map((line) => line.productId),
      quantities: lines.map((line) => line.quantity),
    });
    return row;
  }

  async touch(cartId: string, now: Date): Promise<CartRow> {
    const [row] = await this.touchStatement({ cartId, now: now.toISOString() });
    return row;
  }

  /** The guest sessions whose cart was merged before `mergedBefore`, at most `limit`: a batch query to embed. */
  mergedGuestSessionIds(mergedBefore: Date, limit: number): SQLWrapper {
    return this.txHost.tx
      .select({ id: carts.guestSessionId })
      .from(carts)
      .where(and(isNotNull(carts.guestSessionId), lt(carts.mergedAt, mergedBefore)))
      .limit(limit);
  }

  /** Unmerged guest carts holding at least one line. */
  async countGuestCartsWithItems(): Promise<number> {
    const [row] = await this.txHost.tx
      .select({ n: sql<number>`count(distinct ${carts.id})`.mapWith(Number) })
      .from(carts)
      .innerJoin(cartItems, eq(cartItems.cartId, carts.id))
      .where(and(isNotNull(carts.guestSessionId), isNull(carts.mergedAt)));
    return row.n;
  }
}
