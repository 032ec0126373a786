/**
 * `npm run bench:ab -- <git ref> <scenario> [pairs]`: one scenario against two builds of the app at once,
 * the ref's (A) and the working tree's (B), on the same database, in balanced rounds (A B B A B A A B) so
 * that drift on the machine hits both alike. On a shared 2-core host a single run of `npm run bench` moves
 * 20–40 % from one run to the next on unchanged code; the medians of A/B rounds taken minutes apart are
 * what tells a change that pays from one that does not. The app's and PostgreSQL's CPU per request
 * (bench/monitor.ts) are the steadier measures; throughput is printed beside them. Prints only; writes no
 * results. scripts/bench-ab.sh builds both and runs this on the benchmark's Node.
 *
 * Merge and order consume a fresh entry per request (a guest cart, and for the merge a user and a
 * token): each round gets a pool of its own, seeded before the round and sized at twice what the
 * warm-up's rate needs, and after an order round the mail outbox is drained (either build's dispatcher
 * may send the confirmations) before the next round starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createBenchDatabase, DEFAULT_SERVER_URL } from './database';
import { apiData } from './api';
import { EntryPool, FRESH_APP_WARMUP_SEC, runLoad } from './load';
import { Monitor } from './monitor';
import { stopAllChildren } from './processes';
import {
  getCartRequests,
  healthRequests,
  lookupRequests,
  mergeRequests,
  orderRequests,
  postCartRequests,
  ScenarioKey,
} from './scenarios';
import {
  createProducts,
  loginAdmin,
  markSessionsTouched,
  mergeEntries,
  MergeEntry,
  orderEntries,
  OrderEntry,
  Product,
  seedGuestCarts,
  seedLookupOrders,
  settleAfterSeed,
} from './seed';
import { AppSettings, startApp } from './servers';
import { balancedRound, log, randomHex, round, sleep } from './util';

const CONNECTIONS = 50;
const ROUND_SEC = 6;
const SCENARIOS = [
  'get_cart',
  'post_cart',
  'lookup',
  'health',
  'merge',
  'order',
] as const satisfies readonly ScenarioKey[];
/** entries per server for the warm-up of a pooled scenario (3 s) */
const WARMUP_ENTRIES = 6_000;
type AbScenario = (typeof SCENARIOS)[number];

