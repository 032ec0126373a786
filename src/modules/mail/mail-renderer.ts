import { Inject, Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { MAIL_LOCALES, MailLocale } from '../../config/env.schema';
import { MailSettings, mailView } from './mail-content';
import { MAIL_TEMPLATES, MailTemplate } from './mail.types';

/** A mail as a shopper reads it: the subject and the same content as HTML and as plain text. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

type Part = keyof RenderedMail;
const PARTS: readonly Part[] = ['subject', 'html', 'text'];

/** ./templates/{locale}/{template}.{subject|html|text}.hbs */
export const TEMPLATES_DIR = join(__dirname, 'templates');

/**
 * Renders a mail in MAIL_LOCALE (contract §11). Every template of every locale is compiled once at
 * start-up, so a missing or broken one stops the app instead of a mail. HTML escapes what it inserts;
 * the subject and the text part are plain text and insert values as they are.
 */
@Injectable()
export class MailRenderer {
  private readonly settings: MailSettings;
  private readonly templates: Record<
    MailLocale,
    Record<MailTemplate, Record<Part, HandlebarsTemplateDelegate>>
  >;

  constructor(@Inject(APP_CONFIG) config: ResolvedAppConfig) {
    this.settings = {
      locale: config.mailLocale,
      currency: config.currency,
      storefrontUrl: config.storefrontUrl,
    };
    this.templates = compileAll();
  }

  /** The subject alone, as kept on the outbox row when the mail is queued. */
  subject(template: MailTemplate, context: unknown): string {
    return this.render(template, context).subject;
  }

  render(template: MailTemplate, context: unknown): RenderedMail {
    const view = mailView(template, context, this.settings);
    const parts = this.templates[this.settings.locale][template];
    return {
      // one line: a header cannot break
      subject: parts.subject(view).replace(/\s+/g, ' ').trim(),
      html: parts.html(view),
      text: parts.text(view),
    };
  }
}

/**
 * `{{href url}}` in a double-quoted attribute: escapes only what HTML needs there, so a link keeps its
 * `=` (Handlebars' default escaping writes `&#x3D;`, which is right but unreadable in the source).
 */
function href(url: unknown): Handlebars.SafeString {
  const escaped = String(url)
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  return new Handlebars.SafeString(escaped);
}

function compileAll() {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('href', href);
  const compile = (locale: MailLocale, template: MailTemplate, part: Part) => {
    const source = readFileSync(join(TEMPLATES_DIR, locale, `${template}.${part}.hbs`), 'utf8');
    handlebars.parse(source); // compile() is lazy: a syntax error shows here, at start-up
    return handlebars.compile(source, { strict: true, noEscape: part !== 'html' });
  };
  const byLocale = (locale: MailLocale) =>
    Object.fromEntries(
      MAIL_TEMPLATES.map((template) => [
        template,
        Object.fromEntries(PARTS.map((part) => [part, compile(locale, template, part)])),
      ]),
    ) as Record<MailTemplate, Record<Part, HandlebarsTemplateDelegate>>;
  return Object.fromEntries(MAIL_LOCALES.map((locale) => [locale, byLocale(locale)])) as Record<
    MailLocale,
    Record<MailTemplate, Record<Part, HandlebarsTemplateDelegate>>
  >;
}
