import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../../common/auth/auth.decorators';
import { UuidParam } from '../../common/http/params';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { AdminMailEnvelopeDto, AdminMailPageDto, ListMailsQueryDto } from './dto/admin-mail.dto';
import { MailOutboxService } from './mail-outbox.service';

@ApiTags('admin')
@Controller('api/v1/admin/mails')
@Auth('admin')
export class AdminMailsController {
  constructor(private readonly mails: MailOutboxService) {}

  @Get()
  @ApiOperation({
    summary: 'List outbox mails, e.g. the dead-lettered ones (admin; oldest first, cursor-paginated)',
    description:
      'Filter with `status` (e.g. `dead_letter`: mails given up after MAIL_MAX_AGE_HOURS). Each mail shows its template, recipient, attempts and last error. Pass `next_cursor` back as `cursor` for the next page.',
  })
  @ApiEnvelope(AdminMailPageDto)
  @ApiErrors('VALIDATION_FAILED', 'RATE_LIMITED')
  list(@Query() query: ListMailsQueryDto): Promise<AdminMailPageDto> {
    return this.mails.list(query.status, query.limit, query.cursor);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a dead-lettered mail again, now, with a fresh MAIL_MAX_AGE_HOURS (admin)',
    description:
      'Only a dead-lettered mail can be retried (else 409 MAIL_NOT_RETRYABLE); it goes back to pending and the dispatcher sends it at once, with the same Message-ID as before.',
  })
  @ApiEnvelope(AdminMailEnvelopeDto)
  @ApiErrors('VALIDATION_FAILED', 'MAIL_NOT_FOUND', 'MAIL_NOT_RETRYABLE', 'RATE_LIMITED')
  async retry(@UuidParam('id') id: string): Promise<AdminMailEnvelopeDto> {
    return { mail: await this.mails.retry(id) };
  }
}
