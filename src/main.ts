import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { stopOnSignals } from './common/http/shutdown-drain';
import { createLogger, FASTIFY_LISTENING } from './common/logging/logger';
import { PinoNestLogger } from './common/logging/pino-nest-logger';
import { errorSummary, stackFrames } from './common/logging/safe-error';
import { loadAppConfigFromEnvironment } from './config/app-config';
import { reexecWithEmbeddedDatabaseFlags } from './database/embedded-node-flags';
import { ConfigValidationError } from './config/env.schema';

async function bootstrap(): Promise<void> {
  // the one parse of the environment (.env included); the modules get this value
  const config = await loadAppConfigFromEnvironment();
  // on embedded PGlite: the same process again with the V8 flags that keep its memory down (returns if
  // it has them, or on a Node without process.execve)
  if (config.databaseUrl === undefined) reexecWithEmbeddedDatabaseFlags();
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
  stopOnSignals(app, config.shutdownDrainSeconds);
  await app.listen({
    port: config.port,
    host: '0.0.0.0',
    // written at debug by the logger: the line below is the one an operator reads
    listenTextResolver: (address) => `${FASTIFY_LISTENING}${address}`,
  });
  const url = `http://localhost:${config.port}`;
  new Logger('Bootstrap').log(`listening on ${url} (Swagger UI at ${url}/docs)`);
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
