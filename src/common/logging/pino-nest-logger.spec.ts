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
  const logger = new PinoNestLogger(createLogger(config, stream));
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return { lines, logger, flush };
}

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

  it('keeps the stack Nest passes before the context of an error', async () => {
    const { lines, logger, flush } = capture();
    logger.error('boom', 'Error: boom\n    at here', 'Exceptions');
    await flush();
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'boom',
      stack: 'Error: boom\n    at here',
      context: 'Exceptions',
    });
  });

  it('writes nothing below the configured level', async () => {
    const { lines, logger, flush } = capture('warn');
    logger.log('quiet');
    logger.debug('quieter');
    logger.warn('heard');
    await flush();
    expect(lines.map((line) => line.msg)).toEqual(['heard']);
  });
});
