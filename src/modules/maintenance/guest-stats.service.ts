import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/util/clock';
import { MailOutboxService } from '../mail/mail-outbox.service';
import { GuestStatsDto } from './dto/guest-stats.dto';
import { MaintenanceRepository } from './maintenance.repository';

/** Monitoring counts for guest checkout (contract §12). */
@Injectable()
export class GuestStatsService {
  constructor(
    private readonly maintenance: MaintenanceRepository,
    private readonly clock: Clock,
    private readonly mails: MailOutboxService,
  ) {}

  async stats(): Promise<GuestStatsDto> {
    const sessions = await this.maintenance.sessionCounts(this.clock.now());
    const lastRun = await this.maintenance.lastRun();
    const mail = await this.mails.stats();
    return {
      active_sessions: sessions.active,
      expired_sessions: sessions.expired,
      guest_carts_with_items: await this.maintenance.guestCartsWithItems(),
      guest_orders: await this.maintenance.guestOrderCount(),
      conversions: await this.maintenance.conversionCount(),
      merges: await this.maintenance.mergeCount(),
      mail_outbox: {
        pending: mail.pending,
        oldest_pending_seconds: mail.oldestPendingSeconds,
        dead_letters: mail.deadLetters,
      },
      last_cleanup:
        lastRun === undefined
          ? null
          : {
              started_at: lastRun.startedAt.toISOString(),
              finished_at: lastRun.finishedAt.toISOString(),
              deleted: lastRun.deleted as Record<string, number>,
            },
    };
  }
}
