import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { TransactionalAsynchronousCommit } from '../../database/asynchronous-commit';
import { DependentWrite } from '../../database/dependent-write';
import {
  GuestSessionService,
  SessionTouchOnPlacement,
  SessionView,
} from '../guest-session/guest-session.service';
import { CartLine } from './cart-rules';
import { CartService } from './cart.service';
import { CartDto } from './dto/cart.dto';
import { GuestCartDto, GuestCartReadResultDto, GuestCartWriteResultDto } from './dto/guest-cart.dto';
import { GuestCartRead, GuestCartsRepository } from './guest-carts.repository';

/**
 * Guest carts (contract §4): a guest session owns one cart. The cart rules are CartService's, the
 * session rules (creation, sliding expiry, 404/410) GuestSessionService's; this adds replace semantics,
 * and runs each request's session and cart work as one statement.
 */
@Injectable()
export class GuestCartService {
  constructor(
    private readonly sessions: GuestSessionService,
    private readonly carts: CartService,
    private readonly guestCarts: GuestCartsRepository,
  ) {}

  /** New session and cart holding `lines`; nothing is created when the lines are refused. */
  @TransactionalAsynchronousCommit()
  async create(lines: readonly CartLine[]): Promise<GuestCartWriteResultDto> {
    const session = await this.sessions.create();
    const cart = await this.carts.createGuestCart(session.id);
    return this.result(session, await this.carts.replaceLines(cart.id, lines));
  }

  /**
   * The cart's content becomes `lines` (idempotent); a refused write leaves the cart and the session as
   * they were. Without a transaction in the common case: one statement reads the session with its cart
   * and the lines' products, the lines are judged against them, then one statement writes the lines and
   * slides the session's expiry if the cart is still the version read
   * (GuestCartsRepository.replaceIfUnchanged). A session without a cart yet, or a cart another request
   * changed in between, takes the locked path (replaceLocked): the same answer, with row locks.
   */
  async replace(sessionId: string, lines: readonly CartLine[]): Promise<GuestCartWriteResultDto> {
    const read = await this.sessions.found(
      sessionId,
      await this.guestCarts.sessionWithCartAndProducts(this.sessions.parts.read, {
        ...this.sessions.readValues(sessionId),
        productIds: lines.map((line) => line.productId),
      }),
    );
    // the session's 404/410 before the merged cart's 409 before the lines' 422, as on the locked path
    const { cart, cartVersion } = read;
    if (cart?.mergedAt != null) throw alreadyMerged();
    const products = this.carts.judgeLines(lines, read.products);
    if (cart === null || cartVersion === null) return this.replaceLocked(sessionId, lines);
    const written = await this.guestCarts.replaceIfUnchanged(
      this.sessions.parts.touch,
      { ...this.sessions.touchValues(sessionId), cartId: cart.id, cartVersion },
      lines,
    );
    if (written === undefined) return this.replaceLocked(sessionId, lines);
    return this.result(written.session, this.carts.writtenView(written.cart, lines, products));
  }

  /** replace() with the session touched and its cart row-locked first, in a transaction. */
  @TransactionalAsynchronousCommit()
  private async replaceLocked(
    sessionId: string,
    lines: readonly CartLine[],
  ): Promise<GuestCartWriteResultDto> {
    const { session, cart: locked } = await this.sessions.found(
      sessionId,
      // the session touched and its cart row-locked for the rest of the transaction: one statement
      await this.guestCarts.touchAndLock(this.sessions.parts.touch, this.sessions.touchValues(sessionId)),
    );
    const cart = locked ?? (await this.carts.createGuestCart(session.id));
    if (cart.mergedAt !== null) throw alreadyMerged();
    return this.result(session, await this.carts.replaceLines(cart.id, lines));
  }

  /**
   * One statement, a read: the session with its cart, lines and products; a second one only when the
   * session's expiry is due to slide (GuestSessionService.slideIfDue, at most once a minute per session).
   */
  async get(sessionId: string): Promise<GuestCartReadResultDto> {
    const { session: read, cart, items } = await this.read(sessionId);
    const session = await this.sessions.slideIfDue(read);
    const view: GuestCartDto = {
      ...(cart !== null
        ? this.carts.toView(cart, items)
        : await this.carts.view(await this.carts.createGuestCart(session.id))),
      session_id: session.id,
      expires_at: session.expiresAt.toISOString(),
    };
    return { session_id: session.id, cart: view, items: view.items };
  }

  /**
   * A checkout's read, in one statement and without a write: the active session with its cart, lines,
   * products and the cart's row version. The cart is not locked; the checkout's placement writes only if
   * the cart is still the version read here, and slides the session's expiry when it writes the order
   * (sessionTouchOnPlacement), so a refused checkout changes nothing.
   */
  readForCheckout(sessionId: string): Promise<GuestCartRead> {
    return this.read(sessionId);
  }

  /** The session's touch as part of checkout's placement statement, and its values for a session now. */
  sessionTouchOnPlacement(sessionId: string | null): {
    part: DependentWrite;
    values: SessionTouchOnPlacement;
  } {
    return {
      part: this.sessions.parts.touchOnPlacement,
      values:
        sessionId === null
          ? { sessionId: null, sessionNow: null, sessionExpiresAt: null }
          : this.sessions.touchOnPlacementValues(sessionId),
    };
  }

  private async read(sessionId: string): Promise<GuestCartRead> {
    const values = this.sessions.readValues(sessionId);
    return this.sessions.found(
      sessionId,
      await this.guestCarts.readWithSession(this.sessions.parts.read, values),
    );
  }

  private result(session: SessionView, cart: CartDto): GuestCartWriteResultDto {
    const view: GuestCartDto = {
      ...cart,
      session_id: session.id,
      expires_at: session.expiresAt.toISOString(),
    };
    return { session_id: session.id, cart: view };
  }
}

function alreadyMerged(): AppError {
  return new AppError(
    'GUEST_CART_ALREADY_MERGED',
    'This guest cart was merged into an account; start a new guest session',
  );
}
