import { randomInt } from 'node:crypto';
import { notInArray, sql } from 'drizzle-orm';
import { Client, Pool, PoolClient } from 'pg';
import { mailOutbox, orders } from '../../../src/database/schema';
import { MailDispatcher } from '../../../src/modules/mail/mail-dispatcher';
import { CreatedProduct, guestOrderBody, registerUser } from '../../support/factories';
import { HttpResult, TestApp } from '../../support/test-app';
import { waitFor } from './processes';
import { rowsOf, Shop, tally } from './shop';

/** What the load needs: products with plenty of stock, an order to look up, a user with a cart. */
export interface LoadFixture {
  products: CreatedProduct[];
  lookup: { email: string; order_number: string };
  userToken: string;
}

export interface Outcome {
  action: string;
  res: HttpResult;
  ms: number;
}

export async function loadFixture(t: TestApp, s: Shop): Promise<LoadFixture> {
  const products = [await s.product({ stock: 100_000 }), await s.product({ stock: 100_000 })];
  const placed = await s.guestOrder([[products[0], 1]]);
  const user = await registerUser(t);
  return {
    products,
    lookup: { email: placed.order.email, order_number: placed.order.order_number },
    userToken: user.token,
  };
}

/**
 * `workers` loops of requests whose normal answer is 2xx (guest cart + guest order, catalog, lookup,
 * user cart write, health) until `running()` turns false.
 */
export async function runLoad(
  t: TestApp,
  fixture: LoadFixture,
  running: () => boolean,
  workers = 6,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const timed = async (action: string, send: () => Promise<HttpResult>): Promise<HttpResult> => {
    const started = Date.now();
    const res = await send();
    outcomes.push({ action, res, ms: Date.now() - started });
    return res;
  };
  async function worker(w: number): Promise<void> {
    for (let i = w; running(); i++) {
      switch (i % 5) {
        case 0: {
          const cart = await timed('guest cart', () =>
            t.request('POST', '/api/v1/cart/guest', {
              body: {
                items: fixture.products.map((p, j) => ({ product_id: p.id, quantity: 1 + ((i + j) % 3) })),
              },
            }),
          );
          if (cart.status === 201) {
            await timed('guest order', () =>
              t.request('POST', '/api/v1/orders/guest', { body: guestOrderBody(cart.body.data.session_id) }),
            );
          }
          break;
        }
        case 1:
          await timed('products', () => t.request('GET', '/api/v1/products'));
          break;
        case 2:
          await timed('lookup', () =>
            t.request('POST', '/api/v1/orders/guest-lookup', { body: fixture.lookup }),
          );
          break;
        case 3:
          await timed('user cart', () =>
            t.request('PUT', `/api/v1/cart/items/${fixture.products[1].id}`, {
              token: fixture.userToken,
              body: { quantity: 1 + (i % 5) },
            }),
          );
          break;
        default:
          await timed('health', () => t.request('GET', '/health'));
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return outcomes;
}

/**
 * Answers other than 2xx and a well-formed 503 with Retry-After: SERVICE_UNAVAILABLE, or for an order
 * PAYMENT_PROVIDER_UNAVAILABLE (the sandbox provider keeps its ledger in the same database, so a lost
 * connection is also a charge without an answer: the order is left for a retry or the reconciler).
 */
export function unexpectedAnswers(outcomes: Outcome[]): string[] {
  return outcomes
    .filter(({ action, res }) => {
      if (res.status < 300) return false;
      if (res.status !== 503) return true;
      const code = res.body?.error?.code;
      const expected =
        (code === 'SERVICE_UNAVAILABLE' && res.headers['retry-after'] === '1') ||
        (code === 'PAYMENT_PROVIDER_UNAVAILABLE' &&
          action === 'guest order' &&
          Number(res.headers['retry-after']) >= 1);
      return (
        !expected ||
        JSON.stringify(Object.keys(res.body ?? {})) !== '["success","error"]' ||
        res.body.success !== false ||
        typeof res.body.error?.message !== 'string'
      );
    })
    .map(
      ({ action, res }) =>
        `${action}: ${res.status} retry-after=${String(res.headers['retry-after'])} ${res.raw.slice(0, 200)}`,
    );
}

function poolOf(t: TestApp): Pool & { _clients: PoolClient[]; _idle: { client: PoolClient }[] } {
  // drizzle exposes the node-postgres pool it was built on
  return (
    t.database.db as unknown as {
      $client: Pool & { _clients: PoolClient[]; _idle: { client: PoolClient }[] };
    }
  ).$client;
}

/**
 * node-postgres emits 'error' on a checked-out client whose connection dies between two queries (inside
 * a transaction, say). With no listener that is an uncaught exception: a crashed process in production.
 * This puts a recording listener on every checked-out client that has no listener of the app's own, so
 * the scenario can run to its end and report each error that would have crashed the process.
 */
export function watchUnhandledClientErrors(t: TestApp): { errors: string[]; stop(): void } {
  const pool = poolOf(t);
  const checkedOut = new Set<PoolClient>();
  const watched = new WeakSet<PoolClient>();
  const errors: string[] = [];
  const onAcquire = (client: PoolClient) => {
    checkedOut.add(client);
    if (watched.has(client)) return;
    // pg-pool's own listener only covers idle clients and is removed right after this event
    const appListeners = client.listeners('error').filter((l) => l.name !== 'idleListener');
    if (appListeners.length > 0) return;
    watched.add(client);
    client.on('error', (error: Error) => {
      if (checkedOut.has(client)) errors.push(error.message);
    });
  };
  const onRelease = (_error: unknown, client: PoolClient) => checkedOut.delete(client);
  pool.on('acquire', onAcquire);
  pool.on('release', onRelease);
  return {
    errors,
    stop() {
      pool.off('acquire', onAcquire);
      pool.off('release', onRelease);
    },
  };
}

/**
 * Connections the app's pool handed out and never took back. A leak is for good, while a statement of
 * the background mail dispatcher (which works through the outbox after the load) or a connection being
 * opened is out for milliseconds: so this waits up to `withinMs` for the count to reach 0 and returns
 * what is still out then.
 */
export async function checkedOutConnections(t: TestApp, withinMs = 3_000): Promise<number> {
  const pool = poolOf(t);
  const out = () => pool.totalCount - pool.idleCount;
  const deadline = Date.now() + withinMs;
  while (out() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return out();
}

/**
 * Hands back connections that were never released (a failed BEGIN in drizzle-orm 0.45's pooled
 * transaction() leaks its client), so that the app can shut down: pool.end() waits for every client.
 * Only dead clients are taken: a live checked-out client belongs to a query still running.
 */
export function releaseLeakedConnections(t: TestApp): number {
  const pool = poolOf(t);
  const idle = new Set(pool._idle.map((item) => item.client));
  const leaked = pool._clients.filter(
    (client) => !idle.has(client) && (client as unknown as { _queryable: boolean })._queryable === false,
  );
  for (const client of leaked) client.release(new Error('released by the reliability test after a leak'));
  return leaked.length;
}

/** t.close(), made safe after leaks: frees leaked clients first and drops the database if closing hangs. */
export async function closeAfterFaults(t: TestApp | undefined): Promise<void> {
  if (t === undefined) return;
  await t.app.get(MailDispatcher).onApplicationShutdown(); // no background query while we look
  releaseLeakedConnections(t);
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    t.close().then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 15_000))),
  ]);
  clearTimeout(timer);
  if (!closed) await t.testDatabase.dispose();
}

