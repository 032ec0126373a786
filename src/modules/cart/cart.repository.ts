import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, eq, or, SQL, sql } from 'drizzle-orm';
import { CartRow, cartItems, carts, products } from '../../database/schema';
import { Db } from '../../database/db';
import { DependentWrite, LockFirst } from '../../database/dependent-write';
import { Placeholders, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';
import { PRODUCT_FOR_SALE_COLUMNS } from '../catalog/catalog.service';
import { CartItemWithProduct, CartLine } from './cart-rules';

/** The values of a whole cart write (lineWrites): the lines as two arrays, in the order given. */
export type LineWriteValues = { now: string; productIds: string[]; quantities: number[] };

/**
 * The two CTEs of a whole cart write for cart `cartId` (SQL: a value, or a subquery of a lock taken first
 * in the same statement), as SQL: the lines upserted (added_at steps by a millisecond in the order given)
 * and the cart's other lines deleted. They touch disjoint rows (product ids in the list, and not in it).
 */
export function lineWriteBodies(
  cartId: SQL,
  p: Placeholders<LineWriteValues>,
): { upserted: SQL; removed: SQL } {
  const column = (c: { name: string }) => sql.identifier(c.name);
  return {
    upserted: sql`insert into ${cartItems} (${column(cartItems.cartId)}, ${column(cartItems.productId)}, ${column(cartItems.quantity)},
                                  ${column(cartItems.addedAt)}, ${column(cartItems.updatedAt)})
        select ${cartId}, line.product_id, line.quantity,
               ${p.now}::timestamptz + (line.position - 1) * interval '1 millisecond', ${p.now}::timestamptz
          from unnest(${p.productIds}::uuid[], ${p.quantities}::int[])
               with ordinality as line(product_id, quantity, position)
         where ${cartId} is not null
            on conflict (${column(cartItems.cartId)}, ${column(cartItems.productId)}) do update
           set ${column(cartItems.quantity)} = excluded.${column(cartItems.quantity)},
               ${column(cartItems.addedAt)} = excluded.${column(cartItems.addedAt)},
               ${column(cartItems.updatedAt)} = excluded.${column(cartItems.updatedAt)}
     returning ${cartItems.productId}`,
    removed: sql`delete from ${cartItems}
         where ${cartItems.cartId} = ${cartId}
           and ${cartItems.productId} <> all(${p.productIds}::uuid[])
     returning ${cartItems.productId}`,
  };
}

/** lineWriteBodies as the WITH list entries of a Drizzle statement. */
export function lineWrites(db: Db, cartId: SQL, p: Placeholders<LineWriteValues>) {
  const bodies = lineWriteBodies(cartId, p);
  return {
    upserted: db.$with('upserted', { productId: cartItems.productId }).as(bodies.upserted),
    removed: db.$with('removed', { productId: cartItems.productId }).as(bodies.removed),
  };
}

/**
 * A cart's row, locked, only if it is still the version its lines were read from (placeholder
 * `cartVersion`, its `xmin`; null: any version) and not merged (placeholder `cartId`), and if `andAlso`
 * holds. Every change to a cart's lines rewrites the cart's row in the same transaction or statement, so a
 * new version means the lines may differ; FOR UPDATE re-checks the condition on the row as its last
 * writer committed it. Checkout's placement (unchangedLock) and POST guest cart's write
 * (GuestCartsRepository.replaceIfUnchanged) take it.
 */
export function unchangedCartLock(andAlso: SQL = sql`true`): LockFirst {
  const cartId = sql`${sql.placeholder('cartId')}::uuid`;
  const version = sql`${sql.placeholder('cartVersion')}::text`;
  return sql`select ${carts.id} from ${carts}
              where ${carts.id} = ${cartId} and ${carts.mergedAt} is null
                and (${version} is null or ${carts}.xmin::text = ${version})
                and ${andAlso}
                for update`;
}

/** The lines of the carts `where` picks, each with its product for sale, oldest line first. */
function itemsWithProductsWhere(db: Db, where: SQL | undefined) {
  return db
    .select({ cartId: cartItems.cartId, quantity: cartItems.quantity, product: PRODUCT_FOR_SALE_COLUMNS })
    .from(cartItems)
    .innerJoin(products, eq(products.id, cartItems.productId))
    .where(where)
    .orderBy(asc(cartItems.addedAt), asc(cartItems.productId));
}

@Injectable()
export class CartRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  async findByUserId(userId: string): Promise<CartRow | undefined> {
    const [row] = await this.txHost.tx.select().from(carts).where(eq(carts.userId, userId));
    return row;
  }

  /** The user's cart, created on first use; safe under concurrent first requests (unique user_id). */
  async getOrCreateForUser(userId: string): Promise<CartRow> {
    const [created] = await this.txHost.tx.insert(carts).values({ userId }).onConflictDoNothing().returning();
    return created ?? (await this.findByUserId(userId))!;
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

  /** Checkout's cart condition (orders' placement statement): see unchangedCartLock. */
  unchangedLock(): LockFirst {
    return unchangedCartLock();
  }

  static readonly lockByUser = statement('cart_lock_by_user', (db, p: Placeholders<{ userId: string }>) =>
    db.select().from(carts).where(eq(carts.userId, p.userId)).for('update'),
  );

  /** The user's cart, row-locked for the rest of the transaction; undefined when the user has none yet. */
  async lockByUserId(userId: string): Promise<CartRow | undefined> {
    const [row] = await CartRepository.lockByUser.run(this.txHost, { userId });
    return row;
  }

  /** Row-locks a cart for the rest of the transaction, so concurrent writes to one cart queue up. */
  async lock(cartId: string): Promise<CartRow | undefined> {
    const [row] = await this.txHost.tx.select().from(carts).where(eq(carts.id, cartId)).for('update');
    return row;
  }

  /** A cart's lines with their products (GET cart, checkout's pricing): one query, no N+1. */
  static readonly itemsWithProducts = statement(
    'cart_items_with_products',
    (db, p: Placeholders<{ cartId: string }>) => itemsWithProductsWhere(db, eq(cartItems.cartId, p.cartId)),
  );

  /** Every line with its product, in one query (no N+1), oldest line first. */
  itemsWithProducts(cartId: string): Promise<CartItemWithProduct[]> {
    return CartRepository.itemsWithProducts.run(this.txHost, { cartId });
  }

  /** Two carts' lines with their products (a merge reads both carts), oldest line first in each. */
  static readonly itemsWithProductsOfTwo = statement(
    'cart_items_with_products_of_two',
    (db, p: Placeholders<{ first: string; second: string }>) =>
      itemsWithProductsWhere(db, or(eq(cartItems.cartId, p.first), eq(cartItems.cartId, p.second))),
  );

  /** See itemsWithProductsOfTwo: one query for both carts. */
  itemsWithProductsOfTwo(
    first: string,
    second: string,
  ): Promise<(CartItemWithProduct & { cartId: string })[]> {
    return CartRepository.itemsWithProductsOfTwo.run(this.txHost, { first, second });
  }

  static readonly lines = statement('cart_lines', (db, p: Placeholders<{ cartId: string }>) =>
    db
      .select({ productId: cartItems.productId, quantity: cartItems.quantity })
      .from(cartItems)
      .where(eq(cartItems.cartId, p.cartId))
      .orderBy(asc(cartItems.addedAt), asc(cartItems.productId)),
  );

  lines(cartId: string): Promise<CartLine[]> {
    return CartRepository.lines.run(this.txHost, { cartId });
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

  /**
   * A whole cart write in one round trip: the new lines upserted (any number, as two arrays, in the
   * order given: added_at steps by a millisecond), the other lines deleted, the cart touched. The two
   * CTEs touch disjoint rows (product ids in the list, and not in it).
   */
  static readonly replaceLines = statement(
    'cart_replace_lines',
    (db, p: Placeholders<{ cartId: string } & LineWriteValues>) => {
      const { upserted, removed } = lineWrites(db, sql`${p.cartId}::uuid`, p);
      return db
        .with(upserted, removed)
        .update(carts)
        .set({ updatedAt: sql`${p.now}::timestamptz` })
        .where(eq(carts.id, p.cartId))
        .returning();
    },
  );

  /** Replaces the whole content (lines keep the order given) and touches the cart: one statement. */
  async replaceLines(cartId: string, lines: readonly CartLine[], now: Date): Promise<CartRow> {
    const [row] = await CartRepository.replaceLines.run(this.txHost, {
      cartId,
      now: now.toISOString(),
      productIds: lines.map((line) => line.productId),
      quantities: lines.map((line) => line.quantity),
    });
    return row;
  }

  static readonly touch = statement('cart_touch', (db, p: Placeholders<{ cartId: string; now: string }>) =>
    db
      .update(carts)
      .set({ updatedAt: sql`${p.now}` })
      .where(eq(carts.id, p.cartId))
      .returning(),
  );

  async touch(cartId: string, now: Date): Promise<CartRow> {
    const [row] = await CartRepository.touch.run(this.txHost, { cartId, now: now.toISOString() });
    return row;
  }
}
