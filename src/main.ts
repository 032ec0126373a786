import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { performance } from 'node:perf_hooks';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { createLogger, FASTIFY_LISTENING } from './common/logging/logger';
import { PinoNestLogger } from './common/logging/pino-nest-logger';
import { describeError, errorSummary, stackFrames } from './common/logging/safe-error';
import { loadAppConfigFromEnvironment } from './config/app-config';
import { ConfigValidationError } from './config/env.schema';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

async function bootstrap(): Promise<void> {
  // the one parse of the environment (.env included); the modules get this value
  const config = await loadAppConfigFromEnvironment();
  const logger = createLogger(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    createFastifyAdapter(config, logger),
    {
      // the app's logger from the first line: Nest's module and route listing goes to debug, and an error
      // while the modules start (a failed migration) is described, not printed with its query's params
      logger: new PinoNestLogger(logger),
      // a failed start rejects here (summarised below, exit 1) instead of Nest's process.abort()
      abortOnError: false,
      // Fastify parses JSON itself; Nest would add a form-body parser, and only JSON is accepted (415).
      bodyParser: false,
    },
  );
  configureApp(app, config);
  stopOnSignals(app);
  await app.listen({
    port: config.port,
    host: '0.0.0.0',
    // written at debug by the logger: the line below is the one an operator reads
    listenTextResolver: (address) => `${FASTIFY_LISTENING}${address}`,
  });
  const url = `http://localhost:${config.port}`;
  new Logger('Bootstrap').log(`listening on ${url} (Swagger UI at ${url}/docs)`);
}

/**
 * SIGTERM / SIGINT: stop taking connections, let in-flight requests finish, run the modules' shutdown
 * hooks (scheduler, mail dispatcher, database last), write one line, and exit. A second signal while
 * stopping is ignored, as Nest's own shutdown hooks do.
 */
function stopOnSignals(app: NestFastifyApplication): void {
  const logger = new Logger('Bootstrap');
  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const started = performance.now();
    try {
      await app.close();
    } catch (error) {
      logger.error({ msg: `shutdown on ${signal} failed`, err: describeError(error, { stack: true }) });
      process.exit(1);
    }
    logger.log(`stopped on ${signal} in ${Math.round(performance.now() - started)} ms`);
    process.exit(0);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, (received) => void stop(received));
}

bootstrap().catch((error: unknown) => {
  // Config errors name the bad variable; print them plainly and exit non-zero. Anything else (a failed
  // migration, say) is summarised: its message and stack header can hold a query's params (contract §12).
  if (error instanceof ConfigValidationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    const frames = error instanceof Error ? stackFrames(error.stack, error.message) : undefined;
    process.stderr.write(`${errorSummary(error)}\n${frames === undefined ? '' : `${frames}\n`}`);
  }
  process.exit(1);
});
