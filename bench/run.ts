/**
 * `npm run bench` (`-- --quick` for CI): the built app under autocannon load against a fresh PostgreSQL
 * database, next to a bare Fastify + `SELECT 1` baseline; results in bench/results/latest.{json,md,svg}.
 * See README "Performance".
 */
import type autocannon from 'autocannon';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { api, apiData, signAccessToken } from './api';
import {
  assertLoopback,
  BenchDatabase,
  createBenchDatabase,
  DEFAULT_SERVER_URL,
  serverVersion,
} from './database';
import { EntryPool, FRESH_APP_WARMUP_SEC, runLoad, startLoad } from './load';
import { jwtVerifyMicro } from './micro';
import { Monitor } from './monitor';
import { measureMetricsCost, MetricsCostCheck } from './metrics-cost';
import { monotonicMicros, ProfileWindow, profileMarkdown, sliceProfile } from './profile';
import { CapturedStatement, CountingPgProxy } from './pg-proxy';
import { killAllChildrenNow, peakRssMiB, spawnChild, stopAllChildren } from './processes';
import { countQueries } from './query-counts';
import {
  BenchResults,
  DISTURBANCE_PCT,
  disturbance,
  STEAL_PCT,
  disturbedRuns,
  ExplainedQuery,
  HotProductCheck,
  markdownReport,
  markdownTable,
  RunResult,
  svgChart,
} from './report';
import {
  baselineRequests,
  getCartRequests,
  healthRequests,
  HOT_PRODUCT_LATENCY_MS,
  lookupRequests,
  mergeRequests,
  orderBody,
  orderRequests,
  postCartBody,
  postCartRequests,
  SCENARIOS,
  ScenarioKey,
  ScenarioInfo,
  Target,
} from './scenarios';
import {
  CartLine,
  cartLines,
  checkpoint,
  createProduct,
  createProducts,
  GuestCart,
  insertExpiredSessions,
  loginAdmin,
  markSessionsTouched,
  mergeEntries,
  orderEntries,
  OrderEntry,
  Product,
  seedGuestCarts,
  seedLookupOrders,
  settleAfterSeed,
} from './seed';
import { AppSettings, appEnv, Server, startApp, startBaseline } from './servers';
import { log, mapLimit, randomHex, round, sleep, withTimeout } from './util';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const CONNECTIONS = 50;

interface Sizes {
  durationSec: number;
  warmupSec: number;
  /**
   * A freshly started app's first load, not measured (FRESH_APP_WARMUP_SEC in bench/load.ts); a 2 s
   * warm-up left it inside the first scenario.
   */
  freshAppWarmupSec: number;
  products: number;
  readSessions: number;
  lookupOrders: number;
  /** requests of the pilot that warms up and sizes the merge and order pools */
  pilotRequests: number;
  pgliteSessions: number;
  countedRequests: number;
  expiredSessions: number;
  /** the whole run is aborted after this long */
  watchdogSec: number;
}

const FULL: Sizes = {
  durationSec: 10,
  warmupSec: 2,
  freshAppWarmupSec: FRESH_APP_WARMUP_SEC,
  products: 20,
  readSessions: 10_000,
  lookupOrders: 5_000,
  pilotRequests: 1_500,
  pgliteSessions: 2_000,
  countedRequests: 20,
  expiredSessions: 1_000_000,
  watchdogSec: 15 * 60,
};

const QUICK: Sizes = {
  durationSec: 3,
  warmupSec: 1,
  freshAppWarmupSec: 1,
  products: 20,
  readSessions: 2_000,
  lookupOrders: 1_000,
  pilotRequests: 500,
  pgliteSessions: 300,
  countedRequests: 10,
  expiredSessions: 0,
  watchdogSec: 6 * 60,
};

// ---------------------------------------------------------------------------------------------------
// Clean-up: children are stopped and the database dropped however the run ends.

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;

function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await stopAllChildren().catch((error: unknown) => log(`stopping children: ${String(error)}`));
    for (const fn of cleanups.reverse()) {
      await withTimeout(fn(), 30_000, 'clean-up step').catch((error: unknown) =>
        log(`clean-up: ${(error as Error).message}`),
      );
    }
  })();
  return cleaning;
}

function abort(reason: string, code: number): void {
  log(reason);
  void cleanUp().finally(() => process.exit(code));
}

process.on('exit', killAllChildrenNow);
process.on('SIGINT', () => abort('interrupted (SIGINT); cleaning up', 130));
process.on('SIGTERM', () => abort('terminated (SIGTERM); cleaning up', 143));

// ---------------------------------------------------------------------------------------------------

interface Context {
  sizes: Sizes;
  quick: boolean;
  db: BenchDatabase;
  pool: Pool;
  settings: AppSettings;
  tmp: string;
  baselineRps: number;
  runs: RunResult[];
  /** failures in warm-up and pilot runs (not reported as scenarios, but they fail the run too) */
  warmupFailures: number;
  outboxDrain?: BenchResults['outbox_drain'];
  hotProduct?: HotProductCheck;
  metricsCost?: MetricsCostCheck;
  peakRss: Record<string, number | null>;
  /** --only: the scenarios to run (undefined: all) */
  only?: ReadonlySet<ScenarioKey>;
  /** --profile: measured-run windows of the profiled app */
  profiled?: { server: Server | undefined; windows: ProfileWindow[] };
  /**
   * The baseline server, kept running through the app's scenarios, the scale runs and PGlite's run, so
   * that each run with a ratio target is compared with the baseline measured just before and just after
   * it (measureBracketed);
   * `fresh`: the baseline run that ended the previous bracket, while no other run came since; it opens
   * the next bracket if it ended less than BRACKET_REUSE_MS before (the scale phase drops it after its
   * heavy writes).
   */
  bracket?: { server: Server; fresh?: { rps: number; at: number } };
}

interface MeasureArgs {
  key: RunResult['key'];
  name: string;
  server: Server;
  /** the PostgreSQL database the server uses, for pg_stat_activity samples; undefined for PGlite */
  database?: { url: string; name: string };
  requests: () => autocannon.Request[];
  target?: ScenarioInfo['target'];
  warmupSec?: number;
  pool?: RunResult['pool'];
  /** the pool the requests currently consume (a repeated run gets a fresh one) */
  poolRef?: () => EntryPool<unknown>;
  /** called before each attempt (pooled scenarios seed a fresh pool) */
  prepare?: (attempt: number) => Promise<void>;
  sessionsInTable?: number;
  /** compared with the baseline measured just before and just after it (measureBracketed) */
  bracket?: boolean;
  /** false: not a row of the results (a bracketing baseline run: its req/s go into the scenario's row) */
  record?: boolean;
}

/** A bracketing baseline run older than this is not reused to open the next scenario's bracket. */
const BRACKET_REUSE_MS = 60_000;

/** A run during which other processes took more than this share of a core is repeated. */
const MAX_ATTEMPTS = 3;

async function warmUp(
  ctx: Context,
  server: Server,
  requests: () => autocannon.Request[],
  seconds: number,
): Promise<void> {
  if (seconds <= 0) return;
  const m = await runLoad({
    title: 'warm-up',
    url: server.baseUrl,
    connections: CONNECTIONS,
    durationSec: seconds,
    requests: requests(),
  });
  const failures = m.errors + m.non_2xx;
  if (failures > 0) {
    ctx.warmupFailures += failures;
    log(`  warm-up had ${failures} failures: ${JSON.stringify(m.status_codes)}`);
  }
}

