import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Clock } from '../../common/util/clock';
import { isGuestEmail } from '../../common/util/guest-email';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { MailOutboxRow } from '../../database/schema';
import { TxHost } from '../../database/transaction';
import { afterFailedAttempt, CLAIM_LEASE_MS, errorKind } from './delivery-policy';
import { holdLease, lastErrorOf } from './mail-lease';
import { MailSender } from './mail-sender';
import { MailTemplate } from './mail.types';
import { OutboxRepository, retryWindowStart } from './outbox.repository';

export const DISPATCH_INTERVAL_MS = 1_000;
/**
 * Mails one instance sends at once over SMTP, each claimed and held on its own: a slow SMTP server
 * (seconds per message) holds up one worker, not the outbox. Writing `.eml` files (no SMTP_URL) is CPU
 * work only, where more workers would only take the CPU from requests: one worker then.
 */
export const DISPATCH_CONCURRENCY = 4;
/** Waits between tries to record a sent mail (the last one repeats until it works or the app stops). */
const RECORD_RETRY_MS = [100, 250, 500, 1_000, 2_000];

/** A mail this worker claimed, with the lease it holds it by. */
interface Claim {
  mail: MailOutboxRow;
  leaseUntil: Date;
}

/**
 * Sends outbox mails (contract §11): polls every second, and right after a mail is queued. Each worker
 * claims one mail at a time and holds it by a lease for as long as it works on it, so however many
 * instances run, a mail is with one dispatcher at a time. A mail SMTP accepted is recorded as sent with
 * retries, lease held, so it is not sent again because the database was away for a moment.
 */
