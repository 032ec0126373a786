import autocannon from 'autocannon';
import { percentile, round } from './util';

/**
 * Seconds of GET guest cart a freshly started app gets before anything is measured on it (npm run bench's
 * full run and bench:ab): for about its first 10 s under load an app costs ~40 % more CPU per request,
 * and its PostgreSQL backends more too (the JIT's tiers, first touches of memory; on this VM page faults
 * are dear).
 */
export const FRESH_APP_WARMUP_SEC = 15;

export interface LoadSpec {
  title: string;
  /** base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  connections: number;
  /** seconds; ignored when `amount` is set */
  durationSec: number;
  /** stop after this many requests instead (pilot runs) */
  amount?: number;
  requests: autocannon.Request[];
}

export interface LoadMeasurement {
  requests_per_sec: number;
  p50_ms: number;
  p97_5_ms: number;
  p99_ms: number;
  max_ms: number;
  requests_total: number;
  /** connection errors and timeouts */
  errors: number;
  non_2xx: number;
  status_codes: Record<string, number>;
  duration_sec: number;
  /** from the start to the last response (autocannon ends runs on a whole second) */
  active_sec: number;
}

export interface RunningLoad {
  done: Promise<LoadMeasurement>;
  /** ends the run early (the cleanup scenario runs reads until the cleanup is over) */
  stop(): void;
}

/**
 * One autocannon run. Latency percentiles are computed here from every response time (autocannon's
 * own histogram keeps whole milliseconds, too coarse for sub-millisecond p50s).
 */
export function startLoad(spec: LoadSpec): RunningLoad {
  const latencies: number[] = [];
  const startedAt = Date.now();
  let lastResponseAt = startedAt;
  let stop = (): void => undefined;
  const done = new Promise<LoadMeasurement>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.durationSec,
        amount: spec.amount,
        requests: spec.requests,
        timeout: 10,
        title: spec.title,
      },
      (error: Error | null, result: autocannon.Result) => {
        if (error !== null && error !== undefined) {
          reject(error);
          return;
        }
        latencies.sort((a, b) => a - b);
        const statusCodes: Record<string, number> = {};
        for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
          statusCodes[code] = stat.count ?? 0;
        }
        const completed = result.requests.total;
        resolve({
          // completed responses per second of the run (autocannon's per-second mean, or the total
          // over the elapsed time for runs that end by amount or stop())
          requests_per_sec: round(
            spec.amount === undefined && result.duration >= spec.durationSec
              ? result.requests.average
              : completed / Math.max(0.001, result.duration),
            0,
          ),
          p50_ms: round(percentile(latencies, 50)),
          p97_5_ms: round(percentile(latencies, 97.5)),
          p99_ms: round(percentile(latencies, 99)),
          max_ms: round(latencies.length === 0 ? 0 : latencies[latencies.length - 1]),
          requests_total: completed,
          errors: result.errors,
          non_2xx: result.non2xx,
          status_codes: statusCodes,
          duration_sec: result.duration,
          active_sec: round((lastResponseAt - startedAt) / 1000, 3),
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      lastResponseAt = Date.now();
    });
    stop = () => instance.stop();
  });
  return { done, stop: () => stop() };
}

export function runLoad(spec: LoadSpec): Promise<LoadMeasurement> {
  return startLoad(spec).done;
}

/**
 * Hands out pool entries to autocannon's setupRequest, one per request, never twice. A request that
 * finds the pool empty goes to a path that answers 404, so it counts as an error (and the run fails).
 */
export class EntryPool<T> {
  private next = 0;
  exhausted = 0;

  constructor(private readonly entries: readonly T[]) {}

  get size(): number {
    return this.entries.length;
  }

  get used(): number {
    return Math.min(this.next, this.entries.length);
  }

  take(): T | undefined {
    if (this.next >= this.entries.length) {
      this.exhausted++;
      return undefined;
    }
    return this.entries[this.next++];
  }
}

export const POOL_EXHAUSTED_PATH = '/__bench/pool-exhausted';

/** Cycles through entries forever (reads and idempotent writes may repeat). */
export class RoundRobin<T> {
  private next = 0;
  constructor(private readonly entries: readonly T[]) {
    if (entries.length === 0) throw new Error('RoundRobin needs at least one entry');
  }
  take(): T {
    const entry = this.entries[this.next];
    this.next = (this.next + 1) % this.entries.length;
    return entry;
  }
}
