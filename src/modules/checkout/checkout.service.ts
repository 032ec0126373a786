import { Transactional } from '@nestjs-cls/transactional';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import type { IdempotencyAttempt } from '../../common/idempotency/idempotency.types';
import { Clock } from '../../common/util/clock';
import { isGuestEmail, normalizeEmail } from '../../common/util/guest-email';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { AuthService } from '../auth/auth.service';
import { CartService } from '../cart/cart.service';
import { GuestCartService } from '../cart/guest-cart.service';
import { CatalogService } from '../catalog/catalog.service';
import { OrderRecords, OrderWithItems, PlacementParts } from '../orders/order-records.service';
import {
  cartEmpty,
  emailRegistered,
  GuestCheckout,
  LinesCheckout,
  OrderDraft,
  priceLines,
  refusalAfterLocks,
  UserCheckout,
} from './order-draft';
import { mailed, PaymentSettlement, PlacedOrder } from './payment-settlement.service';

export type { Customer, GuestCheckout, LinesCheckout, UserCheckout } from './order-draft';

/** How often a guest checkout reads a cart that changed before its placement could write (then 409). */
const CART_READS = 3;

/**
 * The one checkout for every source (guest cart, user cart, spec-002 lines), in durable steps (contract
 * §6): (1) one statement takes the stock and writes the order `awaiting_payment` (ADR 002); (2)+(3) are
 * PaymentSettlement's: the charge outside any transaction, then `paid` or released. A retry with the same
 * Idempotency-Key finds the order its first attempt wrote and finishes it instead of placing another.
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly catalog: CatalogService,
    private readonly carts: CartService,
    private readonly guestCarts: GuestCartService,
    private readonly auth: AuthService,
    private readonly records: OrderRecords,
    private readonly settlement: PaymentSettlement,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {
    this.parts = {
      guestEmailFree: auth.guestEmailFree(),
      cart: carts.unchangedLock(),
      stock: catalog.stockParts(),
      sessionTouchWhen: guestCarts.sessionTouchOnPlacement(null).part,
    };
  }

  /** The other modules' SQL in the placement statement (constant: prepared once). */
  private readonly parts: PlacementParts;

  /**
   * contract §6: a registered (non-guest-pattern) email must log in to check out; the placement
   * statement checks it (nothing is written for one).
   */
  placeGuestOrder(input: GuestCheckout, attempt?: IdempotencyAttempt): Promise<PlacedOrder> {
    const email = normalizeEmail(input.customer.email);
    return this.place(attempt, input.paymentToken, () =>
      this.takeGuestCart(input, email, attempt?.ref ?? null),
    );
  }

  /** Orders the authenticated user's cart. */
  placeUserOrder(userId: string, input: UserCheckout, attempt?: IdempotencyAttempt): Promise<PlacedOrder> {
    return this.place(attempt, input.paymentToken, () =>
      this.takeUserCart(userId, input, attempt?.ref ?? null),
    );
  }

  /** spec 002 (contract §9): the lines of the request, priced by the catalog; the order starts `pending`. */
  placeLines(input: LinesCheckout, attempt?: IdempotencyAttempt): Promise<PlacedOrder> {
    return this.place(attempt, null, () => this.takeLines(input, attempt?.ref ?? null));
  }

  private async place(
    attempt: IdempotencyAttempt | undefined,
    paymentToken: string | null,
    take: () => Promise<OrderWithItems>,
  ): Promise<PlacedOrder> {
    // an earlier attempt with this key may have written the order already: finish that one
    const earlier =
      attempt?.resumed === true ? await this.records.findByIdempotencyRef(attempt.ref) : undefined;
    const taken = earlier ?? (await take().catch((error: unknown) => this.settlement.countRefusal(error)));
    if (taken.order.status !== 'awaiting_payment' || paymentToken === null) {
      return { ...taken, emailQueued: mailed(taken.order) };
    }
    return this.settlement.pay(taken, paymentToken);
  }

  /**
   * Step 1 from a guest cart, without a transaction: one read (the session, the cart with its lines,
   * products and row version; no write), then one statement that writes the order only if the cart is
   * still that version, and slides the session's expiry with it. A cart changed in between (a write, a merge, another checkout completing) is
   * read again; a cart that keeps changing is answered 409 REQUEST_IN_PROGRESS.
   */
  private async takeGuestCart(
    input: GuestCheckout,
    email: string,
    ref: string | null,
  ): Promise<OrderWithItems> {
    for (let read = 1; read <= CART_READS; read++) {
      const { session, cart, cartVersion, items } = await this.guestCarts.readForCheckout(input.sessionId);
      if (cart === null) throw cartEmpty();
      if (cart.mergedAt !== null) {
        throw new AppError(
          'GUEST_CART_ALREADY_MERGED',
          'This guest cart was merged into an account; check out from the account',
        );
      }
      const taken = await this.take({
        lines: items.map((item) => ({ productId: item.product.id, quantity: item.quantity })),
        products: new Map(items.map((item) => [item.product.id, item.product])),
        customer: { ...input.customer, email },
        shippingAddress: input.shippingAddress,
        userId: null,
        isGuest: true,
        guestSessionId: session.id,
        cartId: cart.id,
        cartVersion,
        guestEmail: isGuestEmail(email) ? null : email,
        notes: null,
        status: 'awaiting_payment',
        idempotencyRef: ref,
      });
      if (taken !== undefined) return taken;
    }
    throw new AppError('REQUEST_IN_PROGRESS', 'The cart kept changing while it was being ordered; retry');
  }

  @Transactional()
  private async takeUserCart(
    userId: string,
    input: UserCheckout,
    ref: string | null,
  ): Promise<OrderWithItems> {
    const user = await this.auth.accountOf(userId);
    const cart = await this.carts.lockUserCart(userId);
    return this.take({
      ...(await this.carts.linesWithProducts(cart.id)),
      customer: {
        email: user.email,
        firstName: user.firstName ?? '',
        lastName: user.lastName ?? '',
        phone: user.phone,
      },
      shippingAddress: input.shippingAddress,
      userId,
      isGuest: false,
      guestSessionId: null,
      cartId: cart.id,
      cartVersion: null,
      guestEmail: null,
      notes: null,
      status: 'awaiting_payment',
      idempotencyRef: ref,
    }).then(placedUnderLock);
  }

  /** Without a payment step the order is placed in one transaction, its confirmation mail included. */
  @Transactional()
  private async takeLines(input: LinesCheckout, ref: string | null): Promise<OrderWithItems> {
    const taken = placedUnderLock(
      await this.take({
        ...input,
        isGuest: input.userId === null,
        guestSessionId: null,
        cartId: null,
        cartVersion: null,
        guestEmail: null,
        status: 'pending',
        idempotencyRef: ref,
      }),
    );
    await this.settlement.queueConfirmation(taken.order, taken.items);
    return taken;
  }

  /**
   * Step 1: the lines priced from the catalog and checked against an unlocked read, then one statement
   * (OrderPlacementRepository.place): the cart locked if unchanged, the products locked, the order and
   * its lines written and the stock taken, or nothing. A popular product's row is locked for that one
   * statement. Undefined when the cart changed since it was read (the caller reads it again).
   */
  private async take(draft: OrderDraft): Promise<OrderWithItems | undefined> {
    if (draft.lines.length === 0) throw cartEmpty();
    this.carts.assertWithinLimits(draft.lines);
    const products =
      draft.products ?? (await this.catalog.productMap(draft.lines.map((line) => line.productId)));
    const { lines, subtotal } = priceLines(draft, products);
    const now = this.clock.now();
    const { placed, placement } = await this.records.place(
      {
        status: draft.status,
        email: draft.customer.email,
        firstName: draft.customer.firstName,
        lastName: draft.customer.lastName,
        phone: draft.customer.phone,
        shippingAddress: draft.shippingAddress,
        isGuest: draft.isGuest,
        userId: draft.userId,
        guestSessionId: draft.guestSessionId,
        subtotal,
        total: subtotal,
        currency: this.config.currency,
        paymentProvider: null,
        paymentReference: null,
        notes: draft.notes,
        pendingCartId: draft.status === 'awaiting_payment' ? draft.cartId : null,
        idempotencyRef: draft.idempotencyRef,
        createdAt: now,
        updatedAt: now,
      },
      lines,
      {
        cartId: draft.cartId,
        cartVersion: draft.cartVersion,
        guestEmail: draft.guestEmail,
        ...this.guestCarts.sessionTouchOnPlacement(draft.guestSessionId).values,
      },
      this.parts,
    );
    if (placed !== undefined) return placed;
    if (!placement.guestEmailFree) throw emailRegistered();
    if (!placement.cartUnchanged) return undefined;
    throw refusalAfterLocks(draft.lines, placement.stock);
  }
}

/** Under the caller's transaction the cart cannot change between the read and the placement. */
function placedUnderLock(taken: OrderWithItems | undefined): OrderWithItems {
  if (taken === undefined) throw new Error('the cart changed under its own row lock');
  return taken;
}
