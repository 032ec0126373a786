import type { LoadMeasurement } from './load';
import type { JwtVerifyMicro } from './micro';
import type { ResourceUsage } from './monitor';
import { MetricsCostCheck, metricsCostMarkdown } from './metrics-cost';
import type { QueryCount } from './query-counts';
import type { ScenarioKey, Target } from './scenarios';

export interface RunResult {
  key:
    ScenarioKey | 'baseline' | 'nest_floor' | 'pglite_get_cart' | 'scale_10k' | 'scale_1m' | 'during_cleanup';
  name: string;
  server: string;
  measurement: LoadMeasurement;
  /**
   * req/s over the baseline's: the mean of the baseline runs just before and after this one where
   * baseline_rps is set, else the run's first baseline
   */
  ratio: number | null;
  /** the baseline runs that bracket this one (every run with a ratio target, and /health) */
  baseline_rps?: { before: number; after: number };
  /** to the run's first baseline, measured before the app started */
  ratio_to_first_baseline?: number;
  target?: Target;
  /** met / not met per bound of the target (only the bounds the target has), when there is a target */
  met?: { ratio?: boolean; min_rps?: boolean; p99?: boolean };
  /** what the scenario loads and why its target is what it is (SCENARIOS) */
  description?: string;
  failures: number;
  resources: ResourceUsage;
  pool?: { size: number; used: number; exhausted: number; sized_from_pilot_rps?: number };
  sessions_in_table?: number;
  /** measured runs it took (a run disturbed by other processes is repeated) */
  attempts?: number;
}

/** The hot-product scenario's checks on the database once its orders have settled. */
export interface HotProductCheck {
  provider_latency_ms: number;
  product_sku: string;
  initial_stock: number;
  stock_after: number;
  /** units of the product in its orders that hold stock (neither cancelled nor payment_failed) */
  units_held: number;
  orders_by_status: Record<string, number>;
  /** orders still awaiting payment once the run settled (or the wait ended): must be 0 */
  awaiting_payment_left: number;
  /** from the end of the load until no order was awaiting payment (or the wait ended) */
  settle_sec: number;
  /** 201 answers the load generator saw (smoke order, pilot, warm-up and measured runs) */
  created_responses: number;
  /** guest carts the scenario handed out (each request consumes one) */
  carts_consumed: number;
  /** guest sessions with more than one order that holds stock: must be 0 */
  doubled_carts: number;
  /** broken invariants; each one fails the run like a failed request */
  violations: string[];
}

export interface ExplainedQuery {
  label: string;
  sql: string;
  params: (string | null)[];
  plan: string;
}

export interface BenchResults {
  generated_at: string;
  mode: 'full' | 'quick';
  duration_sec: number;
  connections: number;
  machine: {
    nproc: number;
    memory_gib: number;
    cpu: string;
    node: string;
    postgres: string;
    os: string;
    /** 1-minute load average when the run started: other work on the machine skews the numbers */
    loadavg_at_start: number;
  };
  seed: Record<string, number>;
  runs: RunResult[];
  peak_rss_mib: Record<string, number | null>;
  query_counts: Partial<Record<ScenarioKey | 'cleanup', QueryCount>>;
  micro: { jwt_verify: JwtVerifyMicro };
  /** the confirmation mails of the order scenario, sent by the app's dispatcher before the next scenario */
  outbox_drain?: { pending_after_orders: number; seconds: number; left: number; sent_total: number };
  hot_product?: HotProductCheck;
  metrics_cost?: MetricsCostCheck;
  scale?: {
    sessions_small: number;
    sessions_large: number;
    /** the large run's req/s over the small run's, each divided by the baseline measured around it */
    get_cart_rps_ratio_large_vs_small: number;
    inserted_expired_sessions: number;
    insert_sec: number;
    cleanup: {
      wall_sec: number;
      /** started_at → finished_at as the cleanup recorded it (without the CLI's start-up) */
      deleting_sec: number | null;
      deleted: Record<string, number>;
      expired_left: number;
      reads_p99_ms: number;
      reads_p99_before_ms: number;
    };
    explain: ExplainedQuery[];
  };
  total_failures: number;
  duration_total_sec: number;
}

