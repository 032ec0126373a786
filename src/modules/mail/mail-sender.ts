import { MailerService } from '@nestjs-modules/mailer';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { MailMessage } from './mail.types';

/**
 * Renders and delivers one mail: over SMTP when SMTP_URL is set, else as an .eml file under
 * DATA_DIR/mail/ (contract §2). Throws when delivery fails, so a caller can retry.
 */
@Injectable()
export class MailSender {
  constructor(
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {}

  async deliver(message: MailMessage): Promise<void> {
    const info = (await this.mailer.sendMail({
      to: message.to,
      subject: message.subject,
      template: message.template,
      context: message.context,
    })) as { message?: unknown };
    if (this.config.smtpUrl === undefined && Buffer.isBuffer(info.message)) {
      const dir = join(this.config.dataDir, 'mail');
      await mkdir(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await writeFile(
        join(dir, `${stamp}-${message.template}-${randomUUID().slice(0, 8)}.eml`),
        info.message,
      );
    }
  }
}
