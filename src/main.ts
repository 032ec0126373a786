import { Logger } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { createLogger } from './common/logging/logger';
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
  // Config errors name the bad variable; print them plainly and exit non-zero.
  process.stderr.write(
    `${error instanceof ConfigValidationError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
