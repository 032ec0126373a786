import { simpleParser } from 'mailparser';
import { ReceivedMail } from './smtp-server';

/** A delivered mail as a mail client shows it (parsed by mailparser from the raw message). */
export interface ShopperMail {
  raw: string;
  subject: string;
  /** the top-level Content-Type, e.g. multipart/alternative */
  contentType: string;
  /** the Content-Type of each leaf part, in order */
  partTypes: string[];
  text: string;
  html: string;
  /** every http(s) URL in the text part */
  textLinks: URL[];
  /** every href of the HTML part, entities decoded */
  htmlLinks: URL[];
}

export async function readMail(mail: ReceivedMail): Promise<ShopperMail> {
  const parsed = await simpleParser(mail.raw);
  const contentType = parsed.headers.get('content-type') as { value: string } | undefined;
  const text = parsed.text ?? '';
  const html = parsed.html === false ? '' : parsed.html;
  return {
    raw: mail.raw,
    subject: parsed.subject ?? '',
    contentType: contentType?.value ?? '',
    partTypes: [...mail.raw.matchAll(/^Content-Type:\s*(text\/[a-z]+)/gim)].map((m) => m[1].toLowerCase()),
    text,
    html,
    textLinks: [...text.matchAll(/https?:\/\/\S+/g)].map((m) => new URL(m[0])),
    htmlLinks: [...html.matchAll(/href="([^"]*)"/g)].map((m) => new URL(decodeEntities(m[1]))),
  };
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&amp;/g, '&');
}
