import { join } from 'node:path';
import { Child, spawnChild, waitForHealthy } from './processes';
import { freePort } from './util';

export interface Server {
  name: string;
  baseUrl: string;
  child: Child;
}

export interface AppSettings {
  root: string;
  /** unset → embedded PGlite under dataDir */
  databaseUrl?: string;
  dataDir: string;
  /** working directory: an empty temp dir, so no .env of the checkout is read */
  cwd: string;
  jwtSecret: string;
  adminEmail: string;
  adminPassword: string;
  /** extra node flags (e.g. --cpu-prof) */
  nodeArgs?: string[];
  /** extra environment variables (e.g. PAYMENT_SANDBOX_LATENCY_MS for the hot-product app) */
  env?: Record<string, string>;
}

/** The app's environment for the benchmark; only these variables, nothing inherited but PATH/HOME. */
export function appEnv(settings: AppSettings, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NODE_ENV: 'production',
    PORT: String(port),
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    SEED_DEMO_CATALOG: 'false',
    JWT_SECRET: settings.jwtSecret,
    ADMIN_EMAIL: settings.adminEmail,
    ADMIN_PASSWORD: settings.adminPassword,
    DATA_DIR: settings.dataDir,
    // the scheduled cleanup must not start in the middle of a measurement (it is measured on its own)
    CLEANUP_CRON: '0 0 0 1 1 *',
    // mail goes to .eml files under DATA_DIR; rate-limit counters (off anyway) stay in memory
    SMTP_URL: '',
    REDIS_URL: '',
    // GET /metrics on, as in production: every scenario's numbers include the metrics' cost
    METRICS_TOKEN: 'bench-metrics-token-0123456789',
    // a stopped app exits at once (no SIGTERM drain): nothing routes to it by then
    SHUTDOWN_DRAIN_SECONDS: '0',
  };
  if (settings.databaseUrl !== undefined) env.DATABASE_URL = settings.databaseUrl;
  return { ...env, ...settings.env };
}

/** The built app (`node dist/main.js`), started and healthy. */
export async function startApp(name: string, settings: AppSettings): Promise<Server> {
  const port = await freePort();
  const child = spawnChild(
    name,
    process.execPath,
    [...(settings.nodeArgs ?? []), join(settings.root, 'dist', 'main.js')],
    {
      cwd: settings.cwd,
      env: appEnv(settings, port),
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealthy(`${baseUrl}/health`, child, 60_000);
  return { name, baseUrl, child };
}

/**
 * A reference `SELECT 1` server: the bare Fastify baseline (bench/baseline-server.ts) or the NestJS
 * framework floor (bench/nest-floor-server.ts).
 */
export async function startBaseline(
  root: string,
  databaseUrl: string,
  kind: 'baseline' | 'nest-floor' = 'baseline',
): Promise<Server> {
  const port = await freePort();
  const child = spawnChild(
    kind,
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(root, 'bench', `${kind}-server.ts`)],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        POOL_SIZE: '10',
      },
      ipc: true,
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealthy(`${baseUrl}/`, child, 30_000);
  return { name: kind, baseUrl, child };
}
