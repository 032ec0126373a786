import { Global, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppMetrics } from './app-metrics';

/**
 * The app's metrics for every module (checkout's outcomes, the rate-limit guard's refusals), and the HTTP
 * hook that counts requests, registered on Fastify before it is ready (Fastify binds a route's hooks then).
 */
@Global()
@Module({ providers: [AppMetrics], exports: [AppMetrics] })
export class MetricsCoreModule implements OnModuleInit {
  constructor(
    private readonly metrics: AppMetrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    // no HTTP server in a CLI context (npm run cleanup), and nothing to count while metrics are off
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify === undefined || !this.metrics.enabled) return;
    fastify.addHook('onResponse', this.metrics.onResponse);
  }
}
