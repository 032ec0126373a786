import { DrizzleQueryError } from 'drizzle-orm';
import { PassThrough } from 'node:stream';
import { ResolvedAppConfig } from '../../config/app-config';
import { createLogger } from './logger';
import { PinoNestLogger } from './pino-nest-logger';

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) =>
    chunk
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .forEach((line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
  );
  // the app's own logger (redaction list included), writing to a stream the test reads
  const config = { logLevel: level, nodeEnv: 'test' } as ResolvedAppConfig;
  const pinoLogger = createLogger(config, stream);
  const logger = new PinoNestLogger(pinoLogger);
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return { lines, logger, pinoLogger, flush };
}

const EMAIL = 'jane.customer@example.com';
/** What Drizzle 0.45 throws when a query fails: the message and stack hold the SQL and its params. */
const failedQuery = () =>
  new DrizzleQueryError(
    'select * from "orders" where "email" = $1',
    [EMAIL],
    Object.assign(new Error('terminating connection due to administrator command'), {
      severity: 'FATAL',
      code: '57P01',
    }),
  );

describe('PinoNestLogger', () => {
  it('writes a message with the Nest context as pino fields', async () => {
    const { lines, logger, flush } = capture();
    logger.log('seeded the demo catalog', 'CatalogService');
    await flush();
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'seeded the demo catalog', context: 'CatalogService' }),
    ]);
  });

  it('spreads an object message into the line, redaction included', async () => {
    const { lines, logger, flush } = capture();
    logger.log({ msg: 'cart merged', userId: 'u1', email: 'someone@example.com' }, 'MergeService');
    await flush();
    expect(lines[0]).toMatchObject({
      msg: 'cart merged',
      userId: 'u1',
      email: '[REDACTED]',
      context: 'MergeService',
    });
  });

  it('keeps the frames of the stack Nest passes before the context of an error, not its message lines', async () => {
    const { lines, logger, flush } = capture();
    logger.error('boom', `Error: boom for ${EMAIL}\n    at run (/app/dist/a.js:1:2)`, 'Exceptions');
    await flush();
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'boom',
      stack: 'at run (/app/dist/a.js:1:2)',
      context: 'Exceptions',
    });
  });

  it('writes Nest’s module and route listing at debug, and the app’s own lines at info', async () => {
    const { lines, logger, flush } = capture('debug');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.log('listening on http://localhost:3000', 'Bootstrap');
    await flush();
    expect(lines.map((line) => [line.level, line.context])).toEqual([
      [20, 'InstanceLoader'],
      [20, 'RouterExplorer'],
      [30, 'Bootstrap'],
    ]);
  });

  it('writes nothing below the configured level', async () => {
    const { lines, logger, flush } = capture('warn');
    logger.log('quiet');
    logger.debug('quieter');
    logger.warn('heard');
    await flush();
    expect(lines.map((line) => line.msg)).toEqual(['heard']);
  });

  it('logs an error, passed as the message or before the context, by describeError only', async () => {
    const { lines, logger, flush } = capture();
    logger.error(failedQuery()); // how Nest's own handlers log an exception
    logger.error('refund failed', failedQuery(), 'CheckoutService');
    logger.warn({ msg: 'mail dispatch failed', error: failedQuery(), stack: failedQuery().stack });
    await flush();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      msg: 'PostgreSQL 57P01: terminated by an administrator',
      err: { type: 'DrizzleQueryError', cause: 'DatabaseError', code: '57P01' },
    });
    expect(lines[1]).toMatchObject({
      msg: 'refund failed',
      err: { type: 'DrizzleQueryError', code: '57P01' },
    });
    expect(lines[2]).toMatchObject({ msg: 'mail dispatch failed', error: { code: '57P01' } });
    expect(JSON.stringify(lines)).not.toMatch(new RegExp(`${EMAIL}|Failed query|params`));
  });
});

describe('createLogger', () => {
  it('serializes err anywhere through describeError, and never takes an error message as the line’s', async () => {
    const { lines, pinoLogger, flush } = capture();
    pinoLogger.error(failedQuery());
    pinoLogger.error({ err: failedQuery() });
    pinoLogger.child({ reqId: 'r1' }).warn({ err: failedQuery(), error: failedQuery() }, 'request errored');
    await flush();
    expect(lines.map((line) => line.msg)).toEqual([
      'PostgreSQL 57P01: terminated by an administrator',
      'PostgreSQL 57P01: terminated by an administrator',
      'request errored',
    ]);
    expect(lines[2]).toMatchObject({
      reqId: 'r1',
      err: { type: 'DrizzleQueryError', code: '57P01', stack: expect.stringMatching(/^at /) },
      error: { type: 'DrizzleQueryError' },
    });
    expect(JSON.stringify(lines)).not.toMatch(new RegExp(`${EMAIL}|Failed query|params`));
  });
});