/** Sizes.freshAppWarmupSec of GET guest cart on an app just started, before anything is measured on it. */
async function warmFreshApp(ctx: Context, server: Server, sessions: readonly GuestCart[]): Promise<void> {
  log(`  ${server.name}: warming up the fresh instance (${ctx.sizes.freshAppWarmupSec} s of GET guest cart)`);
  await warmUp(ctx, server, () => getCartRequests(sessions), ctx.sizes.freshAppWarmupSec);
}

function assertRunning(server: Server): void {
  if (!server.child.isRunning()) throw new Error(`${server.name} died:\n${server.child.tail()}`);
}

/**
 * One measured autocannon run of `durationSec` at 50 connections, with resource sampling. A run that
 * other processes on the machine or the hypervisor's steal disturbed (DISTURBANCE_PCT, STEAL_PCT) is
 * repeated, up to MAX_ATTEMPTS; the least disturbed attempt is the result.
 */
async function measure(ctx: Context, args: MeasureArgs): Promise<RunResult> {
  if (args.bracket === true && ctx.bracket !== undefined) return measureBracketed(ctx, ctx.bracket, args);
  // any other run in between: the last bracketing baseline no longer is the one just before the next scenario
  if (ctx.bracket !== undefined) ctx.bracket.fresh = undefined;
  await warmUp(ctx, args.server, args.requests, args.warmupSec ?? 0);
  let best: { result: RunResult; fromUs: number; toUs: number } | undefined;
  let attempts = 0;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    attempts = attempt;
    await args.prepare?.(attempt);
    const monitor = new Monitor(args.server.child.pid, args.database);
    await monitor.start();
    const fromUs = monotonicMicros();
    const m = await runLoad({
      title: args.name,
      url: args.server.baseUrl,
      connections: CONNECTIONS,
      durationSec: ctx.sizes.durationSec,
      requests: args.requests(),
    });
    const toUs = monotonicMicros();
    const resources = await monitor.stop();
    assertRunning(args.server);
    const result = { ...toResult(ctx, args, m, resources), attempts: attempt };
    // failures of the attempts not reported still fail the benchmark (counted with the warm-ups')
    if (best === undefined || disturbance(result) < disturbance(best.result)) {
      if (best !== undefined) ctx.warmupFailures += best.result.failures;
      best = { result, fromUs, toUs };
    } else {
      ctx.warmupFailures += result.failures;
    }
    const disturbed = resources.other_cpu_pct > DISTURBANCE_PCT || resources.steal_cpu_pct > STEAL_PCT;
    if (!disturbed) break;
    if (attempt < MAX_ATTEMPTS) {
      log(
        `  ${args.name}: other processes took ${resources.other_cpu_pct}% of a core ` +
          `(${resources.other_top.map((p) => `${p.comm} ${p.cpu_pct}%`).join(', ')}), ` +
          `steal ${resources.steal_cpu_pct}%; repeating the run`,
      );
    }
  }
  const { result, fromUs, toUs } = best!;
  result.attempts = attempts;
  if (ctx.profiled !== undefined && ctx.profiled.server === args.server) {
    ctx.profiled.windows.push({ label: args.name, fromUs, toUs });
  }
  if (args.record === false) {
    ctx.warmupFailures += result.failures;
  } else {
    ctx.runs.push(result);
  }
  logRun(result);
  return result;
}

/**
 * A scenario's ratio against the mean of the baseline measured just before and just after it, not only
 * against the baseline measured first: this host's speed drifts over a run by more than most gaps to a
 * target (a run's first baseline is taken before any seeding; the same 10 k reads needed 0.148 ms of
 * PostgreSQL CPU each at first and 0.246 ms after the million-row insert and its cleanup). Consecutive
 * scenarios share the baseline run between them. The ratio to the first baseline is kept beside it.
 */
async function measureBracketed(
  ctx: Context,
  bracket: NonNullable<Context['bracket']>,
  args: MeasureArgs,
): Promise<RunResult> {
  const baselineNow = async (): Promise<number> => {
    const run = await measure(ctx, {
      key: 'baseline',
      name: 'baseline: Fastify + SELECT 1, between scenarios',
      server: bracket.server,
      database: ctx.db,
      requests: baselineRequests,
      warmupSec: ctx.sizes.warmupSec,
      record: false,
    });
    return run.measurement.requests_per_sec;
  };
  const reusable = bracket.fresh !== undefined && Date.now() - bracket.fresh.at < BRACKET_REUSE_MS;
  const before = reusable ? bracket.fresh!.rps : await baselineNow();
  const result = await measure(ctx, { ...args, bracket: false });
  const after = await baselineNow();
  bracket.fresh = { rps: after, at: Date.now() };
  const rps = result.measurement.requests_per_sec;
  result.ratio_to_first_baseline = result.ratio ?? undefined;
  result.baseline_rps = { before, after };
  result.ratio = round(rps / ((before + after) / 2), 3);
  if (args.target !== undefined) result.met = targetMet(args.target, result.ratio, result.measurement);
  log(
    `  ${result.name}: ratio ${result.ratio} to the baseline just before and after it (${before} and ${after} req/s); ` +
      `${result.ratio_to_first_baseline ?? '—'} to the first baseline`,
  );
  return result;
}

function toResult(
  ctx: Context,
  args: MeasureArgs,
  m: RunResult['measurement'],
  resources: RunResult['resources'],
): RunResult {
  const ratio =
    args.key === 'baseline' ? 1 : ctx.baselineRps > 0 ? round(m.requests_per_sec / ctx.baselineRps, 3) : null;
  const current = args.poolRef?.();
  const pool =
    current === undefined
      ? args.pool
      : { ...args.pool, size: current.size, used: current.used, exhausted: current.exhausted };
  return {
    key: args.key,
    name: args.name,
    server: args.server.name,
    measurement: m,
    ratio,
    target: args.target,
    met: args.target === undefined ? undefined : targetMet(args.target, ratio, m),
    description: SCENARIOS.find((s) => s.key === args.key)?.description,
    failures: m.errors + m.non_2xx + (pool?.exhausted ?? 0),
    resources,
    pool,
    sessions_in_table: args.sessionsInTable,
  };
}

/** Met / not met for each bound the target has. */
function targetMet(target: Target, ratio: number | null, m: RunResult['measurement']): RunResult['met'] {
  const met: NonNullable<RunResult['met']> = {};
  if (target.ratio !== undefined) met.ratio = ratio !== null && ratio >= target.ratio;
  if (target.min_rps !== undefined) met.min_rps = m.requests_per_sec >= target.min_rps;
  if (target.p99_ms !== undefined) met.p99 = m.p99_ms <= target.p99_ms;
  return met;
}

function logRun(run: RunResult): void {
  const m = run.measurement;
  log(
    `  ${run.name} [${run.server}]: ${m.requests_per_sec} req/s, p50 ${m.p50_ms} ms, p99 ${m.p99_ms} ms, ` +
      `errors ${m.errors}, non-2xx ${m.non_2xx}${run.ratio === null ? '' : `, ratio ${run.ratio}`}` +
      (m.non_2xx > 0 ? ` ${JSON.stringify(m.status_codes)}` : '') +
      cpuPerRequest(run),
  );
}

