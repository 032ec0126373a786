import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { IdempotencyService } from '../../common/idempotency/idempotency.service';
import { describeError } from '../../common/logging/safe-error';
import { Clock } from '../../common/util/clock';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { Database } from '../../database/database';
import { DATABASE } from '../../database/database.tokens';
import { CartService } from '../cart/cart.service';
import { GuestSessionService } from '../guest-session/guest-session.service';
import { MailOutboxService } from '../mail/mail-outbox.service';
import { CleanupRunsRepository } from './cleanup-runs.repository';

/** Advisory-lock key of the cleanup job: any constant unique to this job. */
export const CLEANUP_LOCK_KEY = 0x6763_0001;
export const CLEANUP_BATCH_SIZE = 5_000;
/** A merged guest cart is kept a day, so a merge retried late still gets its stored report. */
export const MERGED_CART_RETENTION_MS = 24 * 60 * 60 * 1000;
/** contract §12 (idempotency records are kept 24 h: the idempotency service's own rule) */
export const SENT_MAIL_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface CleanupResult {
  ran: boolean;
  started_at?: string;
  finished_at?: string;
  deleted: Record<string, number>;
}

/**
 * The scheduled cleanup (contract §12): expired guest sessions with their carts, merged guest carts,
 * idempotency records older than 24 h and sent outbox mails older than 30 days. Each module deletes its
 * own rows through its service; this job decides the order (sessions before the records that outlive
 * them), runs one instance at a time (advisory lock), batch by batch, and records each run for the stats.
 */
@Injectable()
export class CleanupService implements OnApplicationBootstrap {
  private readonly logger = new Logger(CleanupService.name);

  constructor(
    private readonly sessions: GuestSessionService,
    private readonly carts: CartService,
    private readonly idempotency: IdempotencyService,
    private readonly mails: MailOutboxService,
    private readonly runs: CleanupRunsRepository,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
    @Inject(DATABASE) private readonly database: Database,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({
      cronTime: this.config.cleanupCron,
      onTick: () => {
        this.runOnce().catch((error: unknown) =>
          this.logger.error({ msg: 'cleanup failed', err: describeError(error, { stack: true }) }),
        );
      },
      start: true,
    });
    this.scheduler.addCronJob('guest-cleanup', job);
  }

  /** Runs the job unless another instance is running it; returns what was deleted. */
  async runOnce(batchSize = CLEANUP_BATCH_SIZE): Promise<CleanupResult> {
    const result = await this.database.withAdvisoryLock(CLEANUP_LOCK_KEY, () => this.cleanup(batchSize));
    if (result === undefined) {
      this.logger.log('cleanup skipped: another instance holds the lock');
      return { ran: false, deleted: {} };
    }
    return result;
  }

  private async cleanup(batchSize: number): Promise<CleanupResult> {
    const startedAt = this.clock.now();
    const before = (retentionMs: number) => new Date(startedAt.getTime() - retentionMs);
    const deleted = {
      expired_sessions: await this.drain(() => this.sessions.purgeExpired(startedAt, batchSize), batchSize),
      merged_guest_carts: await this.drain(
        () =>
          this.sessions.purgeSelected(
            this.carts.mergedGuestSessionIds(before(MERGED_CART_RETENTION_MS), batchSize),
          ),
        batchSize,
      ),
      idempotency_keys: await this.drain(
        () => this.idempotency.purgeExpired(startedAt, batchSize),
        batchSize,
      ),
      sent_mails: await this.drain(
        () => this.mails.purgeSentBefore(before(SENT_MAIL_RETENTION_MS), batchSize),
        batchSize,
      ),
    };
    const finishedAt = this.clock.now();
    await this.runs.insert(startedAt, finishedAt, deleted);
    this.logger.log({ msg: 'cleanup finished', deleted, ms: finishedAt.getTime() - startedAt.getTime() });
    return { ran: true, started_at: startedAt.toISOString(), finished_at: finishedAt.toISOString(), deleted };
  }

  /** Repeats a batch delete until a batch comes back short. */
  private async drain(deleteBatch: () => Promise<number>, batchSize: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await deleteBatch();
      total += n;
      if (n < batchSize) return total;
    }
  }
}
