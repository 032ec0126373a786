import { simpleParser } from 'mailparser';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** Parses a raw message: one the test SMTP server received (`mail.raw`) or an `.eml` file. */
export async function readMail(raw: string): Promise<ShopperMail> {
  const parsed = await simpleParser(raw);
  const contentType = parsed.headers.get('content-type') as { value: string } | undefined;
  const text = parsed.text ?? '';
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  return {
    raw,
    subject: parsed.subject ?? '',
    contentType: contentType?.value ?? '',
    partTypes: [...raw.matchAll(/^Content-Type:\s*(text\/[a-z]+)/gim)].map((m) => m[1].toLowerCase()),
    text,
    html,
    textLinks: [...text.matchAll(/https?:\/\/\S+/g)].map((m) => new URL(m[0])),
    htmlLinks: [...html.matchAll(/href="([^"]*)"/g)].map((m) => new URL(decodeEntities(m[1]))),
  };
}

/** The token of the verification mail's link (`…/verify-email?token=…`), as its page would read it. */
export function verificationToken(mail: ShopperMail): string {
  const link = mail.textLinks.find(
    (url) => url.pathname.endsWith('/verify-email') && url.searchParams.has('token'),
  );
  const token = link?.searchParams.get('token');
  if (token === undefined || token === null)
    throw new Error(`no verification link in the mail:\n${mail.text}`);
  return token;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&amp;/g, '&');
}

/** A mail written as an `.eml` file under DATA_DIR/mail (no SMTP_URL, contract §2). */
export interface MailFile {
  headers: string;
  raw: string;
}

export function readMailFiles(dataDir: string): MailFile[] {
  const dir = join(dataDir, 'mail');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => {
      const raw = readFileSync(join(dir, name), 'utf8');
      return { headers: raw.slice(0, raw.search(/\r?\n\r?\n/)), raw };
    });
}

export function mailFilesTo(dataDir: string, email: string): MailFile[] {
  return readMailFiles(dataDir).filter((mail) =>
    new RegExp(`^To: ${email.replace(/[.+]/g, '\\$&')}$`, 'mi').test(mail.headers),
  );
}

/** Mail goes out after the response (off the request path): poll briefly for the file. */
export async function waitForMailFileTo(dataDir: string, email: string, timeoutMs = 5000): Promise<MailFile> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [mail] = mailFilesTo(dataDir, email);
    if (mail !== undefined) return mail;
    if (Date.now() > deadline) throw new Error(`no mail to ${email} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The token of the verification mail written for `email`. */
export async function verificationTokenInMailFile(dataDir: string, email: string): Promise<string> {
  const mail = await waitForMailFileTo(dataDir, email);
  return verificationToken(await readMail(mail.raw));
}
