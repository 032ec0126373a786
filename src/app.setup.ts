import helmet from '@fastify/helmet';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ResolvedAppConfig } from './config/app-config';

/** Largest accepted request body; a cart of MAX_CART_LINES lines is a few KiB (contract §1: 413 above). */
export const BODY_LIMIT_BYTES = 64 * 1024;

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createFastifyAdapter(config: ResolvedAppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    // Keep a caller's X-Request-Id when it is sane, so logs correlate across services.
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
  });
}

/** Everything main.ts and the e2e tests apply to the app in the same way. */
export async function configureApp(app: NestFastifyApplication, config: ResolvedAppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: any other body type is a 415 (contract §1).
  fastify.removeContentTypeParser(['text/plain']);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
        scriptSrc: ["'self'", "'unsafe-inline'"],
      },
    },
  });
  app.enableCors({
    origin: config.corsOrigins,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
  setupSwagger(app);
}

export function setupSwagger(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Guest Checkout API')
      .setDescription(
        [
          'Guest carts, cart merge, guest orders, lookup and guest-to-user conversion.',
          'Every response is an envelope: `{"success": true, "data": ...}` or',
          '`{"success": false, "error": {"code", "message", "details?"}}`.',
          'Money is an integer in minor units (cents). Paths work with and without a trailing slash.',
        ].join(' '),
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
