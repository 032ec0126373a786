import { MailerModule, MailerOptions } from '@nestjs-modules/mailer';
import { HandlebarsAdapter } from '@nestjs-modules/mailer/adapters/handlebars.adapter';
import { Module } from '@nestjs/common';
import { join } from 'node:path';
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
import { MailSender } from './mail-sender';
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
        template: {
          dir: join(__dirname, 'templates'),
          adapter: new HandlebarsAdapter(undefined, { inlineCssEnabled: false }),
        },
      }),
    }),
  ],
  controllers: [AdminMailsController],
  providers: [MailSender, MailService, MailDispatcher, MailOutboxService, OutboxRepository],
  exports: [MailService, MailDispatcher, MailOutboxService],
})
export class MailModule {}
