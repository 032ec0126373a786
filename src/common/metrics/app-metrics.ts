import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { RATE_LIMIT_BUCKETS } from '../rate-limit/rate-limit.buckets';

/** contract §12: how checkouts end, and the reconciler's settlements of orders left unsettled. */
export const CHECKOUT_OUTCOMES = [
  'paid',
  'declined',
  'provider_unavailable',
  'insufficient_stock',
  'reconciled',
] as const;
export type CheckoutOutcome = (typeof CHECKOUT_OUTCOMES)[number];

/** The route label of a request no route matched: one series for all of them, never the raw path. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds; from well under a millisecond (a cached read) to the payment timeout's range. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What a scrape-time gauge reports: its value, or its value per label set. */
export type GaugeReading = number | readonly [labels: Record<string, string>, value: number][];

/**
 * The app's Prometheus metrics (contract §12), in a registry of its own: two apps in one process (the
 * e2e tests) never share a series, and prom-client's global registry stays unused. The event counters
 * are incremented where things happen (checkout, the rate-limit guard, the HTTP hook below); the gauges
 * ask their owning module when Prometheus scrapes. Without METRICS_TOKEN nothing is exported: no
 * process metrics are collected and no HTTP hook runs, the event counters only add up in memory.
 */
@Injectable()
export class AppMetrics {
  readonly registry = new Registry();
  readonly enabled: boolean;

  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to its last byte written, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly checkoutOrders = new Counter({
    name: 'checkout_orders_total',
    help: 'Checkout attempts by outcome; `reconciled`: orders the reconciler settled after their request',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly rateLimitRejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused with 429 RATE_LIMITED, by rate-limit bucket',
    labelNames: ['bucket'] as const,
    registers: [this.registry],
  });

  constructor(@Inject(APP_CONFIG) config: ResolvedAppConfig) {
    this.enabled = config.metricsToken !== undefined;
    if (this.enabled) collectDefaultMetrics({ register: this.registry });
    // every outcome and bucket from the start, at 0: rate() and alerts see the first one happen
    for (const outcome of CHECKOUT_OUTCOMES) this.checkoutOrders.inc({ outcome }, 0);
    for (const bucket of Object.keys(RATE_LIMIT_BUCKETS)) this.rateLimitRejections.inc({ bucket }, 0);
  }

  /**
   * Fastify `onResponse`: one count and one observation per answered request, labelled by the route
   * template (`/api/v1/cart/guest/:session_id`, never the path with its ids); the duration is Fastify's
   * own measurement of the reply.
   */
  readonly onResponse = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status: String(reply.statusCode),
    };
    this.requests.inc(labels);
    this.durations.observe(labels, reply.elapsedTime / 1000);
    done();
  };

  checkoutOutcome(outcome: CheckoutOutcome, count = 1): void {
    this.checkoutOrders.inc({ outcome }, count);
  }

  rateLimitRejected(bucket: string): void {
    this.rateLimitRejections.inc({ bucket });
  }

  /**
   * A gauge whose value its owner gives at scrape time. A failed reading (the database is down) keeps the
   * last value and fails neither the scrape nor the other metrics; `onError` hears about it.
   */
  gauge(
    name: string,
    help: string,
    read: () => GaugeReading | Promise<GaugeReading>,
    onError: (error: unknown) => void,
    labelNames: readonly string[] = [],
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        let reading: GaugeReading;
        try {
          reading = await read();
        } catch (error) {
          onError(error);
          return;
        }
        if (typeof reading === 'number') this.set(reading);
        else for (const [labels, value] of reading) this.set(labels, value);
      },
    });
  }

  /** The Prometheus text of every metric (collect() of the gauges runs now). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
