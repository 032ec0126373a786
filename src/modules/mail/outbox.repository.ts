import { InjectTransactionHost } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { and, asc, eq, inArray, lte, ne, sql } from 'drizzle-orm';
import { MailOutboxRow, mailOutbox } from '../../database/schema';
import { DependentWrite } from '../../database/dependent-write';
import { hotStatement } from '../../database/hot-statement';
import { TxHost } from '../../database/transaction';
import { MailMessage } from './mail.types';

export type OutboxStatus = MailOutboxRow['status'];

/** A page position: the creation time (microseconds since the epoch, exact) and id of the last row. */
export interface OutboxCursor {
  createdAtMicros: string;
  id: string;
}

export interface OutboxCounts {
  pending: number;
  oldestPendingCreatedAt: Date | null;
  deadLetters: number;
}

/**
 * The start of a mail's retry window (contract §11: retried for up to MAIL_MAX_AGE_HOURS): its creation,
 * or the time an admin last sent it again. That time is kept in `sent_at` while the mail is not sent
 * (no schema change for it: migration 0004 is out of this change's reach); markSent overwrites it.
 */
export function retryWindowStart(row: Pick<MailOutboxRow, 'status' | 'createdAt' | 'sentAt'>): Date {
  if (row.status === 'sent' || row.sentAt === null || row.sentAt < row.createdAt) return row.createdAt;
  return row.sentAt;
}

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

  /**
   * `insert` as a dependent write of another statement: the mail exists exactly when that statement's
   * change does (its guard holds).
   */
  insertWhen(message: MailMessage, now: Date): DependentWrite {
    const column = (c: { name: string }) => sql.identifier(c.name);
    const at = now.toISOString();
    return (
      guard,
    ) => sql`insert into ${mailOutbox} (${column(mailOutbox.recipient)}, ${column(mailOutbox.subject)}, ${column(mailOutbox.template)}, ${column(mailOutbox.context)}, ${column(mailOutbox.nextAttemptAt)}, ${column(mailOutbox.createdAt)})
      select ${message.to}, ${message.subject}, ${message.template}, ${JSON.stringify(message.context)}::jsonb, ${at}::timestamptz, ${at}::timestamptz
      where ${guard}`;
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
    const sent = this.txHost.tx.$with('sent').as(
      this.txHost.tx
        .update(mailOutbox)
        .set({ status: 'sent', sentAt: at, attempts: sql`${mailOutbox.attempts} + 1`, lastError: null })
        .where(and(eq(mailOutbox.id, id), ne(mailOutbox.status, 'sent')))
        .returning({ id: mailOutbox.id }),
    );
    const next = this.txHost.tx
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, now), ne(mailOutbox.id, id)))
      .orderBy(asc(mailOutbox.nextAttemptAt))
      .limit(1)
      .for('update', { skipLocked: true });
    const [row] = await this.txHost.tx
      .with(sent)
      .update(mailOutbox)
      .set({ nextAttemptAt: leaseUntil })
      .where(sql`${mailOutbox.id} = ${next}`)
      .returning();
    return row;
  }

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

  async findById(id: string): Promise<MailOutboxRow | undefined> {
    const [row] = await this.txHost.tx.select().from(mailOutbox).where(eq(mailOutbox.id, id));
    return row;
  }

  /**
   * Makes a mail in `from` pending and due at `now` again, its attempts counted from zero and its retry
   * window restarted at `now` (kept in sent_at, see retryWindowStart). Undefined when it left `from`.
   */
  async requeue(id: string, from: OutboxStatus, now: Date): Promise<MailOutboxRow | undefined> {
    const [row] = await this.txHost.tx
      .update(mailOutbox)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: now, sentAt: now })
      .where(and(eq(mailOutbox.id, id), eq(mailOutbox.status, from)))
      .returning();
    return row;
  }

  /**
   * A page of mails, oldest first, after `cursor`; each row with its exact creation time for the next
   * cursor (timestamptz keeps microseconds, a JS Date only milliseconds).
   */
  async list(
    status: OutboxStatus | undefined,
    cursor: OutboxCursor | undefined,
    limit: number,
  ): Promise<(MailOutboxRow & { createdAtMicros: string })[]> {
    const createdAtMicros = sql<string>`(extract(epoch from ${mailOutbox.createdAt}) * 1000000)::bigint::text`;
    const rows = await this.txHost.tx
      .select({ row: mailOutbox, createdAtMicros })
      .from(mailOutbox)
      .where(
        and(
          status === undefined ? undefined : eq(mailOutbox.status, status),
          cursor === undefined
            ? undefined
            : sql`(${mailOutbox.createdAt}, ${mailOutbox.id}) > (
                timestamptz 'epoch' + ${cursor.createdAtMicros}::bigint * interval '1 microsecond',
                ${cursor.id}::uuid
              )`,
        ),
      )
      .orderBy(asc(mailOutbox.createdAt), asc(mailOutbox.id))
      .limit(limit);
    return rows.map(({ row, createdAtMicros }) => ({ ...row, createdAtMicros }));
  }

  /** Pending mails (with the oldest one's creation) and dead letters: both read through the status index. */
  async counts(): Promise<OutboxCounts> {
    const rows = await this.txHost.tx
      .select({
        status: mailOutbox.status,
        n: sql<number>`count(*)`.mapWith(Number),
        oldest: sql<Date | null>`min(${mailOutbox.createdAt})`.mapWith(mailOutbox.createdAt),
      })
      .from(mailOutbox)
      .where(inArray(mailOutbox.status, ['pending', 'dead_letter']))
      .groupBy(mailOutbox.status);
    const pending = rows.find((row) => row.status === 'pending');
    return {
      pending: pending?.n ?? 0,
      oldestPendingCreatedAt: pending?.oldest ?? null,
      deadLetters: rows.find((row) => row.status === 'dead_letter')?.n ?? 0,
    };
  }
}
