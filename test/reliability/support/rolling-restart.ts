import { randomUUID } from 'node:crypto';
import type { HttpResult } from '../../support/test-app';
import { Cluster, DRAIN_SECONDS } from './cluster';
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
  /** per instance: an order sent straight to it near the drain's end, mid-payment when it starts closing */
  atClose: HttpResult[];
  /** per instance: ms from the end of its drain to that order's answer (positive: answered while closing) */
  atCloseAnsweredAfterDrainMs: number[];
  /** per instance, while it drains: its own GET /health and GET /api/v1/products, asked for keep-alive */
  duringDrain: { health: number; healthStatus: unknown; products: number; connection: unknown[] }[];
  /** per instance: requests of the load the proxy had it answer after its SIGTERM (it drained them) */
  servedAfterSigterm: number[];
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

/** A guest cart made through the proxy and the body that orders it, to send straight to one instance. */
async function preparedOrder(cluster: Cluster, product: string) {
  const from = randomClientIp();
  return { from, ...cluster.orderBody(await cluster.guestCart(from, [product])) };
}

/** Sends `order` straight to `instance`; the answer and when it came (ms since the epoch). */
function sendOrder(cluster: Cluster, instance: number, order: Awaited<ReturnType<typeof preparedOrder>>) {
  const sent = cluster.direct(instance, 'POST', '/api/v1/orders/guest', {
    from: order.from,
    body: order.body,
    headers: { 'Idempotency-Key': `inflight-${randomUUID()}` },
  });
  return sent.then((answer) => ({ answer, at: Date.now() }));
}

/** Resolves once the order of `email` has its row: its checkout has taken the stock and is at the payment provider. */
async function reachedPayment(cluster: Cluster, email: string): Promise<void> {
  const started = await waitFor(
    async () => (await cluster.rows('select id from orders where email = $1', [email])).length > 0,
    10_000,
    10,
  );
  if (!started) throw new Error('the in-flight order never reached the database');
}

/** The instance's own answers while it drains; asked for keep-alive, so `Connection: close` is the app's. */
async function probeDraining(cluster: Cluster, index: number) {
  const options = { from: randomClientIp(), headers: { connection: 'keep-alive' } };
  const health = await cluster.direct(index, 'GET', '/health', options);
  const products = await cluster.direct(index, 'GET', '/api/v1/products', options);
  return {
    health: health.status,
    healthStatus: health.body?.data?.status,
    products: products.status,
    connection: [health.headers.connection, products.headers.connection],
  };
}

/**
 * One step of a deploy as Kubernetes or ECS does it: SIGTERM while the proxy still routes to the instance
 * (nobody drains it first). It has an order of its own mid-payment; during its drain it answers its
 * /health 503 `stopping` (the proxy's health check takes it out) and every other route as usual; a second
 * order sent near the drain's end is mid-payment when it starts closing. It exits, starts again on its port,
 * and the proxy's health check puts it back.
 */
async function restartOne(cluster: Cluster, index: number, product: string, report: RollingRestartReport) {
  const instance = cluster.instances[index];
  const first = await preparedOrder(cluster, product);
  const last = await preparedOrder(cluster, product);
  const inFlight = sendOrder(cluster, index, first);
  await reachedPayment(cluster, first.email);
  const sigtermAt = Date.now();
  const stopped = instance.stop();
  await sleep(300); // the signal handled
  report.duringDrain.push(await probeDraining(cluster, index));
  const drainEnd = sigtermAt + DRAIN_SECONDS * 1000;
  // the payment takes PAYMENT_SANDBOX_LATENCY_MS (400): sent 300 ms before the drain ends, it is paying then
  await sleep(drainEnd - 300 - Date.now());
  const atClose = sendOrder(cluster, index, last);
  const stop = await stopped;
  const exitedAt = Date.now();
  report.stops.push({ name: instance.name, exitCode: stop.exitCode, ms: stop.ms });
  for (const [order, answered, times, answers, from] of [
    [first, await inFlight, report.answeredAfterSigtermMs, report.inFlight, sigtermAt],
    [last, await atClose, report.atCloseAnsweredAfterDrainMs, report.atClose, drainEnd],
  ] as const) {
    answers.push(answered.answer);
    times.push(answered.at - from);
    if (answered.answer.status === 201)
      report.placed.set(order.email, answered.answer.body.data.order.order_number as string);
  }
  report.servedAfterSigterm.push(
    cluster.proxy.log.filter(
      (entry) => entry.backend === index && entry.at > sigtermAt && entry.at <= exitedAt,
    ).length,
  );
  await instance.start();
}

/**
 * Steady load through the proxy while each instance in turn is sent SIGTERM (with orders of its own in
 * flight), drains, exits and is started again on the same port; then the next (restartOne).
 */
export async function rollingRestart(cluster: Cluster, product: string): Promise<RollingRestartReport> {
  const report: RollingRestartReport = {
    failures: [],
    fiveHundreds: [],
    stops: [],
    inFlight: [],
    answeredAfterSigtermMs: [],
    atClose: [],
    atCloseAnsweredAfterDrainMs: [],
    duringDrain: [],
    servedAfterSigterm: [],
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
