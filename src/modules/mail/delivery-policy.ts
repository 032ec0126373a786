/**
 * When and how long the outbox dispatcher tries a mail (contract §11). Pure: no I/O, unit-tested beside.
 *
 * One send is bounded by the SMTP timeouts below (mail.module.ts hands them to nodemailer), and a
 * dispatcher holds the mail it sends by a lease that is longer than the worst case of one send:
 * - connecting (DNS, TCP, TLS) and the server's greeting: at most SMTP_CONNECTION_TIMEOUT_MS in all
 *   (nodemailer cuts the greeting short by what is left of the connection timeout);
 * - every later exchange (EHLO, STARTTLS's second EHLO, AUTH's two steps, MAIL FROM, RCPT TO, DATA, the
 *   message and its final reply: 8 round trips for our single-recipient mails) waits at most
 *   SMTP_SOCKET_TIMEOUT_MS of silence, so 8 × 45 s = 360 s;
 * - in all 20 s + 360 s = 380 s, under the 600 s lease: a send never outlives the lease of its mail.
 * The dispatcher renews the lease every LEASE_RENEW_MS while it holds a mail as well (a server that
 * trickles bytes to dodge the socket timeout, or recording a sent mail while the database is away).
 */
export const SMTP_CONNECTION_TIMEOUT_MS = 20_000;
export const SMTP_GREETING_TIMEOUT_MS = 15_000;
export const SMTP_SOCKET_TIMEOUT_MS = 45_000;
export const CLAIM_LEASE_MS = 10 * 60_000;
export const LEASE_RENEW_MS = 2 * 60_000;

export const BACKOFF_FIRST_MS = 5_000;
export const BACKOFF_CAP_MS = 3_600_000;

/** Exponential back-off after failed attempt number `attempt` (1-based): 5 s, 10 s, 20 s … capped at 1 h. */
export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_FIRST_MS * 2 ** Math.max(0, attempt - 1), BACKOFF_CAP_MS);
}

/** What a failed attempt leads to: another attempt later, or the dead-letter list. */
export type AfterFailure = { deadLetter: true } | { deadLetter: false; nextAttemptAt: Date };

/**
 * contract §11: a mail is retried for as long as it is younger than MAIL_MAX_AGE_HOURS; a failed attempt
 * on an older mail dead-letters it. The age counts from the start of its window: its creation, or the
 * last time an admin sent it again (a retried mail gets a fresh window).
 */
export function afterFailedAttempt(input: {
  attempt: number;
  now: Date;
  windowStart: Date;
  maxAgeMs: number;
}): AfterFailure {
  if (input.now.getTime() - input.windowStart.getTime() >= input.maxAgeMs) return { deadLetter: true };
  return { deadLetter: false, nextAttemptAt: new Date(input.now.getTime() + backoffMs(input.attempt)) };
}

/**
 * The Message-ID of every copy of one outbox mail: `<{outbox id}@{domain of MAIL_FROM}>`, so a receiving
 * server can drop a copy sent twice (contract §11).
 */
export function messageIdFor(outboxId: string, mailFrom: string): string {
  const domain = /@([^\s@<>]+)>?\s*$/.exec(mailFrom.trim())?.[1] ?? 'localhost';
  return `<${outboxId}@${domain.toLowerCase()}>`;
}

/**
 * What a log line may say about a failed send or query: the error's class and codes (nodemailer's
 * `code`, the SMTP reply code, PostgreSQL's SQLSTATE), never its message, which can quote addresses
 * or query parameters (contract §12: no customer data in logs).
 */
export function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return [
    error.constructor.name,
    typeof code === 'string' ? code : undefined,
    typeof responseCode === 'number' ? `SMTP ${responseCode}` : undefined,
    typeof cause?.code === 'string' ? `SQLSTATE ${cause.code}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}
