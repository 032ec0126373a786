import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { guestOrderBody } from '../../support/fixtures';
import { TestSmtpServer } from '../../support/smtp-server';
import type { HttpResult } from '../../support/test-app';
import { openTestDatabase, TestDatabase } from '../../support/test-database';
import { AppInstance, ensureBuilt, stablePort } from './app-instances';
import { ClientRequest, httpFrom, randomClientIp } from './loopback-client';
import { Recorder } from './recorder';
import { RoundRobinProxy } from './round-robin-proxy';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const ADMIN = { email: 'admin@multi.test', password: 'multi-admin-password-1' };

/**
 * The instances' SIGTERM drain: longer than the proxy's health-check interval (250 ms, threshold 1) plus a
 * check's own time on a busy machine, so the proxy has left an instance out before it closes its listener.
 */
export const DRAIN_SECONDS = 2;

/** How every instance of the cluster is configured: one database, one Redis, one SMTP, one JWT key. */
function clusterEnv(databaseUrl: string, redisUrl: string, smtpUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    DB_POOL_SIZE: '5',
    REDIS_URL: redisUrl,
    RATE_LIMITS: 'on',
    // the proxy connects from 127.0.0.1: the client IP is the X-Forwarded-For entry it appends
    TRUST_PROXY: '127.0.0.1',
    JWT_SECRET: `multi-instance-secret-${randomBytes(16).toString('hex')}`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SMTP_URL: smtpUrl,
    MAIL_FROM: 'shop@multi.test',
    SEED_DEMO_CATALOG: 'false',
    // every instance tries the cleanup at the same seconds, as an hourly job does at the top of the hour
    CLEANUP_CRON: '*/5 * * * * *',
    // a checkout spends this long at the payment provider: long enough to SIGTERM an instance mid-order
    PAYMENT_SANDBOX_LATENCY_MS: '400',
    SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS),
    LOG_LEVEL: 'info',
  };
}

/**
 * Three `node dist/main.js` processes on one fresh PostgreSQL database (a copy of the migrated template)
 * and one Redis, a test SMTP server, and the round-robin proxy in front. Every request the test sends is
 * counted by the reliability recorder and its error bodies scanned for leaked internals.
 */
export class Cluster {
  readonly smtp = new TestSmtpServer();
  instances: AppInstance[] = [];
  proxy!: RoundRobinProxy;
  pg!: Client;
  private testDatabase!: TestDatabase;
  private adminToken: string | undefined;

  constructor(private readonly rec: Recorder) {}

  async start(redisUrl: string, size = 3): Promise<void> {
    ensureBuilt();
    this.testDatabase = await openTestDatabase(1);
    await this.testDatabase.database.close(); // the test reads through its own client below
    this.pg = new Client({ connectionString: this.testDatabase.url });
    await this.pg.connect();
    await this.smtp.start(0);
    const env = clusterEnv(this.testDatabase.url!, redisUrl, this.smtp.url);
    const ports: number[] = [];
    for (let i = 0; i < size; i++) ports.push(await stablePort());
    this.instances = ports.map((port, i) => new AppInstance(`app${i + 1}`, port, env));
    await Promise.all(this.instances.map((instance) => instance.start()));
    this.proxy = new RoundRobinProxy(ports);
    await this.proxy.start();
  }

  async stop(): Promise<void> {
    await this.proxy?.stop();
    await Promise.all(this.instances.map((instance) => instance.dispose()));
    await this.smtp.stop();
    await this.pg?.end();
    await this.testDatabase?.dispose();
  }

  /** A request through the proxy (the way shoppers come in). */
  api(method: Method, path: string, options: ClientRequest): Promise<HttpResult> {
    return this.send(this.proxy.url, method, path, options);
  }

  /** A request straight to one instance, past the proxy. */
  direct(instance: number, method: Method, path: string, options: ClientRequest): Promise<HttpResult> {
    return this.send(this.instances[instance].url, method, path, options);
  }

  private async send(base: string, method: Method, path: string, options: ClientRequest) {
    this.rec.count(1);
    const res = await httpFrom(base, method, path, options);
    if (res.status >= 400) this.rec.scanError(method, path, { body: options.body }, res);
    return res;
  }

  async rows<T>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pg.query(text, values)).rows as T[];
  }

  async product(stock = 100_000): Promise<string> {
    if (this.adminToken === undefined) {
      const login = await this.api('POST', '/api/v1/auth/login', { from: randomClientIp(), body: ADMIN });
      if (login.status !== 200) throw new Error(`admin login: ${login.raw}`);
      this.adminToken = login.body.data.token as string;
    }
    const sku = `MULTI-${randomUUID().slice(0, 8)}`;
    const res = await this.api('POST', '/api/v1/admin/products', {
      from: randomClientIp(),
      token: this.adminToken,
      body: { sku, name: 'Multi-instance product', unit_price: 1250, stock },
    });
    if (res.status !== 201) throw new Error(`create product: ${res.raw}`);
    return res.body.data.product.id as string;
  }

  /** A new guest cart holding `quantity` of each product, made through the proxy from `from`. */
  async guestCart(from: string, productIds: string[], quantity = 1): Promise<string> {
    const items = productIds.map((product_id) => ({ product_id, quantity }));
    const res = await this.api('POST', '/api/v1/cart/guest', { from, body: { items } });
    if (res.status !== 201) throw new Error(`guest cart: ${res.status} ${res.raw}`);
    return res.body.data.session_id as string;
  }

  /** A guest order body for `sessionId` with a unique email (the way orders are found in the database). */
  orderBody(sessionId: string): { body: ReturnType<typeof guestOrderBody>; email: string } {
    const email = `multi-${randomUUID().slice(0, 12)}@example.com`;
    return { body: guestOrderBody(sessionId, email), email };
  }

  /** Orders in the database per email, for the given emails. */
  async ordersByEmail(emails: string[]): Promise<Map<string, string[]>> {
    const rows = await this.rows<{ email: string; order_number: string }>(
      'select email, order_number from orders where email = any($1) and status = $2',
      [emails, 'paid'],
    );
    const byEmail = new Map<string, string[]>(emails.map((email) => [email, []]));
    for (const row of rows) byEmail.get(row.email)?.push(row.order_number);
    return byEmail;
  }
}