/** Waits until /health and a whole guest checkout succeed again; returns how long that took, or -1. */
export async function recoveryMs(t: TestApp, s: Shop, fixture: LoadFixture): Promise<number> {
  const started = Date.now();
  const healthy = await waitFor(async () => (await t.request('GET', '/health')).status === 200, 10_000, 100);
  const ordered =
    healthy &&
    (await waitFor(
      async () => {
        try {
          await s.guestOrder([[fixture.products[0], 1]]);
          return true;
        } catch {
          return false;
        }
      },
      5_000,
      100,
    ));
  if (!ordered) return -1;
  // and it stays recovered
  for (let i = 0; i < 10; i++) if ((await t.request('GET', '/api/v1/products')).status !== 200) return -1;
  return Date.now() - started;
}

/**
 * Placed orders and confirmation mails exist together or not at all (contract §11: the mail is queued in
 * the transaction that places the order; an order awaiting or failing its payment has none).
 */
export async function ordersWithoutMailOrMailsWithoutOrder(t: TestApp): Promise<string[]> {
  const rows = rowsOf<{ kind: string; ref: string }>(
    await t.database.db.execute(sql`
      select 'order without its mail' as kind, o.order_number as ref from ${orders} o
        where o.status not in ('awaiting_payment', 'payment_failed')
          and not exists (select 1 from ${mailOutbox} m where m.subject = 'Your order ' || o.order_number)
      union all
      select 'mail without its order', m.subject from ${mailOutbox} m
        where m.template = 'order-confirmation'
          and not exists (
            select 1 from ${orders} o
              where m.subject = 'Your order ' || o.order_number
                and o.status not in ('awaiting_payment', 'payment_failed'))`),
  );
  return rows.map((row) => `${row.kind}: ${row.ref}`);
}

/** Confirmed orders (201) that are not in the database as placed orders. */
export async function confirmedButMissing(t: TestApp, outcomes: Outcome[]): Promise<string[]> {
  const confirmed = outcomes
    .filter((o) => o.action === 'guest order' && o.res.status === 201)
    .map((o) => o.res.body.data.order.id as string);
  const placed = await t.database.db
    .select({ id: orders.id })
    .from(orders)
    .where(notInArray(orders.status, ['awaiting_payment', 'payment_failed']));
  const stored = new Set(placed.map((r) => r.id));
  return confirmed.filter((id) => !stored.has(id));
}

export function printLoad(label: string, outcomes: Outcome[], extra: Record<string, unknown>): void {
  const slowest = outcomes.reduce((max, o) => Math.max(max, o.ms), 0);
  console.table([
    {
      scenario: label,
      requests: outcomes.length,
      ...tally(outcomes.map((o) => o.res)),
      slowestMs: slowest,
      ...extra,
    },
  ]);
}

/**
 * Terminates the backends of `database` (every one, or one picked at random) and returns how many died.
 * The targets are picked first: in one statement the planner may call pg_terminate_backend before the
 * datname filter, and connections of other databases on the shared server would die.
 */
export async function terminateBackends(
  killer: Client,
  database: string,
  which: 'all' | 'one',
): Promise<number> {
  const targets = await killer.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [database],
  );
  const pids = targets.rows.map((row) => row.pid);
  const chosen = which === 'all' || pids.length === 0 ? pids : [pids[randomInt(pids.length)]];
  const { rows } = await killer.query<{ killed: boolean }>(
    'select pg_terminate_backend(pid) as killed from unnest($1::int[]) as pid',
    [chosen],
  );
  return rows.filter((row) => row.killed).length;
}

/** A client of its own on the server, for terminating the app's backends (its own errors are ignored). */
export async function connectKiller(url: string): Promise<Client> {
  const killer = new Client({ connectionString: url });
  killer.on('error', () => undefined);
  await killer.connect();
  return killer;
}
