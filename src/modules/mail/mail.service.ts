import { Injectable, Logger } from '@nestjs/common';
import { isGuestEmail } from '../../common/util/guest-email';
import { MailSender } from './mail-sender';
import { MailMessage } from './mail.types';

/**
 * The one door for outgoing mail. Callers `queue` a message once the change that causes it has been
 * decided; delivery happens off the request path, so a slow or failing SMTP server never fails a request.
 * Guest-pattern addresses never receive mail (contract §1).
 */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);

  constructor(private readonly sender: MailSender) {}

  queue(message: MailMessage): boolean {
    if (isGuestEmail(message.to)) return false;
    setImmediate(() => {
      this.sender.deliver(message).catch((error: unknown) => {
        this.logger.warn(
          `could not deliver ${message.template} mail: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    });
    return true;
  }
}