const fmt = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined ? '—' : value.toFixed(digits);

function targetCell(run: RunResult): string {
  const target = run.target;
  const met = run.met;
  if (target === undefined || met === undefined) return '';
  const mark = (ok: boolean | undefined): string => (ok === true ? 'met' : '**not met**');
  const parts: string[] = [];
  if (target.ratio !== undefined) parts.push(`ratio ≥ ${target.ratio}: ${mark(met.ratio)}`);
  if (target.min_rps !== undefined) parts.push(`≥ ${target.min_rps} req/s: ${mark(met.min_rps)}`);
  if (target.p99_ms !== undefined) parts.push(`p99 ≤ ${target.p99_ms} ms: ${mark(met.p99)}`);
  return parts.join('; ');
}

/** Whether the throughput bounds of a run's target (ratio, min_rps) are met; undefined without any. */
export function throughputMet(run: RunResult): boolean | undefined {
  if (run.met === undefined) return undefined;
  const bounds = [run.met.ratio, run.met.min_rps].filter((ok) => ok !== undefined);
  return bounds.length === 0 ? undefined : bounds.every((ok) => ok);
}

export const DISTURBANCE_PCT = 25;

/**
 * Hypervisor steal (CPU time the host gave to other guests while ours wanted it), % of one core, above
 * which a run is repeated like one disturbed by other processes: on a shared host it cuts every process
 * of the run (app, PostgreSQL, load generator) by an amount that changes from run to run.
 */
export const STEAL_PCT = 10;

/** How much a run was disturbed from outside: other processes plus hypervisor steal, % of one core. */
export function disturbance(run: Pick<RunResult, 'resources'>): number {
  return run.resources.other_cpu_pct + run.resources.steal_cpu_pct;
}

/** Runs during which other processes took a noticeable share of the CPU (the cleanup run excepted). */
export function disturbedRuns(results: BenchResults): string[] {
  return results.runs
    .filter((run) => run.key !== 'during_cleanup' && run.resources.other_cpu_pct > DISTURBANCE_PCT)
    .map(
      (run) =>
        `${run.name} (${run.server}: ${run.resources.other_top.map((p) => `${p.comm} ${p.cpu_pct}%`).join(', ')})`,
    );
}

/** The results table (also printed to stdout). */
export function markdownTable(results: BenchResults): string {
  const lines = [
    '| scenario | server | req/s | p50 ms | p97.5 ms | p99 ms | errors / non-2xx | ratio vs baseline | baseline just before / after, req/s (ratio to the first) | target |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const run of results.runs) {
    const m = run.measurement;
    const bracket =
      run.baseline_rps === undefined
        ? ''
        : `${run.baseline_rps.before.toFixed(0)} / ${run.baseline_rps.after.toFixed(0)} (${fmt(run.ratio_to_first_baseline, 3)})`;
    lines.push(
      `| ${run.name} | ${run.server} | ${m.requests_per_sec.toFixed(0)} | ${fmt(m.p50_ms)} | ${fmt(m.p97_5_ms)} | ${fmt(
        m.p99_ms,
      )} | ${m.errors} / ${m.non_2xx} | ${fmt(run.ratio, 3)} | ${bracket} | ${targetCell(run)} |`,
    );
  }
  lines.push(
    '',
    'Ratios: every run with a ratio target (and `/health`) is divided by the mean of the baseline runs just ' +
      'before and just after it (the baseline server stays up until the PGlite run is done; consecutive runs share ' +
      'the baseline run between them), so the host drifting during the run is not read as a gap; the ' +
      'ratio to the first baseline, measured before the app started, is in brackets. Other rows: to the first baseline.',
  );
  return lines.join('\n');
}

