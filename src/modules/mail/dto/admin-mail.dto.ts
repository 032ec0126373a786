import { PageQueryDto } from '../../../common/http/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { MailOutboxRow, outboxStatus } from '../../../database/schema';
import { COUNT } from '../../../common/swagger/bounds';

/** The statuses an outbox mail can have, from the database enum (one source). */
export const MAIL_STATUSES = outboxStatus.enumValues;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export class AdminMailDto {
  @ApiProperty({
    format: 'uuid',
    description: 'the outbox id; the mail’s Message-ID is <id@MAIL_FROM domain>',
  })
  id!: string;
  @ApiProperty({ example: 'order-confirmation' }) template!: string;
  @ApiProperty({ example: 'jane@example.com' }) recipient!: string;
  @ApiProperty({ enum: MAIL_STATUSES }) status!: MailStatus;
  @ApiProperty({ ...COUNT, description: 'attempts since the mail was queued or last sent again by an admin' })
  attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'why the last attempt failed' })
  last_error!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'when the dispatcher tries next (pending mails only)',
  })
  next_attempt_at!: string | null;
}

export function toAdminMailResponse(row: MailOutboxRow): AdminMailDto {
  return {
    id: row.id,
    template: row.template,
    recipient: row.recipient,
    status: row.status,
    attempts: row.attempts,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    next_attempt_at: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
  };
}

export class AdminMailPageDto {
  @ApiProperty({ type: [AdminMailDto] }) items!: AdminMailDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'pass as `cursor` to get the next page; null on the last page',
  })
  next_cursor!: string | null;
}

export class AdminMailEnvelopeDto {
  @ApiProperty({ type: AdminMailDto }) mail!: AdminMailDto;
}

export class ListMailsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: MAIL_STATUSES, description: 'only mails in this status; all when absent' })
  @IsOptional()
  @IsIn(MAIL_STATUSES)
  status?: MailStatus;
}
