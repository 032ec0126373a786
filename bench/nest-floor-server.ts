/**
 * The framework floor: NestJS on the Fastify adapter with one route running `SELECT 1` through a pg
 * Pool(10), and nothing else (no global guards, pipes, interceptors, filters, logging, CORS or security
 * headers). Measured next to the bare-Fastify baseline, it shows how much of the baseline a NestJS
 * route can reach before the app does any work of its own. Started as a child process by bench/run.ts.
 */
import 'reflect-metadata';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';

const POOL = Symbol('POOL');

@Controller()
class FloorController {
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  @Get()
  async select1(): Promise<{ ok: true }> {
    await this.pool.query('SELECT 1');
    return { ok: true };
  }
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const port = Number(process.env.PORT);
  if (url === undefined || !Number.isInteger(port)) throw new Error('DATABASE_URL and PORT are required');
  const pool = new Pool({ connectionString: url, max: Number(process.env.POOL_SIZE ?? '10') });
  pool.on('error', () => undefined);

  @Module({ controllers: [FloorController], providers: [{ provide: POOL, useValue: pool }] })
  class FloorModule {}

  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(port, '127.0.0.1');
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
