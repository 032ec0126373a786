import { Transactional } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { GuestSessionRow } from '../../database/schema';
import { CartLine } from '../cart/cart-rules';
import { CartService } from '../cart/cart.service';
import { CartDto } from '../cart/dto/cart.dto';
import { GuestCartDto, GuestCartReadResultDto, GuestCartWriteResultDto } from './dto/guest-cart.dto';
import { GuestSessionService } from './guest-session.service';

/** Guest carts (contract §4): the cart rules are CartService's; this adds sessions and replace semantics. */
@Injectable()
export class GuestCartService {
  constructor(
    private readonly sessions: GuestSessionService,
    private readonly carts: CartService,
  ) {}

  /** New session and cart holding `lines`; nothing is created when the lines are refused. */
  @Transactional()
  async create(lines: readonly CartLine[]): Promise<GuestCartWriteResultDto> {
    const session = await this.sessions.create();
    const cart = await this.carts.createGuestCart(session.id);
    return this.result(session, await this.carts.replaceLines(cart.id, lines));
  }

  /** The cart's content becomes `lines` (idempotent); a refused write leaves the cart as it was. */
  @Transactional()
  async replace(sessionId: string, lines: readonly CartLine[]): Promise<GuestCartWriteResultDto> {
    const { session, cart: locked } = await this.sessions.touchAndLockCart(sessionId);
    const cart = locked ?? (await this.carts.createGuestCart(session.id));
    if (cart.mergedAt !== null) {
      throw new AppError(
        'GUEST_CART_ALREADY_MERGED',
        'This guest cart was merged into an account; start a new guest session',
      );
    }
    return this.result(session, await this.carts.replaceLines(cart.id, lines));
  }

  /** One statement: the session (its expiry slid if due) with its cart, lines and products. */
  async get(sessionId: string): Promise<GuestCartReadResultDto> {
    const { session, cart, items } = await this.sessions.readWithCart(sessionId);
    const view: GuestCartDto = {
      ...(cart !== null
        ? this.carts.toView(cart, items)
        : await this.carts.view(await this.carts.createGuestCart(session.id))),
      session_id: session.id,
      expires_at: session.expiresAt.toISOString(),
    };
    return { session_id: session.id, cart: view, items: view.items };
  }

  private result(session: GuestSessionRow, cart: CartDto): GuestCartWriteResultDto {
    const view: GuestCartDto = {
      ...cart,
      session_id: session.id,
      expires_at: session.expiresAt.toISOString(),
    };
    return { session_id: session.id, cart: view };
  }
}
