/**
 * The baseline: a bare Fastify server with one route running `SELECT 1` through a pg Pool of the app's
 * default size (10), on the same database. Started as a child process by bench/run.ts.
 */
import Fastify from 'fastify';
import { referenceSettings, runReferenceServer } from './reference-server';

runReferenceServer(async () => {
  const { port, pool } = referenceSettings();
  const app = Fastify({ logger: false });
  app.get('/', async () => {
    await pool.query('SELECT 1');
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port });
  return { close: () => app.close().then(() => pool.end()) };
});