export function markdownReport(results: BenchResults): string {
  const out: string[] = [];
  const machine = results.machine;
  out.push(`# Benchmark results (${results.mode})`, '');
  out.push(
    `${results.generated_at} · ${machine.nproc} cores (${machine.cpu}) · ${machine.memory_gib} GiB · Node ${machine.node} · ${machine.postgres} · ` +
      `${results.connections} connections, ${results.duration_sec} s per scenario · whole run ${Math.round(results.duration_total_sec)} s · ` +
      `1-min load average at the start ${machine.loadavg_at_start}`,
    '',
  );
  out.push(markdownTable(results), '');
  const described = results.runs.filter((run) => run.description !== undefined);
  for (const run of described) out.push(`**${run.name}:** ${run.description}`, '');
  if (results.hot_product !== undefined) out.push(...hotProductMarkdown(results.hot_product));
  if (results.metrics_cost !== undefined) out.push(...metricsCostMarkdown(results.metrics_cost));
  const rss = Object.entries(results.peak_rss_mib)
    .map(([name, mib]) => `${name} ${mib === null ? '—' : `${mib.toFixed(0)} MiB`}`)
    .join(' · ');
  out.push(`Peak RSS (VmHWM): ${rss}`, '');
  if (results.outbox_drain !== undefined) {
    const d = results.outbox_drain;
    out.push(
      `Mail outbox after the order scenario: ${d.pending_after_orders} confirmation mails still pending, sent by the ` +
        `app's dispatcher (.eml files) in ${d.seconds} s before the next scenario started` +
        (d.left > 0 ? ` (${d.left} still pending when the harness stopped waiting)` : '') +
        '.',
      '',
    );
  }
  if (results.scale !== undefined) {
    const s = results.scale;
    out.push(
      `Scale: GET guest cart with ${s.sessions_large.toLocaleString('en-US')} sessions in the table runs at ` +
        `${s.get_cart_rps_ratio_large_vs_small.toFixed(2)}× the req/s it has with ${s.sessions_small.toLocaleString('en-US')} ` +
        `(each run's req/s divided by the baseline measured just before and after it). ` +
        `Cleanup of ${s.inserted_expired_sessions.toLocaleString('en-US')} expired sessions (each with a cart): ` +
        `${s.cleanup.wall_sec.toFixed(1)} s wall (CLI start-up included), ${fmt(s.cleanup.deleting_sec, 1)} s deleting; ` +
        `expired sessions left: ${s.cleanup.expired_left}; p99 of concurrent GET-cart reads ` +
        `${s.cleanup.reads_p99_ms.toFixed(2)} ms (before the cleanup: ${s.cleanup.reads_p99_before_ms.toFixed(2)} ms).`,
      '',
    );
  }
  out.push('## Resources during each run', '');
  out.push(
    '| run | measured runs | server CPU % | PostgreSQL CPU % | load generator CPU % | other processes CPU % | interrupts / steal % | machine busy % | DB sessions active | waiting on a lock | idle in transaction |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const run of results.runs) {
    const r = run.resources;
    out.push(
      `| ${run.name} (${run.server}) | ${run.attempts ?? 1} | ${r.server_cpu_pct} | ${r.postgres_cpu_pct} | ${r.loadgen_cpu_pct} | ${r.other_cpu_pct} | ${r.irq_cpu_pct} / ${r.steal_cpu_pct} | ${r.machine_busy_pct} | ${r.db_sessions.active} | ${r.db_sessions.waiting_on_lock} | ${r.db_sessions.idle_in_transaction} |`,
    );
  }
  out.push(
    '',
    'A run during which other processes used more than ' +
      `${DISTURBANCE_PCT}% of a core, or the hypervisor stole more than ${STEAL_PCT}% of one (steal), is repeated ` +
      '(up to 3 runs); the least disturbed run (other processes + steal) is reported. ' +
      `CPU in % of one core (the machine has ${machine.nproc}); "other processes" is whatever else ran on the ` +
      'machine meanwhile (during the cleanup run: the cleanup CLI itself). DB sessions: mean of 200 ms samples ' +
      'of pg_stat_activity for the benchmark database.',
    '',
  );
  const disturbed = disturbedRuns(results);
  if (disturbed.length > 0) {
    out.push(
      `**Warning:** other processes used more than ${DISTURBANCE_PCT}% of a core during: ${disturbed.join(', ')}. ` +
        'Those numbers are lower than the machine can do; rerun on a quiet machine.',
      '',
    );
  }
  const counts = Object.entries(results.query_counts);
  if (counts.length > 0) {
    out.push('## Statements per request (PostgreSQL app, counted at the wire)', '');
    out.push(
      '| request | statements per request | by kind | mail-dispatcher statements meanwhile (all requests) |',
      '| --- | ---: | --- | ---: |',
    );
    for (const [key, count] of counts) {
      const kinds = Object.entries(count.by_kind)
        .map(([kind, n]) => `${kind} ${n.toFixed(n % 1 === 0 ? 0 : 2)}`)
        .join(', ');
      out.push(
        `| ${key} | ${count.per_request.toFixed(2)} | ${kinds} | ${Math.round(count.background_per_request * count.requests)} |`,
      );
    }
    out.push(
      '',
      'Counted by a wire-protocol proxy in front of a second app instance, requests sent one at a time. The ' +
        'dispatcher polls the outbox every second and right after an order is queued; its statements are not ' +
        'part of any response.',
      '',
    );
    for (const [key, count] of counts) {
      out.push(`<details><summary>${key}: the statements of one request</summary>`, '', '```sql');
      for (const statement of count.statements) {
        const times = statement.per_request === 1 ? '' : ` -- ×${statement.per_request}`;
        out.push(`${statement.sql.length > 300 ? `${statement.sql.slice(0, 300)}…` : statement.sql}${times}`);
      }
      out.push('```', '', '</details>', '');
    }
  }
  const jwt = results.micro.jwt_verify;
  out.push(
    '## Micro-benchmark: JWT verification',
    '',
    `@nestjs/jwt \`verifyAsync\` of an HS256 token, ${jwt.iterations} calls: ${jwt.string_secret_us} µs per call with the ` +
      `secret as a string, ${jwt.key_object_us} µs with the same secret as a KeyObject (what the app uses).`,
    '',
  );
  if (results.scale !== undefined && results.scale.explain.length > 0) {
    out.push('## EXPLAIN ANALYZE with 1M expired sessions in the table', '');
    for (const explained of results.scale.explain) {
      out.push(
        `### ${explained.label}`,
        '',
        '```sql',
        explained.sql,
        '```',
        '',
        '```',
        explained.plan,
        '```',
        '',
      );
    }
  }
  return `${out.join('\n')}\n`;
}

