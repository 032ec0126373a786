import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Writable } from 'node:stream';
import pino, { LogFn, Logger } from 'pino';
import { ResolvedAppConfig } from '../../config/app-config';
import { describeError, isDescribedError, SafeError } from './safe-error';

/** Keys whose values never reach the log (contract: PII and secrets), at any depth pino can address. */
export const REDACTED_PATHS = [
  'password',
  'token',
  'email',
  'payment_info',
  '*.password',
  '*.token',
  '*.email',
  '*.payment_info',
  '*.*.email',
];

/**
 * How Fastify's "listening at <address>" lines start (main.ts passes a listenTextResolver that writes it):
 * Fastify has no option to leave them out, so the logger writes them at debug.
 */
export const FASTIFY_LISTENING = 'Fastify listening at ';

const SECRET_QUERY_KEYS = new Set(['email', 'token', 'password']);

/**
 * Removes email, token and password values from a URL's query string before it is logged. Keys are
 * compared decoded and lower-cased, so `?EMAIL=` and `?e%6Dail=` are caught as well.
 */
export function sanitizeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq === -1 ? pair : pair.slice(0, eq);
      let key: string;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        return '[REDACTED]'; // undecodable key: keep nothing of it
      }
      return SECRET_QUERY_KEYS.has(key.trim().toLowerCase()) ? `${rawKey}=[REDACTED]` : pair;
    });
  return `${url.slice(0, mark)}?${query.join('&')}`;
}

/**
 * pino's serializer for `err` (and `error`): describeError's rule, stack frames included, so that
 * `logger.error({ err }, '…')` anywhere (Fastify's own lines too) logs no message, detail or params.
 */
export function serializeError(value: unknown): SafeError {
  return isDescribedError(value) ? value : describeError(value, { stack: true });
}

/**
 * pino takes an error's message as the line's message when none is given (`logger.error(err)`,
 * `logger.error({ err })`), before any serializer runs: describe the error first, so its fixed text is used.
 */
function describeErrorArguments(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
  const [first, ...rest] = args as unknown[];
  // Fastify writes one info line per interface it listens on; main.ts writes the one that matters
  if (level === pino.levels.values.info && typeof first === 'string' && first.startsWith(FASTIFY_LISTENING)) {
    this.debug(first);
    return;
  }
  if (first instanceof Error) {
    const err = describeError(first, { stack: true });
    method.apply(this, [{ err }, ...(rest.length > 0 ? rest : [err.message])] as Parameters<LogFn>);
    return;
  }
  if (typeof first === 'object' && first !== null && 'err' in first) {
    const { err } = first;
    if (!isDescribedError(err)) {
      method.apply(this, [{ ...first, err: serializeError(err) }, ...rest] as Parameters<LogFn>);
      return;
    }
  }
  method.apply(this, args);
}

/**
 * The app's one pino logger: Fastify logs requests through it (a child per request carrying `reqId`)
 * and Nest's Logger writes to it (PinoNestLogger). Requests are logged with method, sanitized URL and
 * client address only: no headers (Authorization, cookies, Idempotency-Key) and no bodies. Errors are
 * logged through describeError only (contract §12: error logs and stack traces carry no customer data).
 * `destination` lets tests read the lines back (PII checks); stdout otherwise.
 */
export function createLogger(config: ResolvedAppConfig, destination?: Writable | null): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: sanitizeUrl(request.url),
        remoteAddress: request.ip,
      }),
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
      // never pino.stdSerializers.err: it copies the message, the stack's message lines and every
      // enumerable field (Drizzle's params, pg's detail, PGlite's query and params) into the line
      err: serializeError,
      error: serializeError,
    },
    hooks: { logMethod: describeErrorArguments },
  };
  if (destination !== undefined && destination !== null) return pino(options, destination);
  if (config.nodeEnv === 'development' && process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } });
  }
  return pino(options);
}

/**
 * Fastify's request log lines: one per request, written when it completes, with the request, the status
 * and the time (Fastify's default also writes an `incoming request` line). Errors answered by the app
 * are envelopes with a status, so `error` here is only a failure of the response itself.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) {
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
    } else {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}
