import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import { MailOutboxRow, mailOutbox } from '../../database/schema';
import { hotStatement } from '../../database/hot-statement';
import { TxHost } from '../../database/transaction';
import { MailMessage } from './mail.types';

@Injectable()
export class OutboxRepository {
  /** One per order, in the checkout's transaction: prepared. */
  private readonly insertStatement: (values: {
    recipient: string;
    subject: string;
    template: string;
    context: MailMessage['context'];
    now: Date;
  }) => Promise<unknown>;

  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {
    this.insertStatement = hotStatement(txHost, 'mail_outbox_insert', (db) =>
      db.insert(mailOutbox).values({
        recipient: sql.placeholder('recipient'),
        subject: sql.placeholder('subject'),
        template: sql.placeholder('template'),
        context: sql.placeholder('context'),
        nextAttemptAt: sql.placeholder('now'),
        createdAt: sql.placeholder('now'),
      }),
    );
  }

  /** Written through the caller's transaction: the mail exists exactly when the change does. */
  async insert(message: MailMessage, now: Date): Promise<void> {
    await this.insertStatement({
      recipient: message.to,
      subject: message.subject,
      template: message.template,
      context: message.context,
      now,
    });
  }

  /**
   * Claims due mails by pushing their next attempt past a lease, skipping rows another instance is
   * claiming right now: two dispatchers never send the same mail at once, and a crash mid-send only
   * delays a mail until the lease runs out (at-least-once).
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<MailOutboxRow[]> {
    const due = this.txHost.tx
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now)))
      .orderBy(asc(mailOutbox.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    return this.txHost.tx
      .update(mailOutbox)
      .set({ nextAttemptAt: leaseUntil })
      .where(sql`${mailOutbox.id} in ${due}`)
      .returning();
  }

  async markSent(id: string, at: Date): Promise<void> {
    await this.txHost.tx
      .update(mailOutbox)
      .set({ status: 'sent', sentAt: at, attempts: sql`${mailOutbox.attempts} + 1`, lastError: null })
      .where(eq(mailOutbox.id, id));
  }

  async markFailedAttempt(id: string, error: string, nextAttemptAt: Date | null): Promise<void> {
    await this.txHost.tx
      .update(mailOutbox)
      .set({
        attempts: sql`${mailOutbox.attempts} + 1`,
        lastError: error.slice(0, 500),
        ...(nextAttemptAt === null ? { status: 'failed' as const } : { nextAttemptAt }),
      })
      .where(eq(mailOutbox.id, id));
  }
}
