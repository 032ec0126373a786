import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/util/clock';
import { DependentWrite } from '../../database/dependent-write';
import { isGuestEmail } from '../../common/util/guest-email';
import { MailDispatcher } from './mail-dispatcher';
import { MailRenderer } from './mail-renderer';
import { MailMessage, MailRequest } from './mail.types';
import { OutboxRepository } from './outbox.repository';

/**
 * The one door for outgoing mail. `queue` writes the mail to the outbox in the caller's transaction
 * (contract §11): if the change rolls back, so does the mail; SMTP being down never fails the change.
 * Guest-pattern addresses never receive mail (contract §1): nothing is queued for them. The outbox row
 * keeps the subject in MAIL_LOCALE (for admins and monitoring); the body is rendered when it is sent.
 */
@Injectable()
export class MailService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: MailDispatcher,
    private readonly renderer: MailRenderer,
    private readonly clock: Clock,
  ) {}

  /** Returns whether a mail was queued. */
  async queue(request: MailRequest): Promise<boolean> {
    if (isGuestEmail(request.to)) return false;
    await this.outbox.insert(this.withSubject(request), this.clock.now());
    this.dispatcher.kick();
    return true;
  }

  /**
   * `queue` as a dependent write of another module's statement (database/dependent-write.ts); undefined
   * for a guest-pattern address. Call `queued()` once that statement has run.
   */
  queueWhen(request: MailRequest): DependentWrite | undefined {
    if (isGuestEmail(request.to)) return undefined;
    return this.outbox.insertWhen(this.withSubject(request), this.clock.now());
  }

  /** Wakes the dispatcher after a statement carrying `queueWhen`'s write changed something. */
  queued(): void {
    this.dispatcher.kick();
  }

  private withSubject(request: MailRequest): MailMessage {
    return { ...request, subject: this.renderer.subject(request.template, request.context) };
  }
}
