import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { serverUrl } from '../../support/test-database';
import { HttpResult, RequestOptions, TestApp } from '../../support/test-app';

/**
 * Bookkeeping shared by the reliability files: requests sent, faults injected, invariant checks, and a
 * scan of every error body for leaked internals. Each file prints its own row in afterAll and appends it
 * to a JSON-lines file of this run under the OS temp dir; zz-summary.rel-spec.ts prints the aggregate.
 */
export interface FileReport {
  file: string;
  backend: 'postgres' | 'pglite';
  scenarios: number;
  requests: number;
  faults: number;
  invariantChecks: number;
  invariantViolations: number;
  errorBodies: number;
  leaks: number;
  seconds: number;
}

export interface Leak {
  pattern: string;
  request: string;
  status: number;
  body: string;
}

/**
 * What an error body must never contain (contract §1: no stack trace or SQL). The brief's literal
 * `"at "` is narrowed to stack-frame shapes because "A cart holds at most 50 lines" is a legitimate
 * message; everything else is searched as given, plus PostgreSQL and Drizzle error wording.
 */
const LEAK_PATTERNS: [string, RegExp][] = [
  ['stack frame "at …"', /\bat (?:async )?[\w$.<>[\]]+ \(|\bat [^\s()]+:\d+:\d+|\n\s+at \S/],
  ['SELECT', /\bSELECT\b/],
  ['INSERT', /\bINSERT\b/],
  ['UPDATE … SET', /\bUPDATE\s+"?\w+"?\s+SET\b/i],
  ['DELETE FROM', /\bDELETE\s+FROM\b/i],
  ['node_modules', /node_modules/],
  ['.ts:', /\.ts:/],
  ['.js:<line>', /\.js:\d/],
  ['Drizzle "Failed query"', /Failed query/i],
  [
    'PostgreSQL error text',
    /violates .* constraint|duplicate key value|syntax error at or near|relation "\w+"/i,
  ],
  ['JS error class', /\b(TypeError|ReferenceError|RangeError|DrizzleQueryError|DatabaseError)\b/],
];

/** Patterns found in `raw` that the request itself did not contain (an echoed path is not a leak). */
export function leakedPatterns(raw: string, sent: string): string[] {
  return LEAK_PATTERNS.filter(([, re]) => re.test(raw) && !re.test(sent)).map(([name]) => name);
}

function runFile(): string {
  // globalSetup names the template uniquely per run (PGlite: a file with the runner's pid; server: a
  // random database name), so reports of different runs never mix.
  const runId = process.env.GC_TEST_PG_TEMPLATE ?? basename(process.env.GC_TEST_PGLITE_TEMPLATE ?? 'unknown');
  const digest = createHash('sha256').update(runId).digest('hex').slice(0, 12);
  return join(tmpdir(), `gc-reliability-${digest}.jsonl`);
}

export function readRunReports(): FileReport[] {
  const file = runFile();
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as FileReport);
}

export class Recorder {
  readonly leaks: Leak[] = [];
  private readonly startedAt = Date.now();
  private scenarios = 0;
  private requests = 0;
  private faults = 0;
  private invariantChecks = 0;
  private invariantViolations = 0;
  private errorBodies = 0;

  constructor(private readonly file: string) {}

  get backend(): 'postgres' | 'pglite' {
    return serverUrl() === undefined ? 'pglite' : 'postgres';
  }

  scenario(): void {
    this.scenarios++;
  }

  fault(count = 1): void {
    this.faults += count;
  }

  /** Counts an invariant check and its violations (each a message). */
  invariant(violations: readonly string[]): void {
    this.invariantChecks++;
    this.invariantViolations += violations.length;
  }

  /** The same app, with every request counted and every error body scanned for leaks. */
  track(t: TestApp): TestApp {
    const request = async (
      method: Parameters<TestApp['request']>[0],
      url: string,
      options: RequestOptions = {},
    ): Promise<HttpResult> => {
      this.requests++;
      const res = await t.request(method, url, options);
      if (res.status >= 400) this.scanError(method, url, options, res);
      return res;
    };
    return { ...t, request };
  }

  /** For requests sent around a tracked app (raw inject, several apps at once). */
  count(requests: number): void {
    this.requests += requests;
  }

  scanError(method: string, url: string, options: RequestOptions, res: HttpResult): void {
    this.errorBodies++;
    let decodedUrl = url;
    try {
      decodedUrl = decodeURIComponent(url);
    } catch {
      // a deliberately malformed escape: keep it as sent
    }
    const sent = [
      url,
      decodedUrl,
      options.rawBody ?? '',
      options.body === undefined ? '' : JSON.stringify(options.body),
    ].join('\n');
    for (const pattern of leakedPatterns(res.raw, sent)) {
      this.leaks.push({
        pattern,
        request: `${method} ${url}`,
        status: res.status,
        body: res.raw.slice(0, 500),
      });
    }
  }

  report(): FileReport {
    return {
      file: this.file,
      backend: this.backend,
      scenarios: this.scenarios,
      requests: this.requests,
      faults: this.faults,
      invariantChecks: this.invariantChecks,
      invariantViolations: this.invariantViolations,
      errorBodies: this.errorBodies,
      leaks: this.leaks.length,
      seconds: Math.round((Date.now() - this.startedAt) / 100) / 10,
    };
  }

  /** afterAll: prints this file's row and appends it to the run's report file. */
  finish(): void {
    const row = this.report();
    appendFileSync(runFile(), `${JSON.stringify(row)}\n`);
    console.table([row]);
  }
}
