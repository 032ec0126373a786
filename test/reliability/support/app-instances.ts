import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './processes';

export const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(ROOT, 'dist', 'main.js');

/**
 * A free port below the kernel's ephemeral range, for an instance that restarts on the same port: while it
 * is down, no outgoing connection (the proxy's, a health check's) can take its number as a local port,
 * which would hold the port (or connect a socket to itself) and keep the instance from listening again.
 */
export async function stablePort(): Promise<number> {
  const range = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
  const below = Math.min(Number(range[0]) || 32_768, 32_768);
  for (;;) {
    const port = randomInt(10_000, below);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
}

/** Newest modification time of any file under `dir` (ms). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `dist/main.js` as built from the current src/: CI's build step has made it already; a missing or
 * older build (a local run after an edit) is rebuilt once with `npx nest build`.
 */
export function ensureBuilt(): void {
  let built = 0;
  try {
    built = statSync(MAIN).mtimeMs;
  } catch {
    // not built yet
  }
  if (built >= newestMtime(join(ROOT, 'src'))) return;
  const build = spawnSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`nest build failed:\n${build.stdout}\n${build.stderr}`);
}

/** Every app process still running: killed if the test runner exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One JSON log line of the app (pino). */
export interface AppLogLine {
  level: number;
  time: number;
  msg?: string;
  context?: string;
}

/** Log lines kept from every instance: the app's own (not per-request) lines at info and above. */
function kept(line: string): boolean {
  return line !== '' && !line.includes('"request completed"');
}

/**
 * One real app process (`node dist/main.js`) on a fixed port; stop() sends SIGTERM and waits for the
 * exit, start() brings it back on the same port (a rolling restart). Its environment is only what the
 * test gives it plus PATH/HOME, and its working directory an empty temp dir, so no .env is read.
 */
export class AppInstance {
  readonly lines: AppLogLine[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | string> = Promise.resolve('not started');
  private stderr = '';
  private readonly cwd = mkdtempSync(join(tmpdir(), 'gc-multi-'));

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and waits until /health answers 200. */
  async start(timeoutMs = 90_000): Promise<void> {
    const child = spawn(process.execPath, [MAIN], {
      cwd: this.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: this.cwd,
        PORT: String(this.port),
        // a stop that does not look at the SIGTERM drain takes no time for it (the cluster sets its own)
        SHUTDOWN_DRAIN_SECONDS: '0',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve(code ?? signal ?? 'unknown');
      }),
    );
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) if (kept(text)) this.keep(text);
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    const healthy = await waitFor(async () => this.running && (await this.healthy()), timeoutMs, 100);
    if (!healthy) {
      const tail = this.lines.slice(-8).map((line) => JSON.stringify(line));
      throw new Error(
        `${this.name} (${this.running ? 'running' : 'exited'}) did not answer 200 on ${this.url}/health ` +
          `within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2_000)}; last log lines:\n${tail.join('\n')}`,
      );
    }
  }

  private keep(text: string): void {
    try {
      this.lines.push(JSON.parse(text) as AppLogLine);
    } catch {
      this.stderr += `${text}\n`; // not a log line of the app's logger: kept with what it wrote to stderr
    }
  }

  private async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** SIGTERM, then waits for the exit; returns the exit code and how long the shutdown took. */
  async stop(): Promise<{ exitCode: number | string; ms: number; stderr: string }> {
    const started = Date.now();
    if (this.running) this.child!.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout'), 20_000)));
    const exitCode = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (exitCode === 'timeout') this.child?.kill('SIGKILL');
    return { exitCode, ms: Date.now() - started, stderr: this.stderr };
  }

  /** The end of the test: stops the process (SIGKILL after 20 s) and removes its temp dir. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.cwd, { recursive: true, force: true });
  }

  /** Lines with this `msg` prefix written at or after `since` (ms since the epoch). */
  logged(prefix: string, since = 0): AppLogLine[] {
    return this.lines.filter((line) => line.time >= since && line.msg?.startsWith(prefix) === true);
  }
}