/** Server and PostgreSQL CPU per request: steadier than req/s on a shared host (steal, neighbours). */
function cpuPerRequest(run: RunResult): string {
  const rps = run.measurement.requests_per_sec;
  if (!(rps > 0)) return '';
  const ms = (pct: number) => round((pct / 100 / rps) * 1000, 3);
  return `, CPU/request app ${ms(run.resources.server_cpu_pct)} ms + PostgreSQL ${ms(run.resources.postgres_cpu_pct)} ms`;
}

function scenario(key: ScenarioKey): ScenarioInfo {
  return SCENARIOS.find((s) => s.key === key)!;
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`smoke check failed: ${message}`);
}

/**
 * A pool-consuming scenario: a pilot of a fixed number of requests (the warm-up) measures the rate,
 * the main pool gets twice what that rate needs for the measured duration plus 1,000, and a request
 * that still finds the pool empty counts as an error.
 */
async function pooledScenario<T>(
  ctx: Context,
  server: Server,
  key: 'merge' | 'order' | 'hot_product',
  makeEntries: (count: number, label: string, firstIndex: number) => Promise<T[]>,
  requests: (pool: EntryPool<T>) => autocannon.Request[],
  smoke: (entry: T) => Promise<void>,
): Promise<RunResult> {
  const info = scenario(key);
  const pilotEntries = await makeEntries(ctx.sizes.pilotRequests + 1 + CONNECTIONS, `${key}-pilot`, 0);
  await smoke(pilotEntries[0]);
  const pilotPool = new EntryPool(pilotEntries.slice(1));
  const pilot = await runLoad({
    title: `${key} pilot`,
    url: server.baseUrl,
    connections: CONNECTIONS,
    durationSec: 60,
    amount: ctx.sizes.pilotRequests,
    requests: requests(pilotPool),
  });
  const pilotRps = pilot.requests_total / Math.max(0.001, pilot.active_sec);
  const pilotFailures = pilot.errors + pilot.non_2xx;
  if (pilotFailures > 0) {
    ctx.warmupFailures += pilotFailures;
    log(`  ${key} pilot had ${pilotFailures} failures: ${JSON.stringify(pilot.status_codes)}`);
  }
  const size = Math.ceil(pilotRps * ctx.sizes.durationSec * 2) + 1_000;
  log(`  ${key}: pilot ${Math.round(pilotRps)} req/s → pool of ${size}`);
  let pool = new EntryPool<T>([]);
  return measure(ctx, {
    key,
    name: info.name,
    server,
    database: ctx.db,
    prepare: async (attempt) => {
      pool = new EntryPool(await makeEntries(size, `${key}-main${attempt}`, 100_000 * attempt));
    },
    requests: () => requests(pool),
    target: info.target,
    bracket: info.target?.ratio !== undefined,
    pool: { size, used: 0, exhausted: 0, sized_from_pilot_rps: Math.round(pilotRps) },
    poolRef: () => pool,
  });
}

// ---------------------------------------------------------------------------------------------------

async function runScenarios(
  ctx: Context,
  app: Server,
  products: readonly Product[],
  readSessions: readonly GuestCart[],
  lookupOrders: Awaited<ReturnType<typeof seedLookupOrders>>,
  passwordHash: string,
  adminToken: string,
): Promise<void> {
  const warmupSec = ctx.sizes.warmupSec;
  // one of the fixed-request scenarios on the app, with its name and target from SCENARIOS
  const measureScenario = (
    key: ScenarioKey,
    requests: () => autocannon.Request[],
    extra: Partial<MeasureArgs> = {},
  ) =>
    measure(ctx, {
      key,
      name: scenario(key).name,
      server: app,
      database: ctx.db,
      requests,
      target: scenario(key).target,
      warmupSec,
      bracket: scenario(key).target?.ratio !== undefined || key === 'health',
      ...extra,
    });

  const want = (key: ScenarioKey): boolean => ctx.only === undefined || ctx.only.has(key);
  if (want('get_cart')) await getCartScenario();
  async function getCartScenario(): Promise<void> {
    log('scenario: GET guest cart');
    const cart = await apiData<{ items: unknown[] }>(
      app.baseUrl,
      'GET',
      `/api/v1/cart/guest/${readSessions[0].sessionId}`,
      200,
    );
    expect(cart.items.length === 3, `GET guest cart returned ${cart.items.length} lines, expected 3`);
    // the usual read: no session's once-a-minute touch falls due during the run (markSessionsTouched)
    await markSessionsTouched(ctx.pool, readSessions);
    await measureScenario('get_cart', () => getCartRequests(readSessions), {
      sessionsInTable: await countSessions(ctx.pool),
    });
  }

  if (want('metrics_cost' as ScenarioKey)) ctx.metricsCost = await metricsCostScenario(ctx, readSessions);

  if (want('post_cart')) {
    log('scenario: POST guest cart (replace)');
    const written = await apiData<{ cart: { items: unknown[] } }>(
      app.baseUrl,
      'POST',
      '/api/v1/cart/guest',
      200,
      {
        body: JSON.parse(postCartBody(readSessions[0], 0, products, 0)) as unknown,
      },
    );
    expect(written.cart.items.length === 3, 'POST guest cart did not keep 3 lines');
    await measureScenario('post_cart', () => postCartRequests(readSessions, products));
  }

  if (want('merge')) {
    log('scenario: merge');
    await pooledScenario(
      ctx,
      app,
      'merge',
      (count, label, first) =>
        mergeEntries(ctx.pool, ctx.settings.jwtSecret, products, count, passwordHash, label, first),
      mergeRequests,
      async (entry) => {
        const response = await api(app.baseUrl, 'POST', '/api/v1/cart/merge', {
          token: entry.token,
          body: { guest_session_id: entry.sessionId },
        });
        const data = (response.body as { data?: { merged_cart: { items: unknown[] } } }).data;
        expect(
          response.status === 200,
          `merge answered ${response.status}: ${JSON.stringify(response.body)}`,
        );
        expect(
          data?.merged_cart.items.length === 4,
          'merged cart should have 4 lines (2 user + 3 guest, 1 shared)',
        );
      },
    );
  }

  if (want('order')) {
    log('scenario: guest order');
    await pooledScenario(
      ctx,
      app,
      'order',
      (count, label, first) => orderEntries(ctx.pool, products, count, label, first),
      orderRequests,
      async (entry) => {
        const response = await api(app.baseUrl, 'POST', '/api/v1/orders/guest', {
          body: JSON.parse(orderBody(entry)) as unknown,
        });
        const data = (response.body as { data?: { order: { items: unknown[]; status: string } } }).data;
        expect(
          response.status === 201,
          `guest order answered ${response.status}: ${JSON.stringify(response.body)}`,
        );
        expect(
          data?.order.items.length === 3 && data.order.status === 'paid',
          'order should be paid with 3 lines',
        );
      },
    );

    // the orders queued one confirmation mail each; the app's dispatcher sends them in the background,
    // which would take the app's CPU away from the next scenarios, so let it finish first
    ctx.outboxDrain = await waitForOutbox(ctx.pool);
  }

  if (want('hot_product')) ctx.hotProduct = await hotProductScenario(ctx, adminToken);

  if (want('lookup')) {
    log('scenario: guest order lookup');
    const found = await apiData<{ order: { order_number: string; items: unknown[] } }>(
      app.baseUrl,
      'POST',
      '/api/v1/orders/guest-lookup',
      200,
      { body: { email: lookupOrders[0].email, order_number: lookupOrders[0].orderNumber } },
    );
    expect(
      found.order.order_number === lookupOrders[0].orderNumber && found.order.items.length === 3,
      'lookup result',
    );
    await measureScenario('lookup', () => lookupRequests(lookupOrders));
  }

  if (want('health')) {
    log('scenario: GET /health');
    await measureScenario('health', healthRequests);
  }
}

