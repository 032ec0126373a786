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
import type { Pool } from 'pg';
import { referenceSettings, runReferenceServer } from './reference-server';

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

runReferenceServer(async () => {
  const { port, pool } = referenceSettings();

  @Module({ controllers: [FloorController], providers: [{ provide: POOL, useValue: pool }] })
  class FloorModule {}

  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(port, '127.0.0.1');
  return { close: () => app.close().then(() => pool.end()) };
});
