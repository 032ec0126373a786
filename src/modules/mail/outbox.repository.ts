import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, eq, lte, ne, sql } from 'drizzle-orm';
import { MailOutboxRow, mailOutbox } from '../../database/schema';
import { DependentWrite } from '../../database/dependent-write';
import { Placeholders, statement } from '../../database/statement';
import { TxHost } from '../../database/transaction';
import { MailMessage } from './mail.types';

export type OutboxStatus = MailOutboxRow['status'];

/**
 * The start of a mail's retry window (contract §11: retried for up to MAIL_MAX_AGE_HOURS): its creation,
 * or the time an admin last sent it again. That time is kept in `sent_at` while the mail is not sent
 * (no schema change for it: migration 0004 is out of this change's reach); markSent overwrites it.
 */
export function retryWindowStart(row: Pick<MailOutboxRow, 'status' | 'createdAt' | 'sentAt'>): Date {
  if (row.status === 'sent' || row.sentAt === null || row.sentAt < row.createdAt) return row.createdAt;
  return row.sentAt;
}

type InsertValues = Pick<MailMessage, 'subject' | 'template' | 'context'> & { recipient: string; now: Date };

@Injectable()
export class OutboxRepository {
  constructor(@InjectTransactionHost() private readonly txHost: TxHost) {}

  /**
   * `insert` as a dependent write of another statement: the mail exists exactly when that statement's
   * change does (its guard holds).
   */
  insertWhen(message: MailMessage, now: Date): DependentWrite {
    const column = (c: { name: string }) => sql.identifier(c.name);
    const at = now.toISOString();
    return (guard) =>
      sql`insert into ${mailOutbox} (${column(mailOutbox.recipient)}, ${column(mailOutbox.subject)},
                                     ${column(mailOutbox.template)}, ${column(mailOutbox.context)},
                                     ${column(mailOutbox.nextAttemptAt)}, ${column(mailOutbox.createdAt)})
          select ${message.to}, ${message.subject}, ${message.template}, ${JSON.stringify(message.context)}::jsonb,
                 ${at}::timestamptz, ${at}::timestamptz
           where ${guard}`;
  }

  /** One per order, in the checkout's transaction: prepared. */
  static readonly insertOne = statement('mail_outbox_insert', (db, p: Placeholders<InsertValues>) =>
    db.insert(mailOutbox).values({
      recipient: p.recipient,
      subject: p.subject,
      template: p.template,
      context: p.context,
      nextAttemptAt: p.now,
      createdAt: p.now,
    }),
  );

  /** Written through the caller's transaction: the mail exists exactly when the change does. */
  async insert(message: MailMessage, now: Date): Promise<void> {
    await OutboxRepository.insertOne.run(this.txHost, {
      recipient: message.to,
      subject: message.subject,
      template: message.template,
      context: message.context,
      now,
    });
  }

