import { MailerService } from '@nestjs-modules/mailer';
import { Inject, Injectable } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { messageIdFor } from './delivery-policy';
import { MailRenderer } from './mail-renderer';
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
 *
 * contract §11: multipart/alternative, plain text first and HTML second, rendered now from the outbox
 * row's template and context (MailRenderer). The text part is quoted-printable: a line of it that is
 * shorter than 76 characters and holds no `=` or non-ASCII character (the verification code on its
 * own line) reaches the raw message unchanged, so it can be copied even from an `.eml` file. The HTML
 * part is base64, so no wrapped, half-encoded link shows in the raw message to be copied by mistake.
 */
@Injectable()
export class MailSender {
  constructor(
    private readonly mailer: MailerService,
    private readonly renderer: MailRenderer,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {}

  /** `DATA_DIR/mail`, made on the first `.eml` file */
  private mailDir: Promise<void> | undefined;

  async deliver(message: MailMessage, outbox: OutboxRef): Promise<void> {
    const rendered = this.renderer.render(message.template, message.context);
    const info = (await this.mailer.sendMail({
      to: message.to,
      subject: rendered.subject,
      // nodemailer's `alternatives` are the parts of the multipart/alternative, in this order, each with
      // the transfer encoding it is given (its `text`/`html` fields leave the encoding to nodemailer)
      alternatives: [
        {
          contentType: 'text/plain; charset=utf-8',
          // CRLF: nodemailer's quoted-printable wrapping only knows a line ends at CRLF, and with bare LFs
          // it runs lines together and soft-breaks them mid-word (the code, for one)
          content: rendered.text.replace(/\r?\n/g, '\r\n'),
          contentTransferEncoding: 'quoted-printable',
        },
        {
          contentType: 'text/html; charset=utf-8',
          content: rendered.html,
          contentTransferEncoding: 'base64',
        },
      ],
      messageId: messageIdFor(outbox.id, this.config.mailFrom),
    })) as { message?: unknown };
    if (this.config.smtpUrl === undefined && Buffer.isBuffer(info.message)) {
      const dir = join(this.config.dataDir, 'mail');
      // named by the outbox row: files sort by creation, and a second copy replaces the first
      const stamp = outbox.createdAt.toISOString().replace(/[:.]/g, '-');
      await this.writeMailFile(dir, `${stamp}-${message.template}-${outbox.id}.eml`, info.message);
    }
  }

  /**
   * The directory is made once per process (a mkdir per mail was 3.6 % of the app's CPU under the
   * benchmark's order load), and again if it has gone since.
   */
  private async writeMailFile(dir: string, name: string, content: Buffer): Promise<void> {
    this.mailDir ??= mkdir(dir, { recursive: true }).then(() => undefined);
    try {
      await this.mailDir;
      await writeFile(join(dir, name), content);
    } catch (error) {
      this.mailDir = undefined;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, name), content);
    }
  }
}
