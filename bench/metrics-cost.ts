import type autocannon from 'autocannon';
import { runLoad } from './load';
import { Monitor } from './monitor';
import type { Server } from './servers';
import { balancedRound, log, round } from './util';

/** Issue 14: GET /metrics must stay cheap on the hot path. */
export const METRICS_COST_TARGET_PCT = 5;

export interface MetricsCostRound {
  metrics: 'on' | 'off';
  requests_per_sec: number;
  /** the server process's CPU per request, µs (CPU % of one core / req/s) */
  server_cpu_us_per_req: number;
  p99_ms: number;
}

/**
 * The cost of the metrics on GET guest cart: the same requests against two instances of the app on the
 * same database, one with METRICS_TOKEN (every request counted and timed by route template, as in
 * production) and one without (no instrumentation at all), in balanced rounds (on, off, off, on, off, on, on, off)
 * so that drift on the machine hits both alike. Compared by medians: throughput, and the server's CPU
 * per request (less sensitive to what else the machine does).
 */
export interface MetricsCostCheck {
  scenario: string;
  rounds: MetricsCostRound[];
  requests_per_sec: { on: number; off: number };
  server_cpu_us_per_req: { on: number; off: number };
  /** 1 − on/off throughput, % */
  throughput_cost_pct: number;
  /** on/off CPU per request − 1, % */
  cpu_cost_pct: number;
  target_pct: number;
  met: boolean;
}

export interface MetricsCostArgs {
  scenario: string;
  on: Server;
  off: Server;
  database: { url: string; name: string };
  requests: () => autocannon.Request[];
  /** run before every measured round (both instances read the same sessions) */
  beforeRound?: () => Promise<void>;
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** on/off pairs; rounds go on, off, off, on, off, on, on, off, … (balancedRound) */
  pairs: number;
}

export async function measureMetricsCost(args: MetricsCostArgs): Promise<MetricsCostCheck> {
  for (const server of [args.on, args.off]) {
    await runLoad({
      title: 'warm-up',
      url: server.baseUrl,
      connections: args.connections,
      durationSec: args.warmupSec,
      requests: args.requests(),
    });
  }
  const rounds: MetricsCostRound[] = [];
  for (let i = 0; i < args.pairs * 2; i++) {
    // on, off, off, on, off, on, on, off (bench/util.ts balancedRound)
    const metrics = balancedRound(i) === 'A' ? 'on' : 'off';
    const server = metrics === 'on' ? args.on : args.off;
    await args.beforeRound?.();
    const monitor = new Monitor(server.child.pid, args.database);
    await monitor.start();
    const m = await runLoad({
      title: `${args.scenario}, metrics ${metrics}`,
      url: server.baseUrl,
      connections: args.connections,
      durationSec: args.durationSec,
      requests: args.requests(),
    });
    const resources = await monitor.stop();
    const failures = m.errors + m.non_2xx;
    if (failures > 0) throw new Error(`metrics cost: ${failures} failed requests with metrics ${metrics}`);
    const round_: MetricsCostRound = {
      metrics,
      requests_per_sec: round(m.requests_per_sec, 0),
      server_cpu_us_per_req: round((resources.server_cpu_pct / 100 / m.requests_per_sec) * 1e6, 1),
      p99_ms: m.p99_ms,
    };
    rounds.push(round_);
    log(
      `  metrics ${metrics}: ${round_.requests_per_sec} req/s, ${round_.server_cpu_us_per_req} µs of server CPU per request, p99 ${m.p99_ms} ms`,
    );
  }
  const median = (metrics: 'on' | 'off', pick: (r: MetricsCostRound) => number) =>
    medianOf(rounds.filter((r) => r.metrics === metrics).map(pick));
  const rps = { on: median('on', (r) => r.requests_per_sec), off: median('off', (r) => r.requests_per_sec) };
  const cpu = {
    on: median('on', (r) => r.server_cpu_us_per_req),
    off: median('off', (r) => r.server_cpu_us_per_req),
  };
  const throughputCost = round((1 - rps.on / rps.off) * 100, 1);
  const cpuCost = round((cpu.on / cpu.off - 1) * 100, 1);
  return {
    scenario: args.scenario,
    rounds,
    requests_per_sec: rps,
    server_cpu_us_per_req: cpu,
    throughput_cost_pct: throughputCost,
    cpu_cost_pct: cpuCost,
    target_pct: METRICS_COST_TARGET_PCT,
    met: throughputCost < METRICS_COST_TARGET_PCT,
  };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : round((sorted[mid - 1] + sorted[mid]) / 2, 1);
}

export function metricsCostMarkdown(c: MetricsCostCheck): string[] {
  return [
    '## Metrics: what GET /metrics costs on the hot path',
    '',
    `${c.scenario} against two fresh app instances on the same database, one with METRICS_TOKEN set (every ` +
      'request counted and timed by route template) and one without (no instrumentation), in balanced ' +
      `rounds (on, off, off, on, off, on, on, off). Target: under ${c.target_pct} % of throughput.`,
    '',
    '| round | metrics | req/s | server CPU per request (µs) | p99 (ms) |',
    '| ---: | --- | ---: | ---: | ---: |',
    ...c.rounds.map(
      (r, i) =>
        `| ${i + 1} | ${r.metrics} | ${r.requests_per_sec} | ${r.server_cpu_us_per_req} | ${r.p99_ms} |`,
    ),
    '',
    `Medians: ${c.requests_per_sec.on} req/s with metrics, ${c.requests_per_sec.off} without: ` +
      `**${c.throughput_cost_pct} %** of throughput (${c.met ? 'met' : '**not met**'}); server CPU per ` +
      `request ${c.server_cpu_us_per_req.on} µs vs ${c.server_cpu_us_per_req.off} µs (${c.cpu_cost_pct} %). ` +
      'A negative cost is noise: the two instances differ by less than the run-to-run spread.',
    '',
  ];
}
