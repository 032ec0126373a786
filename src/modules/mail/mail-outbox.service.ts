import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { Clock } from '../../common/util/clock';
import { isGuestEmail } from '../../common/util/guest-email';
import { MailOutboxRow } from '../../database/schema';
import { AdminMailDto, AdminMailPageDto, MailStatus, toAdminMailResponse } from './dto/admin-mail.dto';
import { MailDispatcher } from './mail-dispatcher';
import { OutboxRetentionRepository } from './outbox-retention.repository';
import { OutboxAdminRepository, OutboxCursor } from './outbox-admin.repository';

const DEFAULT_PAGE_SIZE = 20;

/** The outbox as monitoring and admins see it: counts, the list, sending a dead letter again. */
export interface OutboxStats {
  pending: number;
  /** age of the oldest pending mail, 0 when none is pending */
  oldestPendingSeconds: number;
  deadLetters: number;
}

@Injectable()
export class MailOutboxService {
  constructor(
    private readonly outbox: OutboxAdminRepository,
    private readonly dispatcher: MailDispatcher,
    private readonly clock: Clock,
    private readonly retention: OutboxRetentionRepository,
  ) {}

  /** contract §12: pending mails, the oldest one's age and dead letters (guest-stats, metrics). */
  async stats(): Promise<OutboxStats> {
    const counts = await this.outbox.counts();
    const oldest = counts.oldestPendingCreatedAt;
    return {
      pending: counts.pending,
      oldestPendingSeconds:
        oldest === null ? 0 : Math.max(0, Math.floor((this.clock.now().getTime() - oldest.getTime()) / 1000)),
      deadLetters: counts.deadLetters,
    };
  }

  /** Mails oldest first, optionally of one status; the cursor is the last row's position. */
  async list(
    status: MailStatus | undefined,
    limit = DEFAULT_PAGE_SIZE,
    cursor?: string,
  ): Promise<AdminMailPageDto> {
    const rows = await this.outbox.list(
      status,
      cursor === undefined ? undefined : decodeCursor(cursor),
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toAdminMailResponse),
      next_cursor:
        rows.length > limit && last !== undefined ? encodeCursor(last.createdAtMicros, last.id) : null,
    };
  }

  /**
   * contract §11: sends a dead-lettered mail again — pending and due now, attempts from zero, with a fresh
   * MAIL_MAX_AGE_HOURS window. A mail that became `failed` by the old attempt limit counts as dead-lettered;
   * one to a guest-pattern address is never sent.
   */
  async retry(id: string): Promise<AdminMailDto> {
    const row = await this.outbox.findById(id);
    if (row === undefined) throw new AppError('MAIL_NOT_FOUND', 'Mail not found');
    if (!isRetryable(row)) throw notRetryable(row.status);
    const requeued = await this.outbox.requeue(id, row.status, this.clock.now());
    if (requeued === undefined) throw notRetryable('changed meanwhile');
    this.dispatcher.kick();
    return toAdminMailResponse(requeued);
  }

  /** Cleanup (contract §12): deletes up to `batchSize` mails sent before `before`; no other status. */
  purgeSentBefore(before: Date, batchSize: number): Promise<number> {
    return this.retention.deleteSentBefore(before, batchSize);
  }
}

function isRetryable(row: MailOutboxRow): boolean {
  return row.status === 'dead_letter' || (row.status === 'failed' && !isGuestEmail(row.recipient));
}

function notRetryable(status: string): AppError {
  return new AppError(
    'MAIL_NOT_RETRYABLE',
    `Only a dead-lettered mail can be sent again (this one is ${status})`,
  );
}

function encodeCursor(createdAtMicros: string, id: string): string {
  return Buffer.from(`${createdAtMicros}.${id}`).toString('base64url');
}

function decodeCursor(cursor: string): OutboxCursor {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^(\d{1,20})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(text);
  if (match === null) {
    throw AppError.validation([
      { field: 'cursor', message: 'cursor is not a cursor returned by this endpoint' },
    ]);
  }
  return { createdAtMicros: match[1], id: match[2] };
}