interface Round {
  build: 'A' | 'B';
  requestsPerSec: number;
  appCpuUs: number;
  postgresCpuUs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const [rootA, rootB, scenarioArg, pairsArg] = process.argv.slice(2);
  const scenario = scenarioArg as AbScenario;
  if (rootA === undefined || rootB === undefined || !SCENARIOS.includes(scenario)) {
    throw new Error(`usage: ab.ts ROOT_A ROOT_B (${SCENARIOS.join('|')}) [pairs]`);
  }
  const pairs = Number(pairsArg ?? 4);
  const serverUrl = process.env.BENCH_DATABASE_URL?.trim() || DEFAULT_SERVER_URL;
  const database = await createBenchDatabase(serverUrl);
  const tmp = mkdtempSync(join(tmpdir(), 'bench-ab-'));
  try {
    const common = {
      databaseUrl: database.url,
      cwd: tmp,
      jwtSecret: randomHex(32),
      adminEmail: 'bench-admin@example.com',
      adminPassword: `bench-${randomHex(8)}`,
    };
    const settings = (root: string, name: string): AppSettings => ({
      ...common,
      root,
      dataDir: join(tmp, name),
    });
    // A migrates the database; B starts on it (the same migrations, or the working tree's added ones)
    const a = await startApp('A', settings(rootA, 'a'));
    const b = await startApp('B', settings(rootB, 'b'));
    const token = await loginAdmin(a.baseUrl, common.adminEmail, common.adminPassword);
    const products = await createProducts(a.baseUrl, token, 20);
    const pool = new Pool({ connectionString: database.url });
    const sessions = await seedGuestCarts(pool, products, 10_000);
    const orders = scenario === 'lookup' ? await seedLookupOrders(pool, products, 5_000) : [];
    await settleAfterSeed(pool);
    const pooled =
      scenario === 'merge' || scenario === 'order'
        ? await pooledEntries(scenario, pool, a.baseUrl, common, products)
        : undefined;
    const requests = () =>
      scenario === 'get_cart'
        ? getCartRequests(sessions)
        : scenario === 'post_cart'
          ? postCartRequests(sessions, products)
          : scenario === 'lookup'
            ? lookupRequests(orders)
            : pooled !== undefined
              ? pooled.requests()
              : healthRequests();
    let warmupRate = 0;
    for (const server of [a, b]) {
      // a fresh app's first seconds under load cost ~40 % more CPU per request (npm run bench's
      // freshAppWarmupSec): the first rounds would measure the start-up, not the change
      await runLoad({
        title: 'fresh-app warm-up',
        url: server.baseUrl,
        connections: CONNECTIONS,
        durationSec: FRESH_APP_WARMUP_SEC,
        requests: getCartRequests(sessions),
      });
      await pooled?.refill(WARMUP_ENTRIES);
      const warm = await runLoad({
        title: 'warm-up',
        url: server.baseUrl,
        connections: CONNECTIONS,
        durationSec: 3,
        requests: requests(),
      });
      warmupRate = Math.max(warmupRate, warm.requests_per_sec);
      await pooled?.settle();
    }
    const roundEntries = Math.ceil(warmupRate * ROUND_SEC * 2) + 1_000;
    const rounds: Round[] = [];
    for (let i = 0; i < pairs * 2; i++) {
      const build = balancedRound(i);
      const server = build === 'A' ? a : b;
      // the usual read: no session's once-a-minute touch falls due during the round (as in npm run bench)
      await markSessionsTouched(pool, sessions);
      await pooled?.refill(roundEntries);
      const monitor = new Monitor(server.child.pid, { url: database.url, name: database.name });
      await monitor.start();
      const m = await runLoad({
        title: `${scenario} ${build}`,
        url: server.baseUrl,
        connections: CONNECTIONS,
        durationSec: ROUND_SEC,
        requests: requests(),
      });
      const usage = await monitor.stop();
      await pooled?.settle();
      if (m.errors + m.non_2xx > 0) throw new Error(`${build}: ${m.errors + m.non_2xx} failed requests`);
      const perRequestUs = (pct: number) => round(((pct / 100) * 1e6) / m.requests_per_sec, 1);
      const r: Round = {
        build,
        requestsPerSec: round(m.requests_per_sec, 0),
        appCpuUs: perRequestUs(usage.server_cpu_pct),
        postgresCpuUs: perRequestUs(usage.postgres_cpu_pct),
      };
      rounds.push(r);
      log(
        `${build}: ${r.requestsPerSec} req/s, CPU per request app ${r.appCpuUs} µs + PostgreSQL ${r.postgresCpuUs} µs`,
      );
    }
    for (const build of ['A', 'B'] as const) {
      const mine = rounds.filter((r) => r.build === build);
      log(
        `${build} median of ${mine.length}: ${median(mine.map((r) => r.requestsPerSec))} req/s, CPU per request ` +
          `app ${round(median(mine.map((r) => r.appCpuUs)), 1)} µs + PostgreSQL ${round(median(mine.map((r) => r.postgresCpuUs)), 1)} µs`,
      );
    }
    await pool.end();
  } finally {
    await stopAllChildren();
    await database.drop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Merge or order entries, a fresh pool per run (refill) with indexes that never repeat, and settle(): the
 * wait after a run until no confirmation mail is pending (orders queue one each).
 */
async function pooledEntries(
  scenario: 'merge' | 'order',
  pool: Pool,
  baseUrl: string,
  common: { jwtSecret: string },
  products: readonly Product[],
): Promise<{
  requests: () => ReturnType<typeof mergeRequests>;
  refill: (count: number) => Promise<void>;
  settle: () => Promise<void>;
}> {
  let passwordHash = '';
  if (scenario === 'merge') {
    // one real hash, copied into every seeded account (nobody logs in with them: tokens are signed)
    const registered = await apiData<{ user: { id: string } }>(
      baseUrl,
      'POST',
      '/api/v1/auth/register',
      201,
      {
        body: { email: 'bench.ab@example.com', password: `pw-${randomHex(8)}` },
      },
    );
    const { rows } = await pool.query<{ password_hash: string }>(
      'select password_hash from users where id = $1',
      [registered.user.id],
    );
    passwordHash = rows[0].password_hash;
  }
  let next = 0;
  let merges = new EntryPool<MergeEntry>([]);
  let orders = new EntryPool<OrderEntry>([]);
  return {
    requests: () => (scenario === 'merge' ? mergeRequests(merges) : orderRequests(orders)),
    refill: async (count) => {
      const first = next;
      next += count;
      if (scenario === 'merge') {
        merges = new EntryPool(
          await mergeEntries(pool, common.jwtSecret, products, count, passwordHash, 'ab', first),
        );
      } else {
        orders = new EntryPool(await orderEntries(pool, products, count, 'ab', first));
      }
    },
    settle: async () => {
      if (scenario !== 'order') return;
      for (let waited = 0; waited < 60_000; waited += 250) {
        const { rows } = await pool.query<{ n: number }>(
          `select count(*)::int as n from mail_outbox where status = 'pending'`,
        );
        if (rows[0].n === 0) return;
        await sleep(250);
      }
      throw new Error('confirmation mails still pending 60 s after the round');
    },
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