@Injectable()
export class MailDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailDispatcher.name);
  private timer: NodeJS.Timeout | undefined;
  /** the workers in flight, each settling when it found no due mail (never rejecting) */
  private readonly workers = new Set<Promise<void>>();
  private kicked = false;
  private stopped = false;
  /** counts shutdowns: a run started before the latest one stops claiming and stops retrying a record */
  private shutdowns = 0;
  private readonly maxAgeMs: number;
  private readonly concurrency: number;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly sender: MailSender,
    private readonly clock: Clock,
    @InjectTransactionHost() private readonly txHost: TxHost,
    @Inject(APP_CONFIG) config: ResolvedAppConfig,
  ) {
    this.maxAgeMs = config.mailMaxAgeHours * 3_600_000;
    this.concurrency = config.smtpUrl === undefined ? 1 : DISPATCH_CONCURRENCY;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), DISPATCH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.shutdowns++;
    clearInterval(this.timer);
    await Promise.all([...this.workers]);
  }

  /** Starts a dispatch soon (after the caller's transaction has had time to commit). */
  kick(): void {
    if (this.stopped || this.kicked) return;
    this.kicked = true;
    setTimeout(() => {
      this.kicked = false;
      if (this.stopped) return;
      this.dispatchDue().catch((error: unknown) =>
        this.logger.warn(`mail dispatch stopped early (${errorKind(error)}); the next poll goes on`),
      );
    }, 20).unref();
  }

  /**
   * Tops the workers up to the concurrency and waits for every worker in flight, so that a caller
   * sees every due mail handled; returns how many the workers it started sent. Tests call it directly
   * (also after onApplicationShutdown stopped the poller: such a run ends at the next shutdown).
   */
  async dispatchDue(): Promise<number> {
    const generation = this.shutdowns;
    const cancelled = () => this.shutdowns !== generation;
    const started: Promise<number>[] = [];
    while (this.workers.size < this.concurrency) started.push(this.startWorker(cancelled));
    await Promise.all([...this.workers]);
    let sent = 0;
    for (const worker of await Promise.allSettled(started)) {
      if (worker.status === 'rejected') throw worker.reason;
      sent += worker.value;
    }
    return sent;
  }

  private startWorker(cancelled: () => boolean): Promise<number> {
    // Never inside the caller's transaction: kick() runs in the async context of the transaction that
    // queued the mail, and through it the dispatcher would claim and send a mail that can still roll back.
    const worker = this.txHost.withoutTransaction(() => this.work(cancelled));
    const settled: Promise<void> = worker
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.workers.delete(settled);
      });
    this.workers.add(settled);
    return worker;
  }

  /**
   * Claims and sends one mail after another until none is due. Recording a sent mail claims the next one
   * in the same statement, so a busy outbox costs one statement per mail plus the claim that finds none.
   */
  private async work(cancelled: () => boolean): Promise<number> {
    let sent = 0;
    let claimed: Claim | undefined;
    while (!cancelled()) {
      if (claimed === undefined) {
        const now = this.clock.now();
        const leaseUntil = new Date(now.getTime() + CLAIM_LEASE_MS);
        const mail = await this.outbox.claimNext(now, leaseUntil);
        if (mail === undefined) break;
        claimed = { mail, leaseUntil };
      }
      const outcome = await this.deliver(claimed, cancelled);
      if (outcome.sent) sent++;
      claimed = outcome.next;
    }
    return sent;
  }

  private async deliver(
    { mail, leaseUntil }: Claim,
    cancelled: () => boolean,
  ): Promise<{ sent: boolean; next?: Claim }> {
    if (isGuestEmail(mail.recipient)) {
      await this.outbox.markNeverSent(mail.id, leaseUntil, 'guest-pattern address: never sent');
      return { sent: false };
    }
    const attempt = mail.attempts + 1;
    const lease = holdLease(this.outbox, this.clock, this.logger, mail.id, leaseUntil);
    try {
      await this.sender.deliver(
        {
          to: mail.recipient,
          subject: mail.subject,
          template: mail.template as MailTemplate,
          context: mail.context as Record<string, unknown>,
        },
        mail,
      );
    } catch (error) {
      await lease.release();
      await this.recordFailure(mail, attempt, lease.until, error);
      return { sent: false };
    }
    try {
      return { sent: true, next: await this.recordSent(mail.id, attempt, cancelled) };
    } finally {
      await lease.release();
    }
  }

  /**
   * SMTP accepted the mail: record it, on a new pooled connection each try, until that works or the app
   * shuts down. The lease stays held (and renewed) meanwhile, so no dispatcher claims the mail again.
   * The first try also claims the next due mail (returned); a retry only records, so a claim whose answer
   * was lost with its connection is never mistaken (that mail waits for its lease to run out).
   */
  private async recordSent(
    id: string,
    attempt: number,
    cancelled: () => boolean,
  ): Promise<Claim | undefined> {
    for (let retry = 0; ; retry++) {
      try {
        if (retry === 0 && !cancelled()) {
          const now = this.clock.now();
          const leaseUntil = new Date(now.getTime() + CLAIM_LEASE_MS);
          const mail = await this.outbox.markSentAndClaimNext(id, now, now, leaseUntil);
          return mail === undefined ? undefined : { mail, leaseUntil };
        }
        await this.outbox.markSent(id, this.clock.now());
        if (retry > 0)
          this.logger.log(`mail ${id} attempt ${attempt}: recorded as sent after ${retry} retries`);
        return undefined;
      } catch (error) {
        if (cancelled()) {
          this.logger.error(
            `mail ${id} attempt ${attempt}: SMTP accepted it but it could not be recorded before shutdown ` +
              `(${errorKind(error)}); it goes out again, with the same Message-ID, once its lease runs out`,
          );
          return undefined;
        }
        if (retry === 0) {
          this.logger.warn(
            `mail ${id} attempt ${attempt}: SMTP accepted it, recording it failed (${errorKind(error)}); retrying`,
          );
        }
        await sleep(RECORD_RETRY_MS[Math.min(retry, RECORD_RETRY_MS.length - 1)]);
      }
    }
  }

  private async recordFailure(
    mail: MailOutboxRow,
    attempt: number,
    heldUntil: Date,
    error: unknown,
  ): Promise<void> {
    const now = this.clock.now();
    const next = afterFailedAttempt({
      attempt,
      now,
      windowStart: retryWindowStart(mail),
      maxAgeMs: this.maxAgeMs,
    });
    const recorded = await this.outbox.recordFailedAttempt(mail.id, heldUntil, lastErrorOf(error), next);
    const outcome = !recorded
      ? 'its lease had run out, not recorded'
      : next.deadLetter
        ? `older than MAIL_MAX_AGE_HOURS, dead-lettered`
        : `next attempt in ${Math.round((next.nextAttemptAt.getTime() - now.getTime()) / 1000)} s`;
    this.logger.warn(`mail ${mail.id} attempt ${attempt} failed (${errorKind(error)}): ${outcome}`);
  }
}
