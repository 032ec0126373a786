import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { AppError } from './common/errors/app-error';
import { clientErrorHandler, CORS_EXPOSED_HEADERS, frameworkErrorHandler } from './common/http/client-errors';
import { refuseContentEncoding } from './common/http/content-encoding';
import { corsWhenOrigin, VARY_ORIGIN } from './common/http/cors';
import { envelopeHook } from './common/http/envelope';
import { capConnections, SERVER_TIMEOUT_OPTIONS } from './common/http/server-limits';
import { API_TAGS, finishDocument } from './common/swagger/openapi-document';
import {
  apiSecurityHeaders,
  DOCUMENTATION_HEADER_OPTIONS,
  staticSecurityHeaders,
} from './common/http/security-headers';
import { RequestLogController } from './common/logging/logger';
import { PinoNestLogger } from './common/logging/pino-nest-logger';
import { ResolvedAppConfig } from './config/app-config';

/** Largest accepted request body; a cart of MAX_CART_LINES lines is a few KiB (contract §1: 413 above). */
export const BODY_LIMIT_BYTES = 64 * 1024;

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Swagger UI's path (its page and assets under it, the OpenAPI document at `/docs-json`). */
const DOCS_PATH = 'docs';

/** Deeper JSON than any request of this API needs; deeper bodies would exhaust the validator's stack. */
export const MAX_JSON_DEPTH = 32;

/** `logger` (createLogger) is Fastify's: one child per request with its `reqId`, and Nest's via PinoNestLogger. */
export function createFastifyAdapter(config: ResolvedAppConfig, logger: Logger): FastifyAdapter {
  const securityHeaders = apiSecurityHeaders();
  const adapter = new FastifyAdapter({
    ...SERVER_TIMEOUT_OPTIONS, // slow clients are cut off (server-limits.ts)
    // While app.close() runs (after the SIGTERM drain, shutdown-drain.ts) a request that arrives on a
    // keep-alive connection still open is served, not refused with Fastify's bare 503 (the default); it
    // carries `Connection: close`. Idle keep-alive connections are closed at once ('idle', Fastify 5's
    // default on Node 18.2+, written out because the drain relies on it).
    return503OnClosing: false,
    // no Nest middleware in this app (request logging, CORS and security headers are Fastify hooks):
    // without this, @fastify/middie's request hook ran on every request for nothing
    skipMiddie: true,
    forceCloseConnections: 'idle',
    loggerInstance: logger,
    // Request logging straight from Fastify: nestjs-pino's pino-http middleware (run through middie, plus
    // an AsyncLocalStorage scope per request) cost ~60 µs of a ~460 µs GET guest cart in the profile.
    logController: new RequestLogController(),
    // errors raised before routing keep the envelope (contract §1): the router's (a malformed %-escape,
    // an over-long path parameter) and Node's HTTP parser's (headers over 16 KiB → 431, malformed HTTP → 400)
    frameworkErrors: frameworkErrorHandler({ ...securityHeaders, ...VARY_ORIGIN }, config.corsOrigins),
    clientErrorHandler: clientErrorHandler(logger, securityHeaders),
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
  capConnections(adapter.getInstance().server);
  return adapter;
}

/** Everything main.ts and the e2e tests apply to the app in the same way. */
export function configureApp(app: NestFastifyApplication, config: ResolvedAppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Nest's Logger (services, the exception filter, Nest itself) writes to the same pino logger as
  // Fastify, here rather than in main.ts only, so the tests' log captures see the lines production writes
  app.useLogger(new PinoNestLogger(fastify.log as Logger));
  // JSON only: any other body type is a 415 (contract §1). Fastify's own JSON parser (prototype-poisoning
  // safe) does the parsing, after a cheap scan refuses absurdly deep nesting.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepth(body as string) > MAX_JSON_DEPTH) {
      done(
        AppError.validation([
          { field: 'body', message: `JSON nesting deeper than ${MAX_JSON_DEPTH} levels` },
        ]),
        undefined,
      );
      return;
    }
    void parseJson(request, body as string, done);
  });
  // the API's JSON answers get the API set, Swagger UI's pages (every path from DOCS_PATH on) helmet's
  // HTML set (security-headers.ts)
  const docsPrefix = `/${DOCS_PATH}`;
  const apiHeaders = { ...apiSecurityHeaders(), ...VARY_ORIGIN };
  const documentationHeaders = { ...staticSecurityHeaders(DOCUMENTATION_HEADER_OPTIONS), ...VARY_ORIGIN };
  fastify.addHook('onRequest', (request, reply, done) => {
    const headers = request.url.startsWith(docsPrefix) ? documentationHeaders : apiHeaders;
    void reply.headers(headers).header('x-request-id', request.id);
    done();
  });
  fastify.addHook('preParsing', refuseContentEncoding);
  fastify.addHook('preSerialization', envelopeHook);

  void fastify.register(corsWhenOrigin, {
    origin: config.corsOrigins === true ? true : [...config.corsOrigins],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
  });
  setupSwagger(app);
}

/** The OpenAPI document of every route (served at /docs-json; scripts/openapi.ts writes it to a file). */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Guest Checkout API')
    .setDescription(
      [
        'Guest carts, cart merge, guest orders, lookup and guest-to-user conversion.',
        'Every response is an envelope: `{"success": true, "data": ...}` or',
        '`{"success": false, "error": {"code", "message", "details?"}}`.',
        'Money is an integer in minor units (cents). Paths work with and without a trailing slash.',
        'Empty optional response fields are `null`, never absent.',
        'Every answer of the API carries `Cache-Control: no-store` (carts and orders hold personal data; nothing is',
        "cached by browsers or proxies) and the security headers of OWASP's REST cheat sheet.",
      ].join(' '),
    )
    .setVersion('1.0')
    .setLicense(
      'UNLICENSED (proprietary)',
      'https://docs.npmjs.com/cli/v11/configuring-npm/package-json#license',
    )
    // relative: the API is served by the host that serves this document (any environment, any proxy)
    .addServer('/', 'The host serving this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'METRICS_TOKEN' }, 'metrics');
  for (const tag of API_TAGS) builder.addTag(tag.name, tag.description);
  return finishDocument(SwaggerModule.createDocument(app, builder.build()));
}

export function setupSwagger(app: NestFastifyApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, buildOpenApiDocument(app), { jsonDocumentUrl: `${DOCS_PATH}-json` });
}

/** Deepest nesting of objects/arrays in a JSON text, ignoring brackets inside strings. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}
