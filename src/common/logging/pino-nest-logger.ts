import { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { describeError, stackFrames } from './safe-error';

/** An object message's fields, with errors described and a stack reduced to its frames (contract §12). */
function safeFields(message: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (value instanceof Error) fields[key] = describeError(value, { stack: true });
    else if (key === 'stack') fields[key] = stackFrames(value);
    else fields[key] = value;
  }
  return fields;
}

/**
 * Nest's own start-up and shutdown chatter (one line per module, controller and route: ~75 lines before the
 * useful one), written at debug instead of info. main.ts writes the lines an operator needs at info.
 */
export const FRAMEWORK_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Nest's Logger (`new Logger(Context)` in services, and Nest's own start-up lines) written to the app's
 * pino logger, so every line of the process is one JSON format with one redaction list. Nest passes the
 * context as the last argument and, for errors, a stack (or the error itself) before it. Errors go
 * through describeError and stacks keep their frames only: a message can carry customer data.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params.at(-1);
    const framework = typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context);
    this.write(framework ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const last = params.at(-1);
    const context = params.length > 0 && typeof last === 'string' ? last : undefined;
    const rest = context === undefined ? params : params.slice(0, -1);
    // Nest passes a stack (or the error itself) before the context of an error line
    const extra = rest[0];
    const passed: Record<string, unknown> = {};
    if (level === 'error' && typeof extra === 'string') passed.stack = stackFrames(extra);
    if (extra instanceof Error) passed.err = describeError(extra, { stack: true });
    if (message instanceof Error) {
      const described = describeError(message, { stack: true });
      this.logger[level]({ context, err: described }, described.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...passed, ...safeFields(message as Record<string, unknown>) });
    } else {
      this.logger[level]({ context, ...passed }, String(message));
    }
  }
}
