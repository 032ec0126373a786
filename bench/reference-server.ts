/** What the two reference servers (bench/baseline-server.ts, bench/nest-floor-server.ts) share. */
import { Pool } from 'pg';

/** DATABASE_URL, PORT and a pg Pool of POOL_SIZE (10, the app's default) from the harness's environment. */
export function referenceSettings(): { port: number; pool: Pool } {
  const url = process.env.DATABASE_URL;
  const port = Number(process.env.PORT);
  if (url === undefined || !Number.isInteger(port)) throw new Error('DATABASE_URL and PORT are required');
  const pool = new Pool({ connectionString: url, max: Number(process.env.POOL_SIZE ?? '10') });
  pool.on('error', () => undefined);
  return { port, pool };
}

/** Runs `main`; stops cleanly on SIGTERM/SIGINT or when the harness goes away, exits 1 on a start-up error. */
export function runReferenceServer(main: () => Promise<{ close(): Promise<unknown> }>): void {
  main()
    .then((server) => {
      const shutdown = (): void => {
        void server.close().finally(() => process.exit(0));
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
      // the harness went away without stopping us
      process.on('disconnect', shutdown);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
      process.exit(1);
    });
}
