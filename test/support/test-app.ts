import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { AppModule } from '../../src/app.module';
import { createLogger } from '../../src/common/logging/logger';
import { configureApp, createFastifyAdapter } from '../../src/app.setup';
import { Clock } from '../../src/common/util/clock';
import { loadAppConfig, ResolvedAppConfig } from '../../src/config/app-config';
import { RawEnv } from '../../src/config/env.schema';
import { Database, openDatabase } from '../../src/database/database';
import { DATABASE } from '../../src/database/database.tokens';
import { OpenApiValidator } from './openapi-validator';
import { openTestDatabase, TestDatabase, testPreparedStatements } from './test-database';
import { TestClock } from './test-clock';

export const ADMIN = { email: 'admin@shop.test', password: 'admin-password-1' };

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are asserted field by field
  body: any;
  raw: string;
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  /** raw payload sent as is (with the given content-type header) */
  rawBody?: string;
  remoteAddress?: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: ResolvedAppConfig;
  database: Database;
  testDatabase: TestDatabase;
  clock: TestClock;
  request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options?: RequestOptions,
  ): Promise<HttpResult>;
  /** Listens on a free port of 127.0.0.1 for real HTTP clients (fetch, a browser); returns the base URL. */
  listen(): Promise<string>;
  /**
   * fetch() over real HTTP whose every response is checked against the OpenAPI document, as request()'s
   * are: give it to a client (createApiClient({ baseUrl, fetch: t.fetch })).
   */
  fetch: typeof fetch;
  close(): Promise<void>;
}

/**
 * The real AppModule over a fresh copy of the migrated test database, with a hand-moved clock.
 * `env` overrides the test defaults (same variables as contract §2).
 */
export interface TestAppOptions {
  /** receives the app's log lines (set LOG_LEVEL in env too; tests default to silent) */
  logStream?: Writable;
  /**
   * A second instance on the same database as `app` (PostgreSQL only): it opens its own pool on that
   * database and leaves dropping it to `app`, so close this one first.
   */
  sameDatabaseAs?: TestApp;
}

/**
 * The OpenAPI document of the real app, read once per test file from the first app's /docs-json; every
 * response of request() is checked against it (openapi-validator.ts).
 */
let validator: OpenApiValidator | undefined;

async function openApiValidator(app: NestFastifyApplication): Promise<OpenApiValidator> {
  if (validator === undefined) {
    const response = await app.inject({ method: 'GET', url: '/docs-json' });
    validator = new OpenApiValidator(JSON.parse(response.body));
  }
  return validator;
}

function sharedDatabase(other: TestApp): TestDatabase {
  const url = other.testDatabase.url;
  if (url === undefined) throw new Error('sameDatabaseAs needs TEST_DATABASE_URL (PGlite is in-process)');
  return {
    database: openDatabase({ url, poolSize: 10, preparedStatements: testPreparedStatements() }),
    url,
    dispose: async () => {},
  };
}

export async function createTestApp(env: RawEnv = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gc-test-'));
  const config = loadAppConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SEED_DEMO_CATALOG: 'false',
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const testDatabase =
    options.sameDatabaseAs === undefined ? await openTestDatabase() : sharedDatabase(options.sameDatabaseAs);
  const clock = new TestClock();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(DATABASE)
    .useValue(testDatabase.database)
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(config, createLogger(config, options.logStream)),
    {
      logger: false,
      bodyParser: false,
    },
  );
  configureApp(app, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const contract = await openApiValidator(app);

  return {
    app,
    config,
    database: testDatabase.database,
    testDatabase,
    clock,
    async request(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      let payload: string | undefined;
      if (options.rawBody !== undefined) payload = options.rawBody;
      else if (options.body !== undefined) {
        payload = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await app.inject({
        method,
        url,
        headers,
        payload,
        remoteAddress: options.remoteAddress,
      });
      let body: unknown;
      try {
        body = response.body === '' ? undefined : JSON.parse(response.body);
      } catch {
        body = response.body;
      }
      const result = { status: response.statusCode, headers: response.headers, body, raw: response.body };
      contract.check({ method, url, ...result });
      return result;
    },
    async listen() {
      await app.listen({ port: 0, host: '127.0.0.1' });
      return app.getUrl();
    },
    async fetch(input, init) {
      const request = new Request(input, init);
      const response = await fetch(request);
      const raw = await response.clone().text();
      let body: unknown;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        body = raw;
      }
      const url = new URL(request.url);
      contract.check({
        method: request.method,
        url: url.pathname + url.search,
        status: response.status,
        headers: Object.fromEntries(response.headers.entries()),
        body,
        raw,
      });
      return response;
    },
    async close() {
      await app.close();
      await testDatabase.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
