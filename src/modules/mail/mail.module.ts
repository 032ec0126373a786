import { MailerModule, MailerOptions } from '@nestjs-modules/mailer';
import { HandlebarsAdapter } from '@nestjs-modules/mailer/adapters/handlebars.adapter';
import { Module } from '@nestjs/common';
import { join } from 'node:path';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { MailDispatcher } from './mail-dispatcher';
import { MailSender } from './mail-sender';
import { OutboxRepository } from './outbox.repository';
import { MailService } from './mail.service';

@Module({
  imports: [
    MailerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedAppConfig): MailerOptions => ({
        // No SMTP_URL: nodemailer renders the raw message into a buffer and MailSender files it.
        transport: config.smtpUrl ?? { streamTransport: true, buffer: true, newline: 'unix' as const },
        defaults: { from: config.mailFrom } as SMTPTransport.Options,
        template: {
          dir: join(__dirname, 'templates'),
          adapter: new HandlebarsAdapter(undefined, { inlineCssEnabled: false }),
        },
      }),
    }),
  ],
  providers: [MailSender, MailService, MailDispatcher, OutboxRepository],
  exports: [MailService, MailDispatcher],
})
export class MailModule {}
