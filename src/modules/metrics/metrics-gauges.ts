import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppMetrics } from '../../common/metrics/app-metrics';
import { errorSummary } from '../../common/logging/safe-error';
import { Database } from '../../database/database';
import { DATABASE } from '../../database/database.tokens';
import { GuestSessionService } from '../guest-session/guest-session.service';
import { MailOutboxService, OutboxStats } from '../mail/mail-outbox.service';

/**
 * The gauges of contract §12, read from their owners when Prometheus scrapes (nothing is kept up to date
 * between scrapes): the mail outbox (one query for its three gauges), the active guest sessions (a count
 * on the expires_at index) and the database pool's connections by state.
 */
@Injectable()
export class MetricsGauges implements OnModuleInit {
  private readonly logger = new Logger(MetricsGauges.name);

  constructor(
    private readonly metrics: AppMetrics,
    private readonly outbox: MailOutboxService,
    private readonly sessions: GuestSessionService,
    @Inject(DATABASE) private readonly database: Database,
  ) {}

  onModuleInit(): void {
    if (!this.metrics.enabled) return;
    const outboxStats = sharedWhileRunning(() => this.outbox.stats());
    const gauge = (name: string, help: string, read: () => Promise<number>): void =>
      this.metrics.gauge(name, help, read, (error) => this.readingFailed(name, error));
    const outbox = (field: keyof OutboxStats) => async () => (await outboxStats())[field];
    gauge('mail_outbox_pending', 'Mails waiting in the outbox to be sent', outbox('pending'));
    gauge(
      'mail_outbox_oldest_pending_seconds',
      'Age of the oldest pending mail in seconds, 0 when none is pending',
      outbox('oldestPendingSeconds'),
    );
    gauge('mail_outbox_dead_letters', 'Mails given up on (dead-lettered)', outbox('deadLetters'));
    gauge('guest_sessions_active', 'Guest sessions not yet expired', () => this.sessions.countActive());
    this.metrics.gauge(
      'db_pool_connections',
      'Database pool connections by state (PGlite: its one in-process connection, as idle)',
      () => Object.entries(this.database.connections()).map(([state, count]) => [{ state }, count]),
      (error) => this.readingFailed('db_pool_connections', error),
      ['state'],
    );
  }

  private readingFailed(name: string, error: unknown): void {
    this.logger.warn(`metric ${name} not read; the scrape keeps its last value (${errorSummary(error)})`);
  }
}

/**
 * One call of `read` shared by the callers that ask while it runs: a scrape collects every gauge at
 * once, so the outbox's three gauges cost one query.
 */
function sharedWhileRunning<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () =>
    (running ??= read().finally(() => {
      running = undefined;
    }));
}