  /**
   * Claims the next due mail by moving its next attempt to `leaseUntil`, in one statement whose inner
   * SELECT skips rows another dispatcher is claiming right now. The lease is the claim: no other
   * dispatcher takes the mail before it runs out, and `leaseUntil` is the holder's token (leases of later
   * claims are later, so they never match it).
   */
  async claimNext(now: Date, leaseUntil: Date): Promise<MailOutboxRow | undefined> {
    const next = this.txHost.tx
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now)))
      .orderBy(asc(mailOutbox.nextAttemptAt))
      .limit(1)
      .for('update', { skipLocked: true });
    const [row] = await this.txHost.tx
      .update(mailOutbox)
      .set({ nextAttemptAt: leaseUntil })
      .where(sql`${mailOutbox.id} = ${next}`)
      .returning();
    return row;
  }

  /**
   * markSent and claimNext in one round trip (a busy outbox sends one mail after another): records `id`
   * as sent, then claims the next due mail other than it, as claimNext does. Returns the claimed mail.
   */
  async markSentAndClaimNext(
    id: string,
    at: Date,
    now: Date,
    leaseUntil: Date,
  ): Promise<MailOutboxRow | undefined> {
    const [row] = await OutboxRepository.sentAndNext.run(this.txHost, { id, at, now, leaseUntil });
    return row;
  }

  /** One per mail sent under load: prepared (it was parsed and planned per mail, as much as it ran). */
  static readonly sentAndNext = statement(
    'mail_outbox_sent_and_claim_next',
    (db, p: Placeholders<{ id: string; at: Date; now: Date; leaseUntil: Date }>) => {
      const sent = db.$with('sent').as(
        db
          .update(mailOutbox)
          .set({
            status: 'sent',
            sentAt: sql`${p.at}::timestamptz`,
            attempts: sql`${mailOutbox.attempts} + 1`,
            lastError: null,
          })
          .where(and(eq(mailOutbox.id, p.id), ne(mailOutbox.status, 'sent')))
          .returning({ id: mailOutbox.id }),
      );
      const next = db
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(
          and(
            eq(mailOutbox.status, 'pending'),
            lte(mailOutbox.nextAttemptAt, p.now),
            ne(mailOutbox.id, p.id),
          ),
        )
        .orderBy(asc(mailOutbox.nextAttemptAt))
        .limit(1)
        .for('update', { skipLocked: true });
      return db
        .with(sent)
        .update(mailOutbox)
        .set({ nextAttemptAt: sql`${p.leaseUntil}::timestamptz` })
        .where(sql`${mailOutbox.id} = ${next}`)
        .returning();
    },
  );

  /** Extends a lease the caller still holds; false when it no longer does. */
  async renewLease(id: string, heldUntil: Date, until: Date): Promise<boolean> {
    const rows = await this.txHost.tx
      .update(mailOutbox)
      .set({ nextAttemptAt: until })
      .where(this.heldBy(id, heldUntil))
      .returning({ id: mailOutbox.id });
    return rows.length === 1;
  }

  /**
   * SMTP accepted the mail: recorded whoever holds the lease now, and a no-op when a retry of this
   * statement finds it recorded already (the first try committed but its answer was lost).
   */
  async markSent(id: string, at: Date): Promise<void> {
    await this.txHost.tx
      .update(mailOutbox)
      .set({ status: 'sent', sentAt: at, attempts: sql`${mailOutbox.attempts} + 1`, lastError: null })
      .where(and(eq(mailOutbox.id, id), ne(mailOutbox.status, 'sent')));
  }

  /**
   * A failed attempt of the lease holder: the mail waits for `nextAttemptAt`, or is dead-lettered.
   * Returns false when the caller no longer held the lease (nothing written).
   */
  async recordFailedAttempt(
    id: string,
    heldUntil: Date,
    error: string,
    next: { deadLetter: true } | { deadLetter: false; nextAttemptAt: Date },
  ): Promise<boolean> {
    const rows = await this.txHost.tx
      .update(mailOutbox)
      .set({
        attempts: sql`${mailOutbox.attempts} + 1`,
        lastError: error.slice(0, 500),
        ...(next.deadLetter ? { status: 'dead_letter' as const } : { nextAttemptAt: next.nextAttemptAt }),
      })
      .where(this.heldBy(id, heldUntil))
      .returning({ id: mailOutbox.id });
    return rows.length === 1;
  }

  /** A mail that must never be sent (a guest-pattern address): `failed`, for good. */
  async markNeverSent(id: string, heldUntil: Date, reason: string): Promise<void> {
    await this.txHost.tx
      .update(mailOutbox)
      .set({ status: 'failed', lastError: reason })
      .where(this.heldBy(id, heldUntil));
  }

  private heldBy(id: string, heldUntil: Date) {
    return and(
      eq(mailOutbox.id, id),
      eq(mailOutbox.status, 'pending'),
      eq(mailOutbox.nextAttemptAt, heldUntil),
    );
  }
}
