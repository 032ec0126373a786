import { ApiProperty } from '@nestjs/swagger';
import { COUNT } from '../../../common/swagger/bounds';
import { CleanupRunRow } from '../../../database/schema';
import type { OutboxStats } from '../../mail/mail-outbox.service';

export class CleanupRunDto {
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty({ format: 'date-time' }) finished_at!: string;
  @ApiProperty({
    description: 'rows deleted by kind, e.g. {expired_sessions, merged_guest_carts}',
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    example: { expired_sessions: 3, merged_guest_carts: 1 },
  })
  deleted!: Record<string, number>;
}

/** contract §12: the mail outbox part (the same numbers as the mail_outbox_* metrics). */
export class MailOutboxStatsDto {
  @ApiProperty({ ...COUNT, description: 'mails waiting to be sent (first try or retry)' }) pending!: number;
  @ApiProperty({ ...COUNT, description: 'age of the oldest pending mail in seconds; 0 when none is pending' })
  oldest_pending_seconds!: number;
  @ApiProperty({
    ...COUNT,
    description:
      'mails given up after MAIL_MAX_AGE_HOURS of failed attempts (GET /api/v1/admin/mails/?status=dead_letter)',
  })
  dead_letters!: number;
}

export class GuestStatsDto {
  @ApiProperty({ ...COUNT, description: 'guest sessions not yet expired' }) active_sessions!: number;
  @ApiProperty({ ...COUNT, description: 'expired guest sessions the cleanup has not deleted yet' })
  expired_sessions!: number;
  @ApiProperty({ ...COUNT, description: 'unmerged guest carts holding at least one line' })
  guest_carts_with_items!: number;
  @ApiProperty({ ...COUNT, description: 'orders placed as a guest (linked ones included)' })
  guest_orders!: number;
  @ApiProperty({ ...COUNT, description: 'accounts created by guest-to-user conversion' })
  conversions!: number;
  @ApiProperty({ ...COUNT, description: 'cart merges ever recorded' }) merges!: number;
  @ApiProperty({ type: MailOutboxStatsDto }) mail_outbox!: MailOutboxStatsDto;
  @ApiProperty({ type: CleanupRunDto, nullable: true }) last_cleanup!: CleanupRunDto | null;
}

/** The counts GuestStatsService gathers from the modules, in the domain's casing. */
export interface GuestStats {
  sessions: { active: number; expired: number };
  guestCartsWithItems: number;
  guestOrders: number;
  conversions: number;
  merges: number;
  mail: OutboxStats;
  lastRun: CleanupRunRow | undefined;
}

export function toGuestStatsResponse(stats: GuestStats): GuestStatsDto {
  const { lastRun, mail } = stats;
  return {
    active_sessions: stats.sessions.active,
    expired_sessions: stats.sessions.expired,
    guest_carts_with_items: stats.guestCartsWithItems,
    guest_orders: stats.guestOrders,
    conversions: stats.conversions,
    merges: stats.merges,
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
            deleted: lastRun.deleted,
          },
  };
}
