import { Logger } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { createLogger } from './common/logging/logger';
import { errorSummary, stackFrames } from './common/logging/safe-error';
import { APP_CONFIG, loadAppConfig, ResolvedAppConfig } from './config/app-config';
import { ConfigValidationError } from './config/env.schema';

async function bootstrap(): Promise<void> {
  // AppModule's import starts loading .env (ConfigModule.forRoot); wait for it, then validate.
  await ConfigModule.envVariablesLoaded;
  const config = loadAppConfig(process.env);
  const logger = createLogger(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    createFastifyAdapter(config, logger),
    {
      bufferLogs: true,
      // Fastify parses JSON itself; Nest would add a form-body parser, and only JSON is accepted (415).
      bodyParser: false,
    },
  );
  // configureApp also hands Nest's Logger to `logger` (PinoNestLogger), which flushes the buffered lines
  configureApp(app, app.get<ResolvedAppConfig>(APP_CONFIG));
  app.enableShutdownHooks();
  await app.listen({ port: config.port, host: '0.0.0.0' });
  new Logger('Bootstrap').log(`listening on http://localhost:${config.port} (Swagger UI at /docs)`);
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
