import { randomUUID } from 'node:crypto';
import type { HttpResult } from '../../support/test-app';
import type { Cluster } from './cluster';
import { randomClientIp } from './loopback-client';
import { sleep, waitFor } from './processes';

/** Shoppers that keep coming while the instances restart. */
const WORKERS = 3;

export interface RollingRestartReport {
  /** requests whose answer was not the expected one, or that got no answer at all */
  failures: string[];
  /** 5xx answers any instance gave the proxy (also those the shopper never saw) */
  fiveHundreds: string[];
  stops: { name: string; exitCode: number | string; ms: number }[];
  /** the order sent straight to each instance just before its SIGTERM, caught mid-payment */
  inFlight: HttpResult[];
  /** per instance: ms from SIGTERM to that order's answer (positive: answered while shutting down) */
  answeredAfterSigtermMs: number[];
  /** email → order number of every order answered 201 */
  placed: Map<string, string>;
  summary: Record<string, number>;
}

/**
 * One shopper's round through the proxy: create a cart, read it, order it with an Idempotency-Key, read
 * the now empty cart. Each round comes from a new client IP (the per-IP limits stay out of the way).
 */
async function shopperRound(cluster: Cluster, product: string, report: RollingRestartReport): Promise<void> {
  const from = randomClientIp();
  const expect = (what: string, res: HttpResult, status: number): boolean => {
    if (res.status === status) return true;
    report.failures.push(`${what}: ${res.status} ${res.raw.slice(0, 200)}`);
    return false;
  };
  const created = await cluster.api('POST', '/api/v1/cart/guest', {
    from,
    body: { items: [{ product_id: product, quantity: 1 }] },
  });
  if (!expect('create cart', created, 201)) return;
  const sessionId = created.body.data.session_id as string;
  if (!expect('read cart', await cluster.api('GET', `/api/v1/cart/guest/${sessionId}`, { from }), 200))
    return;
  const order = cluster.orderBody(sessionId);
  const headers = { 'Idempotency-Key': `roll-${randomUUID()}` };
  const placed = await cluster.api('POST', '/api/v1/orders/guest', { from, body: order.body, headers });
  if (!expect('order', placed, 201)) return;
  report.placed.set(order.email, placed.body.data.order.order_number as string);
  const after = await cluster.api('GET', `/api/v1/cart/guest/${sessionId}`, { from });
  if (expect('read emptied cart', after, 200) && after.body.data.cart.items.length !== 0) {
    report.failures.push('cart not empty after its order');
  }
}

/**
 * An order sent straight to `instance`; resolves once its row exists (the checkout has taken the stock
 * and is at the payment provider, PAYMENT_SANDBOX_LATENCY_MS), with the answer still to come.
 */
async function orderInFlight(cluster: Cluster, instance: number, product: string) {
  const from = randomClientIp();
  const order = cluster.orderBody(await cluster.guestCart(from, [product]));
  const answer = cluster.direct(instance, 'POST', '/api/v1/orders/guest', {
    from,
    body: order.body,
    headers: { 'Idempotency-Key': `inflight-${randomUUID()}` },
  });
  const started = await waitFor(
    async () => (await cluster.rows('select id from orders where email = $1', [order.email])).length > 0,
    10_000,
    10,
  );
  if (!started) throw new Error('the in-flight order never reached the database');
  return { email: order.email, answer };
}

/**
 * One step of a deploy: the instance leaves the proxy's rotation (its proxied requests finish), gets
 * SIGTERM with an order of its own mid-payment, exits, and is back in the rotation at once, while it
 * starts again on its port (the proxy skips it while it refuses connections).
 */
async function restartOne(cluster: Cluster, index: number, product: string, report: RollingRestartReport) {
  const instance = cluster.instances[index];
  await cluster.proxy.drain(index);
  const probe = await orderInFlight(cluster, index, product);
  let answeredAt = 0;
  const answered = probe.answer.finally(() => (answeredAt = Date.now()));
  const sigtermAt = Date.now();
  const stop = await instance.stop();
  report.stops.push({ name: instance.name, exitCode: stop.exitCode, ms: stop.ms });
  const answer = await answered;
  report.inFlight.push(answer);
  report.answeredAfterSigtermMs.push(answeredAt - sigtermAt);
  if (answer.status === 201) report.placed.set(probe.email, answer.body.data.order.order_number as string);
  cluster.proxy.restore(index);
  await instance.start();
}

/**
 * Steady load through the proxy while each instance in turn is drained, sent SIGTERM (with an order of its
 * own in flight), waited for, and started again on the same port; then the next (restartOne).
 */
export async function rollingRestart(cluster: Cluster, product: string): Promise<RollingRestartReport> {
  const report: RollingRestartReport = {
    failures: [],
    fiveHundreds: [],
    stops: [],
    inFlight: [],
    answeredAfterSigtermMs: [],
    placed: new Map(),
    summary: {},
  };
  const seen = cluster.proxy.log.length;
  let running = true;
  let rounds = 0;
  const worker = async () => {
    while (running) {
      await shopperRound(cluster, product, report).catch((error: Error) =>
        report.failures.push(`no answer: ${error.message}`),
      );
      rounds++;
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  try {
    await sleep(1_000);
    for (let index = 0; index < cluster.instances.length; index++) {
      await restartOne(cluster, index, product, report);
      await sleep(500);
    }
    await sleep(1_000);
  } finally {
    running = false;
    await Promise.all(workers);
  }

  const log = cluster.proxy.log.slice(seen);
  report.fiveHundreds = log
    .filter((entry) => entry.status >= 500)
    .map((entry) => `${entry.method} ${entry.path} → ${entry.status} from backend ${entry.backend}`);
  report.summary = {
    rounds,
    requests: log.length,
    orders: report.placed.size,
    refusedAndRetried: log.filter((entry) => entry.skipped.length > 0).length,
    resetAndRetried: log.filter((entry) => entry.skipped.some((skip) => skip.code !== 'ECONNREFUSED')).length,
  };
  return report;
}
