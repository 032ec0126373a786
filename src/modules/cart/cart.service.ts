import { TransactionalAsynchronousCommit } from '../../database/asynchronous-commit';
import { Inject, Injectable } from '@nestjs/common';
import type { SQLWrapper } from 'drizzle-orm';
import { AppError } from '../../common/errors/app-error';
import { pgErrorCode } from '../../common/errors/database-errors';
import { Clock } from '../../common/util/clock';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { CartRow } from '../../database/schema';
import { DependentWrite, LockFirst } from '../../database/dependent-write';
import type { SessionLockValues, SessionPart } from '../guest-session/guest-session.service';
import { CatalogService } from '../catalog/catalog.service';
import {
  CartItemWithProduct,
  CartLimits,
  CartLine,
  CartProduct,
  CartViolation,
  checkCartLimits,
  checkCartLines,
  checkLineChange,
  priceCart,
} from './cart-rules';
import { CartRepository } from './cart.repository';
import { CartDto, toCartResponse } from './dto/cart.dto';
import {
  GuestCartsRepository,
  MergeLocks,
  MergeWritesPart,
  MergeWriteValues,
} from './guest-carts.repository';

export type { MergeLocks, MergeWritesPart, MergeWriteValues } from './guest-carts.repository';

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * The cart rules for every cart, user or guest: validation against limits, availability and stock,
 * pricing, and the writes. Callers that change a cart run inside a transaction with the cart locked, or
 * write in one statement guarded by the cart's row version (GuestCartService.replace).
 */
@Injectable()
export class CartService {
  readonly limits: CartLimits;

