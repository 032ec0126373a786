import { AppError } from '../errors/app-error';
import { CODE_TEXT, KNOWN_MESSAGES, SQLSTATE_CLASS_TEXT, SQLSTATE_TEXT } from './safe-error.texts';

/**
 * What a log line may say about an error (contract §12: logs never contain customer data, error logs and
 * stack traces included). Only fields that cannot carry customer data: class names, codes, schema
 * names, a fixed text, stack frames. Never an error's own message: Drizzle's `Failed query: … params: …`
 * holds the query's values, PostgreSQL's `detail` quotes them (`Key (email)=(…) already exists`), PGlite
 * puts `query` and `params` on its errors, and SMTP replies quote the recipient's address.
 */
export interface SafeError {
  /** class of the error, e.g. `DrizzleQueryError` */
  type: string;
  /** classes of its causes, outermost first, e.g. `DatabaseError` */
  cause?: string;
  /** PostgreSQL's SQLSTATE when there is one, else a library's code (`ECONNREFUSED`, `EENVELOPE`, `FST_…`, an AppError's) */
  code?: string;
  /** the constraint, table and column PostgreSQL names (schema names, never values) */
  constraint?: string;
  table?: string;
  column?: string;
  /** an SMTP reply code (550), without the reply's text */
  responseCode?: number;
  reqId?: string;
  /** a fixed text chosen by code or by a known library message, never the error's own message */
  message: string;
  /** the stack frames only: the first lines of a stack repeat the message */
  stack?: string;
}

export interface DescribeOptions {
  /** the request the error belongs to (Fastify's request id) */
  reqId?: string;
  /** include the stack frames (for 5xx and unexpected errors; warnings do without) */
  stack?: boolean;
}

/** Marks an object describeError made, so the pino serializer passes it on as it is. */
const DESCRIBED = Symbol('safe-error');

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  code?: unknown;
  severity?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  responseCode?: unknown;
  cause?: unknown;
}

const MAX_CAUSES = 5;
const MAX_FRAMES = 15;
/** SQLSTATE: five characters, digits and upper-case letters, at least one digit (ECONN… codes have none) */
const SQLSTATE = /^(?=.*\d)[0-9A-Z]{5}$/;
/** a library's code: ECONNREFUSED, EENVELOPE, FST_ERR_CTP_INVALID_JSON_BODY, ERR_SOCKET_CLOSED, INTERNAL_ERROR */
const LIBRARY_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
/** a PostgreSQL identifier as it names a constraint, table or column */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
const CLASS_NAME = /^[A-Za-z_$][\w$]{2,63}$/;
/** a V8 stack frame: `at fn (file:1:2)`, `at file:1:2`, `at fn (<anonymous>)`, `at fn (native)` */
const FRAME = /^\s+at .*(?::\d+:\d+\)?|\(<anonymous>\)|\(native\)|\(index \d+\))$/;

const WITHHELD = 'message withheld: it may carry customer data';

