/** The templates a mail can be rendered from (files in ./templates). */
export type MailTemplate = 'email-verification' | 'order-confirmation';

export interface MailMessage {
  to: string;
  subject: string;
  template: MailTemplate;
  context: Record<string, unknown>;
}