function hotProductMarkdown(h: HotProductCheck): string[] {
  const statuses = Object.entries(h.orders_by_status)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  return [
    '## Hot product: stock and orders after the run',
    '',
    '| check | value |',
    '| --- | ---: |',
    `| product | ${h.product_sku} |`,
    `| provider latency per call | ${h.provider_latency_ms} ms |`,
    `| initial stock | ${h.initial_stock} |`,
    `| stock after the run | ${h.stock_after} |`,
    `| units in orders holding stock (not cancelled, not payment_failed) | ${h.units_held} |`,
    `| stock + units held − initial stock (must be 0) | ${h.stock_after + h.units_held - h.initial_stock} |`,
    `| orders by status | ${statuses || 'none'} |`,
    `| orders left awaiting_payment (must be 0) | ${h.awaiting_payment_left} |`,
    `| time for the orders in flight to settle after the load | ${h.settle_sec.toFixed(1)} s |`,
    `| 201 answers (smoke, pilot, runs) | ${h.created_responses} |`,
    `| guest carts handed out | ${h.carts_consumed} |`,
    `| carts with more than one order holding stock (must be 0) | ${h.doubled_carts} |`,
    '',
    h.violations.length === 0
      ? 'No invariant broken: at least as many paid orders as 201 answers, no cart ordered twice, the stock adds up.'
      : `**Broken invariants (the run fails):** ${h.violations.join('; ')}`,
    '',
  ];
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const shortServer = (server: string): string => /\(([^)]+)\)/.exec(server)?.[1] ?? server;

