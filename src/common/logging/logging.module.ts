import { Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';

/** Keys whose values never reach the log (contract: PII and secrets), at any depth pino can address. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'req.query.email',
  'req.query.token',
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

/** Where log lines go: stdout unless a test hands in a stream to read them back (PII checks). */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG, LOG_DESTINATION],
      useFactory: (config: ResolvedAppConfig, destination: Writable | null) => ({
        pinoHttp: [
          {
            level: config.logLevel,
            // Fastify's genReqId puts the request id on the raw request; log under the same id.
            genReqId: (req: IncomingMessage & { id?: string }) => req.id ?? 'unknown',
            redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
            serializers: {
              // the parsed query is dropped: the sanitized URL carries it without the secrets
              req: (req: { url?: string; query?: unknown }) => ({
                ...req,
                query: undefined,
                url: sanitizeUrl(req.url),
              }),
            },
            transport:
              config.nodeEnv === 'development' && process.stdout.isTTY
                ? { target: 'pino-pretty', options: { singleLine: true } }
                : undefined,
          },
          destination ?? process.stdout,
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
