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

/** Removes email and token values from a URL's query string before it is logged. */
export function sanitizeUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:email|token)=)[^&#]*/gi, '$1[REDACTED]');
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
              req: (req: { url?: string }) => ({ ...req, url: sanitizeUrl(req.url) }),
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
