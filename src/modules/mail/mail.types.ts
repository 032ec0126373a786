/** The templates a mail can be rendered from (files in ./templates/{locale}/). */
export const MAIL_TEMPLATES = ['email-verification', 'order-confirmation'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** A mail as the outbox keeps it: the subject is rendered when it is queued, the body when it is sent. */
export interface MailMessage {
  to: string;
  subject: string;
  template: MailTemplate;
  context: Record<string, unknown>;
}

/** A mail to queue: the template and its context (mail-content.ts: VerificationContext, ConfirmationContext). */
export type MailRequest = Omit<MailMessage, 'subject'>;