// ---------------------------------------------------------------------------------------------------
// Hot product: many buyers of one product, a slow payment provider.

/** The hot product's stock: more than every order of the run can take. */
const HOT_PRODUCT_STOCK = 1_000_000;
/** How long orders still in flight when the load ends may take to settle (the app's payment timeout + 5 s). */
const HOT_PRODUCT_SETTLE_MS = 15_000;

/**
 * 50 connections order one product through a second app whose sandbox provider waits
 * HOT_PRODUCT_LATENCY_MS per call, each request a fresh guest cart with one unit of it (pilot → sized
 * pool, as the order scenario). Afterwards, once the orders in flight have settled, the database must
 * add up: stock + units in orders holding stock = initial stock, no order left awaiting payment, no cart
 * ordered twice, every 201 a paid order. A broken invariant fails the run like a failed request.
 */
/**
 * GET guest cart against two fresh instances of the app on the same database, one with METRICS_TOKEN set and
 * one without (metrics-cost.ts), in balanced rounds. The metrics measured 1.4 %, 12.4 % and 7.1 % in three
 * runs of unchanged metrics code with the main app as the "on" side and the order on, off, off, on: the
 * "on" side always had the first round after the warm-up, often the slowest one; with the balanced order
 * 2.7 %. The hook itself costs 0.7 µs a request (micro-benchmark); both instances start fresh here.
 */
async function metricsCostScenario(
  ctx: Context,
  readSessions: readonly GuestCart[],
): Promise<MetricsCostCheck> {
  log('metrics cost: GET guest cart, two fresh apps with and without METRICS_TOKEN, balanced rounds');
  const on = await startApp('app (PostgreSQL, metrics on)', {
    ...ctx.settings,
    dataDir: join(ctx.tmp, 'data-metrics-on'),
  });
  const off = await startApp('app (PostgreSQL, metrics off)', {
    ...ctx.settings,
    dataDir: join(ctx.tmp, 'data-metrics-off'),
    env: { METRICS_TOKEN: '' },
  });
  try {
    const check = await measureMetricsCost({
      scenario: scenario('get_cart').name,
      on,
      off,
      database: ctx.db,
      requests: () => getCartRequests(readSessions),
      // each round the usual read: no session's once-a-minute touch falls due in one round and not another
      beforeRound: () => markSessionsTouched(ctx.pool, readSessions),
      connections: CONNECTIONS,
      durationSec: ctx.sizes.durationSec,
      warmupSec: ctx.sizes.freshAppWarmupSec, // both instances were just started
      pairs: ctx.quick ? 1 : 4,
    });
    log(
      `  metrics cost: ${check.throughput_cost_pct} % of throughput, ${check.cpu_cost_pct} % of CPU per request (target < ${check.target_pct} %)`,
    );
    return check;
  } finally {
    await Promise.all([on.child.stop(), off.child.stop()]);
  }
}

async function hotProductScenario(ctx: Context, adminToken: string): Promise<HotProductCheck> {
  log(`scenario: hot product (a second app, sandbox provider latency ${HOT_PRODUCT_LATENCY_MS} ms per call)`);
  const app = await startApp(`app (provider ${HOT_PRODUCT_LATENCY_MS} ms)`, {
    ...ctx.settings,
    dataDir: join(ctx.tmp, 'data-hot-product'),
    env: { PAYMENT_SANDBOX_LATENCY_MS: String(HOT_PRODUCT_LATENCY_MS) },
  });
  try {
    const product = await createProduct(app.baseUrl, adminToken, {
      sku: 'BENCH-HOT',
      name: 'Bench hot product',
      unitPrice: 1_999,
      stock: HOT_PRODUCT_STOCK,
    });
    const oneUnit = (): CartLine[] => [{ product_id: product.id, quantity: 1 }];
    let created = 0;
    const pools = new Set<EntryPool<OrderEntry>>();
    await pooledScenario(
      ctx,
      app,
      'hot_product',
      (count, label, first) => orderEntries(ctx.pool, [product], count, label, first, oneUnit),
      (pool) => {
        pools.add(pool);
        return orderRequests(pool, () => created++);
      },
      async (entry) => {
        const started = Date.now();
        const response = await api(app.baseUrl, 'POST', '/api/v1/orders/guest', {
          body: JSON.parse(orderBody(entry)) as unknown,
        });
        const elapsed = Date.now() - started;
        const data = (response.body as { data?: { order: { items: unknown[]; status: string } } }).data;
        expect(
          response.status === 201,
          `hot-product order answered ${response.status}: ${JSON.stringify(response.body)}`,
        );
        created++;
        expect(
          data?.order.items.length === 1 && data.order.status === 'paid',
          'hot-product order should be paid with 1 line',
        );
        // the provider's latency must be in effect, or the scenario measures something else
        expect(
          elapsed >= HOT_PRODUCT_LATENCY_MS,
          `hot-product order took ${elapsed} ms, less than the provider's ${HOT_PRODUCT_LATENCY_MS} ms`,
        );
      },
    );
    const check = await settleHotProduct(ctx.pool, product, {
      created,
      // the smoke order's cart, and every cart the load took from its pools
      cartsConsumed: 1 + [...pools].reduce((sum, pool) => sum + pool.used, 0),
    });
    log(
      `  hot product: stock ${check.stock_after} + ${check.units_held} units held = ${check.stock_after + check.units_held} ` +
        `(initial ${check.initial_stock}); orders ${JSON.stringify(check.orders_by_status)}; ` +
        `${check.awaiting_payment_left} awaiting payment after ${check.settle_sec} s; ${check.created_responses} ` +
        `201s; ${check.doubled_carts} carts ordered twice` +
        (check.violations.length > 0 ? `; BROKEN: ${check.violations.join('; ')}` : '; invariants hold'),
    );
    // its confirmation mails go out before the next scenario, as after the order scenario
    await waitForOutbox(ctx.pool);
    ctx.peakRss[`${app.name}, after the hot-product scenario`] = peakRssMiB(app.child.pid) ?? null;
    return check;
  } finally {
    await app.child.stop();
  }
}