  constructor(
    private readonly carts: CartRepository,
    private readonly guestCarts: GuestCartsRepository,
    private readonly catalog: CatalogService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {
    this.limits = { maxLines: config.maxCartLines, maxLineQuantity: config.maxLineQuantity };
  }

  /** The cart as the API shows it: lines priced now and flagged when they can no longer be bought. */
  async view(cart: CartRow): Promise<CartDto> {
    return this.toView(cart, await this.carts.itemsWithProducts(cart.id));
  }

  /** The cart as the API shows it, from lines already read with their products. */
  toView(cart: Pick<CartRow, 'id' | 'updatedAt'>, rows: readonly CartItemWithProduct[]): CartDto {
    const products = new Map(rows.map((row) => [row.product.id, row.product]));
    const priced = priceCart(
      rows.map((row) => ({ productId: row.product.id, quantity: row.quantity })),
      products,
    );
    return toCartResponse(cart, priced, this.config.currency);
  }

  /**
   * Makes `lines` the whole content of the cart, or changes nothing and throws (contract §4). The view
   * is built from the products read for the checks (same transaction), so the cart is not read back.
   */
  async replaceLines(cartId: string, lines: readonly CartLine[]): Promise<CartDto> {
    const products = await this.checkLines(lines);
    const cart = await this.carts.replaceLines(cartId, lines, this.clock.now());
    return this.writtenView(cart, lines, products);
  }

  /**
   * replaceLines' checks without its write: the lines' products read and the lines judged against them
   * and the limits (throws the contract's 422 when refused). The products are for writtenView.
   */
  async checkLines(lines: readonly CartLine[]): Promise<Map<string, CartProduct>> {
    return this.judgeLines(lines, await this.catalog.productMap(lines.map((line) => line.productId)));
  }

  /** checkLines against products already read (POST guest cart reads them with its session). */
  judgeLines(lines: readonly CartLine[], products: Map<string, CartProduct>): Map<string, CartProduct> {
    throwIfViolated(checkCartLines(lines, products, this.limits));
    return products;
  }

  /** The view of a cart whose whole content `lines` was just written, from the products checkLines read. */
  writtenView(
    cart: Pick<CartRow, 'id' | 'updatedAt'>,
    lines: readonly CartLine[],
    products: ReadonlyMap<string, CartProduct>,
  ): CartDto {
    // checkLines refused any line whose product is missing; lines keep the order they were written in
    return this.toView(
      cart,
      lines.map((line) => ({ quantity: line.quantity, product: products.get(line.productId)! })),
    );
  }

  /** Locks a cart first in another module's statement (database/dependent-write.ts). */
  lockFirst(cartId: string): LockFirst {
    return this.carts.lockFirst(cartId);
  }

  /** Empties a cart as part of another module's statement (database/dependent-write.ts). */
  emptyWhen(cartId: string): DependentWrite[] {
    return this.carts.emptyWhen(cartId);
  }

  /** The cart condition of checkout's placement statement (CartRepository.unchangedLock). */
  unchangedLock(): LockFirst {
    return this.carts.unchangedLock();
  }

  /** Sets one line's quantity (0 removes it), validating only that line and the line count. */
  async setLine(cartId: string, line: CartLine): Promise<CartRow> {
    const now = this.clock.now();
    if (line.quantity === 0) return this.removeLine(cartId, line.productId);
    const current = await this.carts.lines(cartId);
    const linesAfter = current.some((l) => l.productId === line.productId)
      ? current.map((l) => (l.productId === line.productId ? line : l))
      : [...current, line];
    throwIfViolated(
      checkLineChange(linesAfter, line, await this.catalog.productMap([line.productId]), this.limits),
    );
    await this.carts.upsertLine(cartId, line, now);
    return this.carts.touch(cartId, now);
  }

  async removeLine(cartId: string, productId: string): Promise<CartRow> {
    await this.carts.deleteLine(cartId, productId);
    return this.carts.touch(cartId, this.clock.now());
  }

  async getUserCart(userId: string): Promise<CartDto> {
    const cart = (await this.carts.findByUserId(userId)) ?? (await this.getOrCreateUserCart(userId));
    return this.view(cart);
  }

  /** A user's cart line set; only the cart changes, committed asynchronously (database/asynchronous-commit.ts). */
  @TransactionalAsynchronousCommit()
  async setUserItem(userId: string, line: CartLine): Promise<CartDto> {
    const cart = await this.lockUserCart(userId);
    return this.view(await this.setLine(cart.id, line));
  }

  @TransactionalAsynchronousCommit()
  async removeUserItem(userId: string, productId: string): Promise<CartDto> {
    const cart = await this.lockUserCart(userId);
    return this.view(await this.removeLine(cart.id, productId));
  }

  /** Refuses lines over the cart limits (422 CART_LIMIT_EXCEEDED), whatever they come from. */
  assertWithinLimits(lines: readonly CartLine[]): void {
    throwIfViolated(checkCartLimits(lines, this.limits));
  }

  /** A cart's lines and their product rows, in one query (checkout prices from these). */
  async linesWithProducts(
    cartId: string,
  ): Promise<{ lines: CartLine[]; products: Map<string, CartProduct> }> {
    const items = await this.carts.itemsWithProducts(cartId);
    return {
      lines: items.map((item) => ({ productId: item.product.id, quantity: item.quantity })),
      products: new Map(items.map((item) => [item.product.id, item.product])),
    };
  }

  /**
   * Two carts' lines, each cart's oldest first, and the products of all of them, in one query (a merge
   * plans from these).
   */
  async linesOfTwo(
    first: string,
    second: string,
  ): Promise<{ first: CartLine[]; second: CartLine[]; products: Map<string, CartProduct> }> {
    const items = await this.carts.itemsWithProductsOfTwo(first, second);
    const linesOf = (cartId: string): CartLine[] =>
      items
        .filter((item) => item.cartId === cartId)
        .map((item) => ({ productId: item.product.id, quantity: item.quantity }));
    return {
      first: linesOf(first),
      second: linesOf(second),
      products: new Map(items.map((item) => [item.product.id, item.product])),
    };
  }

  lines(cartId: string): Promise<CartLine[]> {
    return this.carts.lines(cartId);
  }

  /** A cart by id, row-locked for the rest of the transaction (checkout settles an order from it). */
  async lockById(cartId: string): Promise<CartRow | undefined> {
    return this.carts.lock(cartId);
  }

  /**
   * A merge's locks in one statement: the session (`session`, the guest-session module's lock part), its
   * cart, the user's cart, in that order (GuestCartsRepository.lockForMerge).
   */
  lockForMerge(
    session: SessionPart,
    values: SessionLockValues & { userId: string },
  ): Promise<MergeLocks | undefined> {
    return this.guestCarts.lockForMerge(session, values);
  }

  createGuestCart(sessionId: string): Promise<CartRow> {
    return this.guestCarts.create(sessionId, this.clock.now());
  }

  /**
   * A merge's cart writes as the leading part of the merge module's statement, with its values: the
   * user cart's lines become `lines` (a plan already judged: no validation here, the plan carries the
   * stock and limit decisions), the guest cart is emptied and marked merged into the user (contract §5).
   */
  mergeWrites(
    userCartId: string,
    guestCartId: string,
    userId: string,
    lines: readonly CartLine[],
  ): { part: MergeWritesPart; values: MergeWriteValues } {
    return {
      part: this.guestCarts.mergeWrites,
      values: {
        userCartId,
        guestCartId,
        userId,
        now: this.clock.now().toISOString(),
        productIds: lines.map((line) => line.productId),
        quantities: lines.map((line) => line.quantity),
      },
    };
  }

  /**
   * The user's cart row, created if needed and locked for the current transaction. An existing cart
   * (the usual case) takes one statement; a first cart takes an insert and a second lock.
   */
  async lockUserCart(userId: string): Promise<CartRow> {
    const existing = await this.carts.lockByUserId(userId);
    if (existing !== undefined) return existing;
    const cart = await this.getOrCreateUserCart(userId);
    return (await this.carts.lock(cart.id)) ?? cart;
  }

  /** A valid token whose account is gone fails the user foreign key: a 401 as on /auth/me, not a 500. */
  private async getOrCreateUserCart(userId: string): Promise<CartRow> {
    try {
      return await this.carts.getOrCreateForUser(userId);
    } catch (error) {
      if (pgErrorCode(error) === FOREIGN_KEY_VIOLATION)
        throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
      throw error;
    }
  }

  /**
   * Cleanup (contract §12): the guest sessions whose cart was merged before `mergedBefore`, at most
   * `limit`, as a batch query for the guest-session module's delete (the carts go with their sessions).
   */
  mergedGuestSessionIds(mergedBefore: Date, limit: number): SQLWrapper {
    return this.guestCarts.mergedSessionIds(mergedBefore, limit);
  }

  /** Monitoring (contract §12): unmerged guest carts holding at least one line. */
  countGuestCartsWithItems(): Promise<number> {
    return this.guestCarts.countWithItems();
  }
}

/** Turns a planner's verdict into the contract's error. */
export function throwIfViolated(violation: CartViolation | undefined): void {
  if (violation === undefined) return;
  switch (violation.kind) {
    case 'CART_LIMIT_EXCEEDED':
      throw new AppError('CART_LIMIT_EXCEEDED', violation.message, violation.details);
    case 'PRODUCT_UNAVAILABLE':
      throw new AppError(
        'PRODUCT_UNAVAILABLE',
        'Some products are unknown or no longer sold',
        violation.productIds.map((product_id) => ({ product_id })),
      );
    case 'INSUFFICIENT_STOCK':
      throw new AppError('INSUFFICIENT_STOCK', 'Not enough stock for some products', violation.problems);
  }
}
