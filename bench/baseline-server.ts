/**
 * The baseline: a bare Fastify server with one route running `SELECT 1` through a pg Pool of the app's
 * default size (10), on the same database. Started as a child process by bench/run.ts.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const port = Number(process.env.PORT);
  if (url === undefined || !Number.isInteger(port)) throw new Error('DATABASE_URL and PORT are required');
  const pool = new Pool({ connectionString: url, max: Number(process.env.POOL_SIZE ?? '10') });
  pool.on('error', () => undefined);
  const app = Fastify({ logger: false });
  app.get('/', async () => {
    await pool.query('SELECT 1');
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port });
  const shutdown = (): void => {
    void app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // the harness went away without stopping us
  process.on('disconnect', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
