import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, eq } from 'drizzle-orm';
import { CartRow, cartItems, carts, ProductRow, products } from '../../database/schema';
import { TxHost } from '../../database/transaction';
import { CartLine } from './cart-rules';

export interface CartItemWithProduct {
  quantity: number;
  product: ProductRow;
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

  async lockByGuestSessionId(sessionId: string): Promise<CartRow | undefined> {
    const [row] = await this.txHost.tx
      .select()
      .from(carts)
      .where(eq(carts.guestSessionId, sessionId))
      .for('update');
    return row;
  }

  async createForGuestSession(sessionId: string, now: Date): Promise<CartRow> {
    const [row] = await this.txHost.tx
      .insert(carts)
      .values({ guestSessionId: sessionId, createdAt: now, updatedAt: now })
      .returning();
    return row;
  }

  async markMerged(cartId: string, userId: string, now: Date): Promise<void> {
    await this.txHost.tx
      .update(carts)
      .set({ mergedIntoUserId: userId, mergedAt: now, updatedAt: now })
      .where(eq(carts.id, cartId));
  }

  /** The user's cart, row-locked for the rest of the transaction; undefined when the user has none yet. */
  async lockByUserId(userId: string): Promise<CartRow | undefined> {
    const [row] = await this.txHost.tx.select().from(carts).where(eq(carts.userId, userId)).for('update');
    return row;
  }

  /** Row-locks a cart for the rest of the transaction, so concurrent writes to one cart queue up. */
  async lock(cartId: string): Promise<CartRow | undefined> {
    const [row] = await this.txHost.tx.select().from(carts).where(eq(carts.id, cartId)).for('update');
    return row;
  }

  /** Every line with its product, in one query (no N+1), oldest line first. */
  async itemsWithProducts(cartId: string): Promise<CartItemWithProduct[]> {
    return this.txHost.tx
      .select({ quantity: cartItems.quantity, product: products })
      .from(cartItems)
      .innerJoin(products, eq(products.id, cartItems.productId))
      .where(eq(cartItems.cartId, cartId))
      .orderBy(asc(cartItems.addedAt), asc(cartItems.productId));
  }

  async lines(cartId: string): Promise<CartLine[]> {
    return this.txHost.tx
      .select({ productId: cartItems.productId, quantity: cartItems.quantity })
      .from(cartItems)
      .where(eq(cartItems.cartId, cartId))
      .orderBy(asc(cartItems.addedAt), asc(cartItems.productId));
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

  /** Replaces the whole content; lines keep the order given (added_at steps by a microsecond). */
  async replaceLines(cartId: string, lines: readonly CartLine[], now: Date): Promise<void> {
    await this.txHost.tx.delete(cartItems).where(eq(cartItems.cartId, cartId));
    if (lines.length === 0) return;
    await this.txHost.tx.insert(cartItems).values(
      lines.map((line, index) => ({
        cartId,
        productId: line.productId,
        quantity: line.quantity,
        addedAt: new Date(now.getTime() + index),
        updatedAt: now,
      })),
    );
  }

  async touch(cartId: string, now: Date): Promise<CartRow> {
    const [row] = await this.txHost.tx
      .update(carts)
      .set({ updatedAt: now })
      .where(eq(carts.id, cartId))
      .returning();
    return row;
  }
}