/** Waits until no order of the product awaits payment (at most HOT_PRODUCT_SETTLE_MS), then checks. */
async function settleHotProduct(
  pool: Pool,
  product: Product,
  seen: { created: number; cartsConsumed: number },
): Promise<HotProductCheck> {
  const byStatus = async (): Promise<{ orders: Record<string, number>; units: Record<string, number> }> => {
    const { rows } = await pool.query<{ status: string; orders: number; units: number }>(
      `select o.status, count(distinct o.id)::int as orders, sum(oi.quantity)::int as units
       from orders o join order_items oi on oi.order_id = o.id
       where oi.product_id = $1
       group by o.status order by o.status`,
      [product.id],
    );
    return {
      orders: Object.fromEntries(rows.map((row) => [row.status, row.orders])),
      units: Object.fromEntries(rows.map((row) => [row.status, row.units])),
    };
  };
  const started = Date.now();
  let current = await byStatus();
  while ((current.orders.awaiting_payment ?? 0) > 0 && Date.now() - started < HOT_PRODUCT_SETTLE_MS) {
    await sleep(200);
    current = await byStatus();
  }
  const settleSec = round((Date.now() - started) / 1000, 1);
  const { rows: stockRows } = await pool.query<{ stock: number }>(
    'select stock::int as stock from products where id = $1',
    [product.id],
  );
  const { rows: doubledRows } = await pool.query<{ n: number }>(
    `select count(*)::int as n from (
       select o.guest_session_id
       from orders o
       where o.status not in ('cancelled', 'payment_failed')
         and exists (select 1 from order_items oi where oi.order_id = o.id and oi.product_id = $1)
       group by o.guest_session_id
       having count(*) > 1
     ) as doubled`,
    [product.id],
  );
  const released = new Set(['cancelled', 'payment_failed']);
  const unitsHeld = Object.entries(current.units)
    .filter(([status]) => !released.has(status))
    .reduce((sum, [, units]) => sum + units, 0);
  const ordersHeld = Object.entries(current.orders)
    .filter(([status]) => !released.has(status))
    .reduce((sum, [, n]) => sum + n, 0);
  const stockAfter = stockRows[0].stock;
  const awaiting = current.orders.awaiting_payment ?? 0;
  const paid = current.orders.paid ?? 0;
  const doubled = doubledRows[0].n;
  const violations: string[] = [];
  if (stockAfter + unitsHeld !== HOT_PRODUCT_STOCK) {
    violations.push(
      `stock ${stockAfter} + ${unitsHeld} units held = ${stockAfter + unitsHeld}, not the initial ${HOT_PRODUCT_STOCK}`,
    );
  }
  if (awaiting > 0) violations.push(`${awaiting} orders still awaiting payment after ${settleSec} s`);
  if (doubled > 0) violations.push(`${doubled} guest carts ordered more than once`);
  if (paid < seen.created) violations.push(`${seen.created} orders answered 201 but only ${paid} are paid`);
  if (ordersHeld > seen.cartsConsumed) {
    violations.push(`${ordersHeld} orders hold stock but only ${seen.cartsConsumed} carts were handed out`);
  }
  return {
    provider_latency_ms: HOT_PRODUCT_LATENCY_MS,
    product_sku: product.sku,
    initial_stock: HOT_PRODUCT_STOCK,
    stock_after: stockAfter,
    units_held: unitsHeld,
    orders_by_status: current.orders,
    awaiting_payment_left: awaiting,
    settle_sec: settleSec,
    created_responses: seen.created,
    carts_consumed: seen.cartsConsumed,
    doubled_carts: doubled,
    violations,
  };
}

/** Waits (at most 3 minutes) until the mail outbox has no pending mail; how long it took. */
async function waitForOutbox(pool: Pool): Promise<NonNullable<BenchResults['outbox_drain']>> {
  const pending = async (): Promise<number> => {
    const { rows } = await pool.query<{ n: string }>(
      "select count(*) as n from mail_outbox where status = 'pending'",
    );
    return Number(rows[0].n);
  };
  const started = Date.now();
  const atStart = await pending();
  let left = atStart;
  while (left > 0 && Date.now() - started < 180_000) {
    await sleep(500);
    left = await pending();
  }
  const seconds = round((Date.now() - started) / 1000, 1);
  const { rows } = await pool.query<{ n: string }>(
    "select count(*) as n from mail_outbox where status = 'sent'",
  );
  log(
    `  mail outbox: ${atStart} pending after the orders, ${left} left after ${seconds} s (${rows[0].n} sent in all)`,
  );
  return { pending_after_orders: atStart, seconds, left, sent_total: Number(rows[0].n) };
}

async function countSessions(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('select count(*) as n from guest_sessions');
  return Number(rows[0].n);
}

// ---------------------------------------------------------------------------------------------------
// Statements per request: a second app instance behind a counting wire-protocol proxy, requests one
// at a time.

interface CountPhase {
  counts: BenchResults['query_counts'];
  /** the statements of one request per scenario, and the cleanup's, for EXPLAIN ANALYZE */
  samples: Partial<Record<ScenarioKey | 'cleanup', CapturedStatement[]>>;
}

