import { Injectable } from '@nestjs/common';
import { CartService } from '../cart/cart.service';
import { ConversionService } from '../conversion/conversion.service';
import { GuestSessionService } from '../guest-session/guest-session.service';
import { MailOutboxService } from '../mail/mail-outbox.service';
import { MergeService } from '../merge/merge.service';
import { OrdersService } from '../orders/orders.service';
import { CleanupRunsRepository } from './cleanup-runs.repository';
import { GuestStatsDto, toGuestStatsResponse } from './dto/guest-stats.dto';

/** Monitoring counts for guest checkout (contract §12), each asked of the module that owns the rows. */
@Injectable()
export class GuestStatsService {
  constructor(
    private readonly sessions: GuestSessionService,
    private readonly carts: CartService,
    private readonly orders: OrdersService,
    private readonly conversions: ConversionService,
    private readonly merges: MergeService,
    private readonly mails: MailOutboxService,
    private readonly runs: CleanupRunsRepository,
  ) {}

  async stats(): Promise<GuestStatsDto> {
    return toGuestStatsResponse({
      sessions: await this.sessions.countByExpiry(),
      lastRun: await this.runs.last(),
      mail: await this.mails.stats(),
      guestCartsWithItems: await this.carts.countGuestCartsWithItems(),
      guestOrders: await this.orders.countGuestOrders(),
      conversions: await this.conversions.count(),
      merges: await this.merges.count(),
    });
  }
}
