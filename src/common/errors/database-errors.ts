/** PostgreSQL error helpers: Drizzle wraps driver errors, so look through `cause` chains. */
interface PgLikeError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  cause?: unknown;
}

function* causes(error: unknown): Generator<PgLikeError> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    yield current;
    current = (current as PgLikeError).cause;
  }
}

/** Five digits and upper-case letters with at least one digit: Node's EPIPE or nodemailer's EAUTH are not. */
const SQLSTATE = /^(?=.*\d)[0-9A-Z]{5}$/;

export function pgErrorCode(error: unknown): string | undefined {
  for (const e of causes(error)) {
    if (typeof e.code === 'string' && SQLSTATE.test(e.code)) return e.code;
  }
  return undefined;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (const e of causes(error)) {
    if (e.code === '23505') return constraint === undefined || e.constraint === constraint;
  }
  return false;
}

const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-4])/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /cannot use a pool after calling end/i,
  /client has encountered a connection error/i,
  /connection (is )?closed/i,
  /pglite is closed/i,
];

/** True when the error means "the database cannot be reached", answered as 503. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    if (
      typeof e.code === 'string' &&
      (UNAVAILABLE_NODE_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))
    ) {
      return true;
    }
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(e.message as string)))
      return true;
  }
  return false;
}

/** Serialization failures, deadlocks and lock timeouts: the work was rolled back and a retry can succeed. */
export function isTransientConflict(error: unknown): boolean {
  const code = pgErrorCode(error);
  return code === '40001' || code === '40P01' || code === '55P03';
}

/** Text PostgreSQL cannot store (a NUL character, invalid encoding): the client's input is at fault. */
export function isUnstorableText(error: unknown): boolean {
  const code = pgErrorCode(error);
  return code === '22021' || code === '22P05';
}