/** A hand-written horizontal bar chart of req/s ratios to the baseline, with the target as a tick. */
export function svgChart(results: BenchResults): string {
  const rows = results.runs.filter((run) => run.ratio !== null && run.key !== 'baseline');
  const baselineRps = results.runs.find((run) => run.key === 'baseline')?.measurement.requests_per_sec ?? 0;
  // an absolute req/s target drawn on the ratio axis: its share of this run's baseline
  const minRpsRatio = (run: RunResult): number | undefined =>
    run.target?.min_rps === undefined || baselineRps <= 0 ? undefined : run.target.min_rps / baselineRps;
  const labelWidth = 400;
  const chartWidth = 420;
  const rowHeight = 30;
  const top = 46;
  const width = labelWidth + chartWidth + 80;
  const height = top + rows.length * rowHeight + 40;
  const ticks = (run: RunResult): number[] =>
    [run.target?.ratio, minRpsRatio(run)].filter((tick): tick is number => tick !== undefined);
  const max = Math.max(1, ...rows.map((run) => run.ratio ?? 0)) * 1.05;
  const x = (ratio: number): number => labelWidth + (ratio / max) * chartWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">req/s as a share of the bare Fastify + SELECT 1 baseline (${escapeXml(
      results.mode,
    )} run, ${results.connections} connections)</text>`,
  ];
  for (let tick = 0; tick <= max + 1e-9; tick += max > 2 ? 0.5 : 0.25) {
    const tx = x(tick);
    parts.push(
      `<line x1="${tx.toFixed(1)}" y1="${top - 6}" x2="${tx.toFixed(1)}" y2="${top + rows.length * rowHeight}" stroke="#e0e0e0"/>`,
      `<text x="${tx.toFixed(1)}" y="${top + rows.length * rowHeight + 16}" text-anchor="middle" fill="#555">${tick.toFixed(2)}</text>`,
    );
  }
  rows.forEach((run, i) => {
    const y = top + i * rowHeight;
    const ratio = run.ratio ?? 0;
    const met = throughputMet(run);
    const colour = met === undefined ? '#8c8c8c' : met ? '#2e8b57' : '#d9534f';
    const absolute =
      run.target?.min_rps === undefined
        ? ''
        : ` (${run.measurement.requests_per_sec.toFixed(0)} req/s; target ≥ ${run.target.min_rps} req/s)`;
    // an absolute target's tick sits near the axis: its label goes right of the tick, not across it
    const textX = absolute === '' ? x(ratio) : Math.max(x(ratio), ...ticks(run).map(x));
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 19}" text-anchor="end">${escapeXml(`${run.name} · ${shortServer(run.server)}`)}</text>`,
      `<rect x="${labelWidth}" y="${y + 5}" width="${Math.max(1, x(ratio) - labelWidth).toFixed(1)}" height="${rowHeight - 10}" fill="${colour}"/>`,
      `<text x="${(textX + 6).toFixed(1)}" y="${y + 19}">${ratio.toFixed(ratio < 0.01 ? 3 : 2)}${escapeXml(absolute)}</text>`,
    );
    for (const tick of ticks(run)) {
      const tx = x(tick);
      parts.push(
        `<line x1="${tx.toFixed(1)}" y1="${y + 2}" x2="${tx.toFixed(1)}" y2="${y + rowHeight - 2}" stroke="#000" stroke-width="2"/>`,
      );
    }
  });
  parts.push(
    `<text x="10" y="${height - 8}" fill="#555">green: throughput target met · red: not met · grey: no target · black tick: target (an absolute req/s target as its share of the baseline)</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