/** The error and its causes, outermost first. */
function chainOf(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (chain.length < MAX_CAUSES && typeof current === 'object' && current !== null) {
    chain.push(current);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

/** PostgreSQL's protocol errors (node-postgres and PGlite alike) carry a severity and a SQLSTATE. */
function isPgProtocolError(e: ErrorLike): boolean {
  return typeof e.severity === 'string' && typeof e.code === 'string' && SQLSTATE.test(e.code);
}

function classOf(e: unknown): string {
  if (typeof e !== 'object' || e === null) return typeof e;
  const error = e as ErrorLike;
  // both are pg-protocol's DatabaseError; PGlite ships it minified (class `O`) and both set name 'error'
  if (isPgProtocolError(error)) return 'DatabaseError';
  const constructorName = (e as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof constructorName === 'string' && CLASS_NAME.test(constructorName)) return constructorName;
  return typeof error.name === 'string' && CLASS_NAME.test(error.name) ? error.name : 'Error';
}

function identifier(value: unknown): string | undefined {
  return typeof value === 'string' && IDENTIFIER.test(value) ? value : undefined;
}

function sqlstateText(code: string): string {
  return `PostgreSQL ${code}: ${SQLSTATE_TEXT[code] ?? SQLSTATE_CLASS_TEXT[code.slice(0, 2)] ?? 'database error'}`;
}

/**
 * The stack frames of `error` without the lines before them, which repeat the message (and with it
 * Drizzle's query and params). Only lines shaped like V8 frames are kept.
 */
export function stackFrames(stack: unknown, message?: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  // the header is `Name: message`, and a message may span lines: start after it when it is there
  const at = typeof message === 'string' && message !== '' ? stack.indexOf(message) : -1;
  const rest = at === -1 ? stack : stack.slice(at + (message as string).length);
  const frames = rest
    .split('\n')
    .filter((line) => FRAME.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => line.trim());
  return frames.length === 0 ? undefined : frames.join('\n');
}

/**
 * Turns any thrown value into fields a log line may carry (see SafeError). Use it for every error that
 * is logged: `logger.error({ msg: 'cleanup failed', err: describeError(error) })`.
 */
export function describeError(error: unknown, options: DescribeOptions = {}): SafeError {
  const chain = chainOf(error);
  const top = chain[0];
  const described: SafeError = { type: top === undefined ? classOf(error) : classOf(top), message: WITHHELD };
  if (chain.length > 1) described.cause = chain.slice(1).map(classOf).join(', ');

  const pg =
    chain.find(isPgProtocolError) ?? chain.find((e) => typeof e.code === 'string' && SQLSTATE.test(e.code));
  const coded = chain.find((e) => typeof e.code === 'string' && LIBRARY_CODE.test(e.code));
  if (pg !== undefined) {
    const code = pg.code as string;
    described.code = code;
    const constraint = identifier(pg.constraint);
    const table = identifier(pg.table);
    const column = identifier(pg.column);
    if (constraint !== undefined) described.constraint = constraint;
    if (table !== undefined) described.table = table;
    if (column !== undefined) described.column = column;
    described.message = sqlstateText(code);
  } else if (top instanceof AppError) {
    described.code = top.code;
    described.message = `${top.code} (status ${top.status})`;
  } else if (coded !== undefined) {
    described.code = coded.code as string;
    described.message = CODE_TEXT[described.code] ?? `error code ${described.code}`;
  }
  // a known fixed text of the innermost error says more than a code class ("Connection terminated unexpectedly")
  const known = [...chain]
    .reverse()
    .map((e) => e.message)
    .find((m): m is string => typeof m === 'string' && KNOWN_MESSAGES.includes(m));
  if (known !== undefined && pg === undefined) described.message = known;

  const smtp = chain.find((e) => typeof e.responseCode === 'number' && Number.isInteger(e.responseCode));
  if (smtp !== undefined) described.responseCode = smtp.responseCode as number;
  if (options.reqId !== undefined) described.reqId = String(options.reqId);
  if (options.stack === true && top !== undefined) {
    const frames = stackFrames(top.stack, top.message);
    if (frames !== undefined) described.stack = frames;
  }
  Object.defineProperty(described, DESCRIBED, { value: true });
  return described;
}

/** True for what describeError returned (it is safe to log as it is). */
export function isDescribedError(value: unknown): value is SafeError {
  return typeof value === 'object' && value !== null && DESCRIBED in value;
}

/**
 * One line of text for the command-line tools' stderr, e.g.
 * `DrizzleQueryError (DatabaseError): PostgreSQL 23505: unique violation [users_email_lower_key]`.
 */
export function errorSummary(error: unknown): string {
  const d = describeError(error);
  const cause = d.cause === undefined ? '' : ` (${d.cause})`;
  const code = d.code !== undefined && !d.message.includes(d.code) ? ` ${d.code}` : '';
  const where = [d.constraint, d.table, d.column].filter((part) => part !== undefined).join(' ');
  return `${d.type}${cause}${code}: ${d.message}${where === '' ? '' : ` [${where}]`}`;
}