async function countPhase(
  ctx: Context,
  products: readonly Product[],
  readSessions: readonly GuestCart[],
  lookupOrders: Awaited<ReturnType<typeof seedLookupOrders>>,
  passwordHash: string,
): Promise<CountPhase> {
  const server = new URL(ctx.db.url);
  const proxy = new CountingPgProxy({ host: server.hostname, port: Number(server.port || '5432') });
  const proxyPort = await proxy.listen();
  onCleanup(() => proxy.close());
  const proxied = new URL(ctx.db.url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxyPort);
  const settings: AppSettings = {
    ...ctx.settings,
    databaseUrl: proxied.toString(),
    dataDir: join(ctx.tmp, 'data-counted'),
  };
  const app = await startApp('app (PostgreSQL, counted)', settings);
  const n = ctx.sizes.countedRequests;
  const merges = await mergeEntries(
    ctx.pool,
    ctx.settings.jwtSecret,
    products,
    n,
    passwordHash,
    'merge-count',
    500_000,
  );
  const orders = await orderEntries(ctx.pool, products, n, 'order-count', 500_000);
  const sessions = readSessions.slice(-n);
  // counted: the usual read, the touch not due, as the load runs see it (a due one adds its UPDATE)
  await markSessionsTouched(ctx.pool, sessions);
  const check = async (
    what: string,
    p: Promise<{ status: number; body: unknown }>,
    status: number,
  ): Promise<void> => {
    const response = await p;
    if (response.status !== status)
      throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  };
  const phases: [ScenarioKey, (i: number) => Promise<void>][] = [
    [
      'get_cart',
      (i) => check('GET cart', api(app.baseUrl, 'GET', `/api/v1/cart/guest/${sessions[i].sessionId}`), 200),
    ],
    [
      'post_cart',
      (i) =>
        check(
          'POST cart',
          api(app.baseUrl, 'POST', '/api/v1/cart/guest', {
            body: JSON.parse(postCartBody(sessions[i], i, products, 7)) as unknown,
          }),
          200,
        ),
    ],
    [
      'merge',
      (i) =>
        check(
          'merge',
          api(app.baseUrl, 'POST', '/api/v1/cart/merge', {
            token: merges[i].token,
            body: { guest_session_id: merges[i].sessionId },
          }),
          200,
        ),
    ],
    [
      'order',
      (i) =>
        check(
          'order',
          api(app.baseUrl, 'POST', '/api/v1/orders/guest', {
            body: JSON.parse(orderBody(orders[i])) as unknown,
          }),
          201,
        ),
    ],
    [
      'lookup',
      (i) =>
        check(
          'lookup',
          api(app.baseUrl, 'POST', '/api/v1/orders/guest-lookup', {
            body: { email: lookupOrders[i].email, order_number: lookupOrders[i].orderNumber },
          }),
          200,
        ),
    ],
    ['health', () => check('health', api(app.baseUrl, 'GET', '/health'), 200)],
  ];
  const result: CountPhase = { counts: {}, samples: {} };
  for (const [key, send] of phases) {
    const { count, captured } = await countQueries(proxy, n, send);
    result.counts[key] = count;
    // one request's statements: the first 1/n of them
    result.samples[key] = captured.slice(0, Math.round(captured.length / n));
    log(`  ${key}: ${count.per_request.toFixed(2)} statements per request ${JSON.stringify(count.by_kind)}`);
  }
  await app.child.stop();

  // the cleanup CLI through the proxy, once, to capture its batch statements
  const from = proxy.statements.length;
  const cli = spawnChild('cleanup (counted)', process.execPath, [join(ROOT, 'dist', 'cli', 'cleanup.js')], {
    cwd: ctx.tmp,
    env: appEnv(settings, 0),
  });
  const code = await withTimeout(cli.exited, 120_000, 'cleanup CLI (counted)');
  if (code !== 0) throw new Error(`cleanup CLI exited with ${code}:\n${cli.tail()}`);
  result.samples.cleanup = proxy.since(from).filter((s) => /^\s*delete/i.test(s.sql));
  await proxy.close();
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Scale: 10k vs 1M sessions, EXPLAIN ANALYZE, cleanup of 1M expired sessions under read load.

async function explain(pool: Pool, label: string, statement: CapturedStatement): Promise<ExplainedQuery> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers) ${statement.sql}`,
      statement.params,
    );
    return {
      label,
      sql: statement.sql,
      params: statement.params,
      plan: rows.map((row) => row['QUERY PLAN']).join('\n'),
    };
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}

async function scalePhase(
  ctx: Context,
  app: Server,
  readSessions: readonly GuestCart[],
  samples: CountPhase['samples'],
): Promise<NonNullable<BenchResults['scale']>> {
  const info = scenario('get_cart');
  log('scale: keeping only the 10k read sessions');
  await ctx.pool.query('delete from guest_sessions where not (id = any($1::uuid[]))', [
    readSessions.map((s) => s.sessionId),
  ]);
  await ctx.pool.query('vacuum analyze guest_sessions, carts, cart_items');
  // the same GET-cart load, labelled with the number of sessions in the table at the time
  const measureReads = async (key: 'scale_10k' | 'scale_1m') => {
    const sessions = await countSessions(ctx.pool);
    // The two runs differ only in the table's size. A read slides a session's expiry at most once per
    // GUEST_SESSION_TOUCH_INTERVAL_SECONDS (60 s): which of the 10 k sessions fell due inside a run
    // depended on the minute between them, so the 1 M run wrote 0–10 k touches the 10 k run did not
    // (the row measured 0.67–1.14). Every read session counts as just touched, so neither run writes.
    // And both start from a clean checkpoint, not during the write-back of the million rows inserted
    // just before.
    await markSessionsTouched(ctx.pool, readSessions);
    await checkpoint(ctx.pool);
    const run = await measure(ctx, {
      key,
      name: `GET guest cart, ${sessions.toLocaleString('en-US')} sessions`,
      server: app,
      database: ctx.db,
      requests: () => getCartRequests(readSessions),
      target: info.target,
      warmupSec: ctx.sizes.warmupSec,
      sessionsInTable: sessions,
      bracket: true,
    });
    return { sessions, run };
  };
  const { sessions: small, run: smallRun } = await measureReads('scale_10k');

  log(`scale: inserting ${ctx.sizes.expiredSessions.toLocaleString('en-US')} expired sessions with carts`);
  const insertStarted = Date.now();
  await insertExpiredSessions(ctx.pool, ctx.sizes.expiredSessions, (done) =>
    log(`  ${done.toLocaleString('en-US')} inserted`),
  );
  await ctx.pool.query('vacuum analyze guest_sessions, carts');
  const insertSec = (Date.now() - insertStarted) / 1000;
  if (ctx.bracket !== undefined) ctx.bracket.fresh = undefined; // the host after the insert: a new baseline
  const { sessions: large, run: largeRun } = await measureReads('scale_1m');

  log('scale: EXPLAIN ANALYZE of the hot statements');
  const explained: ExplainedQuery[] = [];
  for (const [key, label] of [
    ['get_cart', 'GET guest cart'],
    ['lookup', 'guest order lookup'],
  ] as const) {
    for (const [i, statement] of (samples[key] ?? []).entries()) {
      explained.push(await explain(ctx.pool, `${label}, statement ${i + 1}`, statement));
    }
  }
  const cleanupDelete = (samples.cleanup ?? []).find(
    (s) => /guest_sessions/.test(s.sql) && /expires_at/.test(s.sql),
  );
  if (cleanupDelete !== undefined) {
    // each variant twice, the second reported, so both run with the same pages cached
    const label = 'cleanup: one batch of 5,000 expired sessions, the app’s statement (rolled back)';
    await explain(ctx.pool, label, cleanupDelete);
    explained.push(await explain(ctx.pool, label, cleanupDelete));
    // the form the app used until the benchmark showed its plan (a hash semi-join over the whole table)
    const alternative: CapturedStatement = {
      ...cleanupDelete,
      sql: 'delete from "guest_sessions" where "guest_sessions"."id" in (select "id" from "guest_sessions" where "guest_sessions"."expires_at" <= $1 limit $2) returning "id"',
    };
    const altLabel = 'cleanup, the earlier form for comparison: `id in (select … limit n)` (rolled back)';
    await explain(ctx.pool, altLabel, alternative);
    explained.push(await explain(ctx.pool, altLabel, alternative));
  }

  log('scale: cleanup of the expired sessions while GET guest cart runs');
  const monitor = new Monitor(app.child.pid, ctx.db);
  await monitor.start();
  const reads = startLoad({
    title: 'GET guest cart during cleanup',
    url: app.baseUrl,
    connections: CONNECTIONS,
    durationSec: 480,
    requests: getCartRequests(readSessions),
  });
  await sleep(1_000);
  const cliStarted = Date.now();
  const cli = spawnChild('cleanup', process.execPath, [join(ROOT, 'dist', 'cli', 'cleanup.js')], {
    cwd: ctx.tmp,
    env: appEnv(ctx.settings, 0),
  });
  let code: number | string;
  try {
    code = await withTimeout(cli.exited, 420_000, 'cleanup CLI');
  } finally {
    reads.stop();
  }
  const wallSec = (Date.now() - cliStarted) / 1000;
  const m = await reads.done;
  const resources = await monitor.stop();
  if (code !== 0) throw new Error(`cleanup CLI exited with ${code}:\n${cli.tail()}`);
  const line = cli
    .tail()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  const output = (line === undefined ? {} : JSON.parse(line)) as {
    started_at?: string;
    finished_at?: string;
    deleted?: Record<string, number>;
  };
  const { rows } = await ctx.pool.query<{ n: string }>(
    'select count(*) as n from guest_sessions where expires_at <= now()',
  );
  const during = toResult(
    ctx,
    {
      key: 'during_cleanup',
      name: 'GET guest cart during the cleanup',
      server: app,
      requests: () => [],
    },
    m,
    resources,
  );
  ctx.runs.push(during);
  logRun(during);
  const deletingSec =
    output.started_at !== undefined && output.finished_at !== undefined
      ? (Date.parse(output.finished_at) - Date.parse(output.started_at)) / 1000
      : null;
  log(
    `  cleanup: ${wallSec.toFixed(1)} s wall, ${deletingSec ?? '?'} s deleting, ${JSON.stringify(output.deleted)}`,
  );

  return {
    sessions_small: small,
    sessions_large: large,
    // the two runs' ratios, each to the baseline measured around it (measureBracketed): the host's drift
    // across the million-row insert between them is not read as an effect of the table's size
    get_cart_rps_ratio_large_vs_small: round((largeRun.ratio ?? NaN) / (smallRun.ratio ?? NaN), 3),
    inserted_expired_sessions: ctx.sizes.expiredSessions,
    insert_sec: round(insertSec, 1),
    cleanup: {
      wall_sec: round(wallSec, 1),
      deleting_sec: deletingSec,
      deleted: output.deleted ?? {},
      expired_left: Number(rows[0].n),
      reads_p99_ms: m.p99_ms,
      reads_p99_before_ms: largeRun.measurement.p99_ms,
    },
    explain: explained,
  };
}

// ---------------------------------------------------------------------------------------------------

async function pglitePhase(ctx: Context): Promise<number | null> {
  log('PGlite: starting a second app on the embedded database');
  const app = await startApp('app (PGlite)', {
    ...ctx.settings,
    databaseUrl: undefined,
    dataDir: join(ctx.tmp, 'data-pglite'),
    // --profile: this app's profile too (whole run, seeding included), for a look with DevTools
    nodeArgs:
      ctx.profiled === undefined
        ? []
        : ['--cpu-prof', '--cpu-prof-dir', RESULTS_DIR, '--cpu-prof-name', 'app-pglite.cpuprofile'],
  });
  const token = await loginAdmin(app.baseUrl, ctx.settings.adminEmail, ctx.settings.adminPassword);
  const products = await createProducts(app.baseUrl, token, ctx.sizes.products);
  const indexes = Array.from({ length: ctx.sizes.pgliteSessions }, (_, i) => i);
  const sessions = await mapLimit(indexes, 8, async (i) => {
    const data = await apiData<{ session_id: string; cart: { id: string } }>(
      app.baseUrl,
      'POST',
      '/api/v1/cart/guest',
      201,
      {
        body: { items: cartLines(i, products) },
      },
    );
    return { sessionId: data.session_id, cartId: data.cart.id };
  });
  log(`  seeded ${sessions.length} guest carts through the API`);
  await warmFreshApp(ctx, app, sessions);
  await measure(ctx, {
    key: 'pglite_get_cart',
    name: scenario('get_cart').name,
    server: app,
    requests: () => getCartRequests(sessions),
    target: scenario('get_cart').target,
    warmupSec: ctx.sizes.warmupSec,
    bracket: true,
  });
  const rss = peakRssMiB(app.child.pid) ?? null;
  await app.child.stop();
  return rss;
}

// ---------------------------------------------------------------------------------------------------

interface Args {
  quick: boolean;
  profile: boolean;
  /** `--only=order,get_cart`: the baseline and these scenarios only (`pglite`: the PGlite phase; `scale`: 10 k / 1 M reads and the cleanup under load), nothing written to bench/results */
  only: ReadonlySet<ScenarioKey> | undefined;
}

function parseArgs(argv: string[]): Args {
  const onlyArg = argv.find((arg) => arg.startsWith('--only='));
  const unknown = argv.filter((arg) => arg !== '--quick' && arg !== '--profile' && arg !== onlyArg);
  if (unknown.length > 0)
    throw new Error(`unknown argument(s): ${unknown.join(' ')} (--quick, --profile, --only=KEY,KEY)`);
  let only: Set<ScenarioKey> | undefined;
  if (onlyArg !== undefined) {
    const keys = onlyArg.slice('--only='.length).split(',');
    const known = new Set<string>([...SCENARIOS.map((s) => s.key), 'metrics_cost', 'pglite', 'scale']);
    const bad = keys.filter((key) => !known.has(key));
    if (bad.length > 0)
      throw new Error(`--only: unknown scenario(s) ${bad.join(', ')} (${[...known].join(', ')})`);
    only = new Set(keys as ScenarioKey[]);
  }
  return { quick: argv.includes('--quick'), profile: argv.includes('--profile'), only };
}

/** NestJS + its Fastify adapter with one SELECT 1 route: what the framework itself costs. */
async function frameworkFloor(ctx: Context): Promise<void> {
  log('framework floor: NestJS + Fastify adapter, one SELECT 1 route, no global enhancers');
  const floor = await startBaseline(ROOT, ctx.db.url, 'nest-floor');
  await measure(ctx, {
    key: 'nest_floor',
    name: 'framework floor: NestJS + Fastify + SELECT 1',
    server: floor,
    database: ctx.db,
    requests: baselineRequests,
    warmupSec: ctx.sizes.warmupSec,
  });
  await floor.child.stop();
}

/** --profile: the profiled app has stopped; its profile summarised per measured scenario. */
function writeProfile(ctx: Context): void {
  if (ctx.profiled === undefined) return;
  const file = join(RESULTS_DIR, PROFILE_NAME);
  writeFileSync(join(RESULTS_DIR, 'profile.md'), profileMarkdown(sliceProfile(file, ctx.profiled.windows)));
  log(`profile: ${file}, per-scenario summary in bench/results/profile.md`);
}

const PROFILE_NAME = 'app-postgres.cpuprofile';

async function main(): Promise<number> {
  const started = Date.now();
  const { quick, profile, only } = parseArgs(process.argv.slice(2));
  const sizes = quick ? QUICK : FULL;
  setTimeout(
    () => abort(`watchdog: the run took longer than ${sizes.watchdogSec} s; aborting`, 2),
    sizes.watchdogSec * 1000,
  ).unref();
  if (!existsSync(join(ROOT, 'dist', 'main.js')))
    throw new Error('dist/main.js is missing: run `npm run bench` (it builds first)');
  const serverUrl = process.env.BENCH_DATABASE_URL?.trim() || DEFAULT_SERVER_URL;
  assertLoopback(serverUrl);
  const loadAtStart = loadavg()[0];
  if (loadAtStart > 0.5) {
    log(
      `warning: 1-minute load average is ${loadAtStart.toFixed(2)}; other work on the machine will skew the numbers`,
    );
  }

  const tmp = mkdtempSync(join(tmpdir(), 'gc-bench-'));
  onCleanup(() => Promise.resolve(rmSync(tmp, { recursive: true, force: true })));
  const db = await createBenchDatabase(serverUrl);
  onCleanup(async () => {
    await db.drop();
    log(`dropped database ${db.name}`);
  });
  log(`${quick ? 'quick' : 'full'} run; database ${db.name} on ${new URL(serverUrl).host}`);
  const pool = new Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => undefined);
  onCleanup(() => pool.end());
  const cwd = join(tmp, 'cwd');
  mkdirSync(cwd);

  const ctx: Context = {
    sizes,
    quick,
    db,
    pool,
    tmp,
    settings: {
      root: ROOT,
      databaseUrl: db.url,
      dataDir: join(tmp, 'data'),
      cwd,
      jwtSecret: randomHex(32),
      adminEmail: 'bench-admin@example.com',
      adminPassword: `bench-${randomHex(8)}`,
    },
    baselineRps: 0,
    runs: [],
    warmupFailures: 0,
    peakRss: {},
  };
  const peakRss = ctx.peakRss;

  log('baseline: bare Fastify + pg Pool(10) SELECT 1');
  const baseline = await startBaseline(ROOT, db.url);
  const baselineRun = await measure(ctx, {
    key: 'baseline',
    name: 'baseline: Fastify + SELECT 1',
    server: baseline,
    database: db,
    requests: baselineRequests,
    warmupSec: sizes.warmupSec,
  });
  ctx.baselineRps = baselineRun.measurement.requests_per_sec;
  peakRss['baseline (TypeScript loaded by ts-node)'] = peakRssMiB(baseline.child.pid) ?? null;
  // kept running (idle) until the PGlite run is done: the runs with a ratio target are measured between
  // baseline runs (measureBracketed)
  ctx.bracket = { server: baseline };

  if (only === undefined) await frameworkFloor(ctx);
  else
    log(
      `--only=${[...only].join(',')}: the baseline and these scenarios; nothing is written to bench/results`,
    );
  ctx.only = only;

  log('app: starting dist/main.js on PostgreSQL');
  if (profile) mkdirSync(RESULTS_DIR, { recursive: true });
  const app = await startApp('app (PostgreSQL)', {
    ...ctx.settings,
    nodeArgs: profile ? ['--cpu-prof', '--cpu-prof-dir', RESULTS_DIR, '--cpu-prof-name', PROFILE_NAME] : [],
  });
  if (profile) ctx.profiled = { server: app, windows: [] };
  const adminToken = await loginAdmin(app.baseUrl, ctx.settings.adminEmail, ctx.settings.adminPassword);
  const products = await createProducts(app.baseUrl, adminToken, sizes.products);
  const registered = await apiData<{ user: { id: string } }>(
    app.baseUrl,
    'POST',
    '/api/v1/auth/register',
    201,
    {
      body: { email: 'bench.registered@example.com', password: `pw-${randomHex(8)}` },
    },
  );
  // a token signed here must be accepted like one the app issued
  await apiData(app.baseUrl, 'GET', '/api/v1/auth/me', 200, {
    token: signAccessToken(registered.user.id, ctx.settings.jwtSecret),
  });
  const { rows: hashRows } = await pool.query<{ password_hash: string }>(
    'select password_hash from users where id = $1',
    [registered.user.id],
  );
  const passwordHash = hashRows[0].password_hash;
  const readSessions = await seedGuestCarts(pool, products, sizes.readSessions);
  const lookupOrders = await seedLookupOrders(pool, products, sizes.lookupOrders);
  log(
    `seeded ${products.length} products, ${readSessions.length} guest carts, ${lookupOrders.length} guest orders`,
  );
  await settleAfterSeed(pool);
  await warmFreshApp(ctx, app, readSessions);

  await runScenarios(ctx, app, products, readSessions, lookupOrders, passwordHash, adminToken);
  const stopBaseline = async (): Promise<void> => {
    ctx.bracket = undefined;
    await baseline.child.stop();
  };
  peakRss['app (PostgreSQL), after the scenarios'] = peakRssMiB(app.child.pid) ?? null;
  if (only !== undefined) {
    // the 10 k / 1 M reads and the cleanup under load, without the EXPLAINs (they need the counting phase)
    if (only.has('scale' as ScenarioKey) && sizes.expiredSessions > 0)
      await scalePhase(ctx, app, readSessions, {});
    await app.child.stop();
    writeProfile(ctx);
    if (only.has('pglite' as ScenarioKey)) log(`PGlite app peak RSS: ${await pglitePhase(ctx)} MiB`);
    await stopBaseline();
    for (const run of ctx.runs)
      log(
        `${run.name}: ${Math.round(run.measurement.requests_per_sec)} req/s, ratio ${run.ratio}, failures ${run.failures}`,
      );
    return ctx.runs.some((run) => run.failures > 0) || ctx.warmupFailures > 0 ? 1 : 0;
  }

  log('statements per request (second app instance behind a counting proxy)');
  const counted = await countPhase(ctx, products, readSessions, lookupOrders, passwordHash);

  let scale: BenchResults['scale'];
  if (sizes.expiredSessions > 0) {
    scale = await scalePhase(ctx, app, readSessions, counted.samples);
    peakRss['app (PostgreSQL), after the scale runs'] = peakRssMiB(app.child.pid) ?? null;
  }
  await app.child.stop();
  writeProfile(ctx);

  peakRss['app (PGlite)'] = await pglitePhase(ctx);
  await stopBaseline();

  log('micro-benchmark: JWT verification (string secret vs KeyObject)');
  const jwtVerify = await jwtVerifyMicro();
  log(`  ${jwtVerify.string_secret_us} µs vs ${jwtVerify.key_object_us} µs per verify`);

  const measuredFailures = ctx.runs.reduce((sum, run) => sum + run.failures, 0);
  const invariantViolations = ctx.hotProduct?.violations.length ?? 0;
  const machineCpu = cpus()[0]?.model ?? 'unknown CPU';
  const results: BenchResults = {
    generated_at: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    duration_sec: sizes.durationSec,
    connections: CONNECTIONS,
    machine: {
      nproc: availableParallelism(),
      memory_gib: round(totalmem() / 1024 ** 3, 1),
      cpu: machineCpu,
      node: process.version,
      postgres: (await serverVersion(serverUrl)).split(' on ')[0],
      os: `Linux ${release()}`,
      loadavg_at_start: round(loadAtStart, 2),
    },
    seed: {
      products: products.length,
      read_sessions: readSessions.length,
      lookup_orders: lookupOrders.length,
      pglite_sessions: sizes.pgliteSessions,
      expired_sessions: sizes.expiredSessions,
    },
    runs: ctx.runs,
    peak_rss_mib: Object.fromEntries(
      Object.entries(peakRss).map(([k, v]) => [k, v === null ? null : round(v, 1)]),
    ),
    query_counts: counted.counts,
    micro: { jwt_verify: jwtVerify },
    outbox_drain: ctx.outboxDrain,
    hot_product: ctx.hotProduct,
    metrics_cost: ctx.metricsCost,
    scale,
    total_failures: measuredFailures + ctx.warmupFailures + invariantViolations,
    duration_total_sec: round((Date.now() - started) / 1000, 1),
  };
  if (profile) {
    log(
      'profiled run: the numbers are skewed by the profiler, so bench/results/latest.* are left as they were',
    );
  } else {
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(RESULTS_DIR, 'latest.md'), markdownReport(results));
    writeFileSync(join(RESULTS_DIR, 'latest.svg'), svgChart(results));
  }
  process.stdout.write(`${markdownTable(results)}\n`);
  const disturbed = disturbedRuns(results);
  if (disturbed.length > 0) log(`warning: other processes took CPU during ${disturbed.join(', ')}`);
  if (results.total_failures > 0) {
    log(
      `FAILED: ${measuredFailures} failed requests in measured runs, ${ctx.warmupFailures} in warm-ups/pilots, ` +
        `${invariantViolations} broken hot-product invariants` +
        (invariantViolations > 0 ? ` (${ctx.hotProduct?.violations.join('; ')})` : ''),
    );
    return 1;
  }
  log(`done in ${Math.round(results.duration_total_sec)} s; results in bench/results/latest.{json,md,svg}`);
  return 0;
}

main()
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanUp();
    process.exit(1);
  });
