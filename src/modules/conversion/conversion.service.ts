import { Transactional } from '@nestjs-cls/transactional';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/util/clock';
import { normalizeEmail } from '../../common/util/guest-email';
import { OrderRow } from '../../database/schema';
import { AuthService } from '../auth/auth.service';
import { toUserResponse } from '../auth/dto/auth.dto';
import { MergeService } from '../merge/merge.service';
import { OrdersService } from '../orders/orders.service';
import { ConversionsRepository } from './conversions.repository';
import { ConvertGuestDto, ConvertGuestResultDto, VerifyEmailResultDto } from './dto/conversion.dto';

/**
 * Guest-to-user conversion (contract §8). Orders are linked only where ownership is proven: the order
 * named with its matching email and the orders of the caller's own guest session now; every other guest
 * order with the address once the address is verified (whoever registers an address is not yet its owner).
 */
@Injectable()
export class ConversionService {
  private readonly logger = new Logger(ConversionService.name);

  constructor(
    private readonly auth: AuthService,
    private readonly orders: OrdersService,
    private readonly merges: MergeService,
    private readonly conversions: ConversionsRepository,
    private readonly clock: Clock,
  ) {}

  @Transactional()
  async convert(dto: ConvertGuestDto): Promise<ConvertGuestResultDto> {
    const email = normalizeEmail(dto.email);
    const named =
      dto.guest_order_id === undefined
        ? undefined
        : await this.orders.claimableGuestOrder(dto.guest_order_id, email);
    const prefill: OrderRow | undefined = named ?? (await this.orders.newestGuestOrder(email));
    const unlinked = await this.orders.countUnlinkedGuestOrders(email);

    const { user } = await this.auth.createAccount({
      email,
      password: dto.password,
      firstName: dto.first_name ?? prefill?.firstName ?? null,
      lastName: dto.last_name ?? prefill?.lastName ?? null,
      phone: prefill?.phone ?? null,
      pendingOrders: unlinked,
    });
    const linked = await this.orders.linkGuestOrders(user.id, email, {
      orderIds: named === undefined ? [] : [named.id],
      sessionId: dto.guest_session_id ?? null,
    });
    if (dto.guest_session_id !== undefined) await this.merges.merge(user.id, dto.guest_session_id);
    await this.conversions.insert(user.id, dto.guest_session_id ?? null, named?.id ?? null, this.clock.now());
    this.logger.log({
      msg: 'guest converted',
      userId: user.id,
      linked: linked.length,
      pending: unlinked - linked.length,
    });
    return {
      user: toUserResponse(user),
      token: await this.auth.issueToken(user),
      linked_orders: linked,
      pending_link_count: unlinked - linked.length,
    };
  }

  /** Verifies the address and links every remaining guest order placed with it (contract §8). */
  @Transactional()
  async verifyEmail(token: string): Promise<VerifyEmailResultDto> {
    const user = await this.auth.verifyEmail(token);
    const linked = await this.orders.linkGuestOrders(user.id, user.email, { all: true });
    return { user: toUserResponse(user), linked_orders: linked };
  }

  /** Monitoring (contract §12): accounts created by guest-to-user conversion. */
  count(): Promise<number> {
    return this.conversions.count();
  }
}
