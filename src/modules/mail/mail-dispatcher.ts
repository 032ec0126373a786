import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../../common/util/clock';
import { TxHost } from '../../database/transaction';
import { isGuestEmail } from '../../common/util/guest-email';
import { MailSender } from './mail-sender';
import { MailTemplate } from './mail.types';
import { OutboxRepository } from './outbox.repository';

export const DISPATCH_INTERVAL_MS = 1_000;
export const DISPATCH_BATCH = 20;
export const CLAIM_LEASE_MS = 60_000;
export const MAX_ATTEMPTS = 12;

/** Exponential back-off: 5 s, 10 s, 20 s … capped at one hour. */
export function backoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

/** Sends outbox mails: polls every second, and right after a mail is queued. */
@Injectable()
export class MailDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailDispatcher.name);
  private timer: NodeJS.Timeout | undefined;
  /** runs queue up behind each other, so a caller of dispatchDue() sees the effect of a run in flight */
  private chain: Promise<unknown> = Promise.resolve();
  private kicked = false;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly sender: MailSender,
    private readonly clock: Clock,
    @InjectTransactionHost() private readonly txHost: TxHost,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), DISPATCH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.chain;
  }

  /** Starts a dispatch soon (after the caller's transaction has had time to commit). */
  kick(): void {
    if (this.stopped || this.kicked) return;
    this.kicked = true;
    setTimeout(() => {
      this.kicked = false;
      if (this.stopped) return;
      this.dispatchDue().catch((error: unknown) =>
        this.logger.warn(`mail dispatch failed: ${(error as Error).message}`),
      );
    }, 20).unref();
  }

  /** Sends every due mail once, after any run in flight; returns how many were sent. Tests call it directly. */
  dispatchDue(): Promise<number> {
    // Never inside the caller's transaction: kick() runs in the async context of the transaction that
    // queued the mail, and through it the dispatcher would claim and send a mail that can still roll back.
    const run = this.chain.then(() => this.txHost.withoutTransaction(() => this.sendDue()));
    this.chain = run.catch(() => 0);
    return run;
  }

  private async sendDue(): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = this.clock.now();
      const batch = await this.outbox.claimDue(now, new Date(now.getTime() + CLAIM_LEASE_MS), DISPATCH_BATCH);
      for (const mail of batch) {
        if (await this.deliver(mail)) sent++;
      }
      if (batch.length < DISPATCH_BATCH || this.stopped) return sent;
    }
  }

  private async deliver(mail: {
    id: string;
    recipient: string;
    subject: string;
    template: string;
    context: unknown;
    attempts: number;
  }): Promise<boolean> {
    if (isGuestEmail(mail.recipient)) {
      await this.outbox.markFailedAttempt(mail.id, 'guest-pattern address: never sent', null);
      return false;
    }
    try {
      await this.sender.deliver({
        to: mail.recipient,
        subject: mail.subject,
        template: mail.template as MailTemplate,
        context: mail.context as Record<string, unknown>,
      });
      await this.outbox.markSent(mail.id, this.clock.now());
      return true;
    } catch (error) {
      const attempt = mail.attempts + 1;
      const next = attempt >= MAX_ATTEMPTS ? null : new Date(this.clock.now().getTime() + backoffMs(attempt));
      await this.outbox.markFailedAttempt(mail.id, (error as Error).message, next);
      this.logger.warn(
        `mail ${mail.id} attempt ${attempt} failed${next === null ? ', giving up' : ''}: ${(error as Error).message}`,
      );
      return false;
    }
  }
}
