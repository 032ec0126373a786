import { MailerService } from '@nestjs-modules/mailer';
import { Inject, Injectable } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { messageIdFor } from './delivery-policy';
import { MailMessage } from './mail.types';

/** Which outbox row a message is, so that every copy of it is the same mail. */
export interface OutboxRef {
  id: string;
  createdAt: Date;
}

/**
 * Renders and delivers one mail: over SMTP when SMTP_URL is set, else as an .eml file under
 * DATA_DIR/mail/ (contract §2). Every copy of one outbox mail carries the same Message-ID (contract §11).
 * Throws when delivery fails, so a caller can retry.
 */
@Injectable()
export class MailSender {
  constructor(
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {}

  async deliver(message: MailMessage, outbox: OutboxRef): Promise<void> {
    const info = (await this.mailer.sendMail({
      to: message.to,
      subject: message.subject,
      template: message.template,
      context: message.context,
      messageId: messageIdFor(outbox.id, this.config.mailFrom),
    })) as { message?: unknown };
    if (this.config.smtpUrl === undefined && Buffer.isBuffer(info.message)) {
      const dir = join(this.config.dataDir, 'mail');
      await mkdir(dir, { recursive: true });
      // named by the outbox row: files sort by creation, and a second copy replaces the first
      const stamp = outbox.createdAt.toISOString().replace(/[:.]/g, '-');
      await writeFile(join(dir, `${stamp}-${message.template}-${outbox.id}.eml`), info.message);
    }
  }
}
