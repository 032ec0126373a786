import { MailerModule, MailerOptions } from '@nestjs-modules/mailer';
import { Module } from '@nestjs/common';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import {
  SMTP_CONNECTION_TIMEOUT_MS,
  SMTP_GREETING_TIMEOUT_MS,
  SMTP_SOCKET_TIMEOUT_MS,
} from './delivery-policy';
import { AdminMailsController } from './admin-mails.controller';
import { MailDispatcher } from './mail-dispatcher';
import { MailOutboxService } from './mail-outbox.service';
import { MailRenderer } from './mail-renderer';
import { MailSender } from './mail-sender';
import { OutboxRetentionRepository } from './outbox-retention.repository';
import { OutboxAdminRepository } from './outbox-admin.repository';
import { OutboxRepository } from './outbox.repository';
import { MailService } from './mail.service';

@Module({
  imports: [
    MailerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedAppConfig): MailerOptions => ({
        // No SMTP_URL: nodemailer renders the raw message into a buffer and MailSender files it.
        // SMTP: one connection per mail, with timeouts that bound a send well inside its outbox lease
        // (the numbers and the arithmetic are in delivery-policy.ts).
        transport:
          config.smtpUrl === undefined
            ? { streamTransport: true, buffer: true, newline: 'unix' as const }
            : ({
                url: config.smtpUrl,
                connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
                greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
                socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
              } satisfies SMTPTransport.Options),
        defaults: { from: config.mailFrom } as SMTPTransport.Options,
        // no template adapter: MailRenderer renders both parts of a mail in MAIL_LOCALE
      }),
    }),
  ],
  controllers: [AdminMailsController],
  providers: [
    MailRenderer,
    MailSender,
    MailService,
    MailDispatcher,
    MailOutboxService,
    OutboxRepository,
    OutboxAdminRepository,
    OutboxRetentionRepository,
  ],
  exports: [MailService, MailDispatcher, MailOutboxService],
})
export class MailModule {}
