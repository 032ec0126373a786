import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_DATABASE_NODE_FLAGS } from '../../src/database/embedded-node-flags';

// two starts of the real entry point, compiled on the fly: slow on a busy machine, but never timed
jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const ADMIN_EMAIL = 'zq.startup.admin@logseed.example';
const MIGRATIONS = (
  JSON.parse(readFileSync(join(ROOT, 'src/database/migrations/meta/_journal.json'), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

interface LogLine {
  level: number;
  msg?: string;
  context?: string;
  [key: string]: unknown;
}

interface Run {
  lines: LogLine[];
  /** the running server's command line, as the operating system shows it (/proc) */
  commandLine: string[];
  exitCode: number | null;
  stderr: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts src/main.ts as `npm start` does (JSON logs on stdout), waits for its listening line, sends one
 * request, then `signal`, and collects every line until the process exits.
 */
async function startAndStop(env: Record<string, string>, signal: NodeJS.Signals): Promise<Run> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/main.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        JWT_SECRET: 'start-up-test-secret-0123456789abcdefghij',
        PORT: String(port),
        // these runs look at the lines, not at the SIGTERM drain (multi-instance.rel-spec.ts does)
        SHUTDOWN_DRAIN_SECONDS: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const lines: LogLine[] = [];
  let stderr = '';
  let partial = '';
  let listening: () => void = () => {};
  const listened = new Promise<void>((resolve) => (listening = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts.filter((part) => part !== '')) {
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      if (line.context === 'Bootstrap' && line.msg?.startsWith('listening on')) listening();
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await Promise.race([listened, exited]);
  let commandLine: string[] = [];
  if (child.exitCode === null) {
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    commandLine = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    child.kill(signal);
  }
  const exitCode = await exited;
  children.delete(child);
  return { lines, commandLine, exitCode, stderr };
}

const children = new Set<ChildProcess>();
const dataDir = mkdtempSync(join(tmpdir(), 'gc-start-'));

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const INFO = 30;
const DEBUG = 20;
/** Everything but the per-request lines. */
const appLines = (run: Run, level: number) =>
  run.lines.filter((line) => line.level === level && line.msg !== 'request completed');

describe('start-up and shutdown lines (README → Start-up and logs)', () => {
  let first: Run;
  let second: Run;

  beforeAll(async () => {
    // a fresh embedded database with an admin account to create; then the same database again
    first = await startAndStop(
      { DATA_DIR: dataDir, ADMIN_EMAIL, ADMIN_PASSWORD: 'start-up-password', LOG_LEVEL: 'info' },
      'SIGTERM',
    );
    second = await startAndStop({ DATA_DIR: dataDir, LOG_LEVEL: 'debug' }, 'SIGINT');
  });

  it('starts and stops cleanly on SIGTERM and SIGINT', () => {
    expect({ exitCode: first.exitCode, stderr: first.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect({ exitCode: second.exitCode, stderr: second.stderr }).toEqual({ exitCode: 0, stderr: '' });
  });

  it('writes at info one database line, the first start’s own work, one listening line and one stop line', () => {
    const port = /localhost:(\d+)/.exec(
      appLines(first, INFO).find((l) => l.context === 'Bootstrap')?.msg ?? '',
    )?.[1];
    expect(appLines(first, INFO).map((line) => [line.context, line.msg])).toEqual([
      [
        'Database',
        `embedded PGlite at ${join(dataDir, 'pglite')}: ${MIGRATIONS} migrations, ${MIGRATIONS} applied now`,
      ],
      // what only a first start on an empty database does
      ['CatalogService', 'seeded the demo catalog (10 products)'],
      ['AuthService', 'created the admin account from ADMIN_EMAIL'],
      ['Bootstrap', `listening on http://localhost:${port} (Swagger UI at http://localhost:${port}/docs)`],
      ['Bootstrap', expect.stringMatching(/^stopped on SIGTERM in \d+ ms \(drained 0 ms first\)$/)],
    ]);
  });

  it('says the schema is current on a later start, and stops on SIGINT the same way', () => {
    const info = appLines(second, INFO).map((line) => [line.context, line.msg]);
    expect(info).toEqual([
      [
        'Database',
        `embedded PGlite at ${join(dataDir, 'pglite')}: ${MIGRATIONS} migrations, schema up to date`,
      ],
      [
        'Bootstrap',
        expect.stringMatching(/^listening on http:\/\/localhost:\d+ \(Swagger UI at .*\/docs\)$/),
      ],
      ['Bootstrap', expect.stringMatching(/^stopped on SIGINT in \d+ ms$/)],
    ]);
  });

  it('keeps Nest’s module and route listing and Fastify’s listening lines at debug', () => {
    const debug = appLines(second, DEBUG);
    const contexts = new Set(debug.map((line) => line.context));
    for (const context of ['InstanceLoader', 'RoutesResolver', 'RouterExplorer']) {
      expect(contexts).toContain(context);
    }
    expect(debug.map((line) => line.msg)).toContainEqual(expect.stringMatching(/^Fastify listening at /));
    const noisy = [...first.lines, ...second.lines].filter(
      (line) =>
        line.level >= INFO &&
        (['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication'].includes(
          line.context ?? '',
        ) ||
          /listening at/i.test(line.msg ?? '')),
    );
    expect(noisy).toEqual([]);
  });

  it('serves from PGlite in the same process re-executed with the embedded-database V8 flags', () => {
    // Node with process.execve (≥ 23.11) re-executes itself with them; Node 20 runs as started
    const reexecs = typeof (process as { execve?: unknown }).execve === 'function';
    for (const run of [first, second]) {
      const flags = EMBEDDED_DATABASE_NODE_FLAGS.filter((flag) => run.commandLine.includes(flag));
      expect(flags).toEqual(reexecs ? EMBEDDED_DATABASE_NODE_FLAGS : []);
      // what it was started with comes after them, unchanged
      expect(run.commandLine.slice(-3)).toEqual([
        '-r',
        'ts-node/register/transpile-only',
        join(ROOT, 'src/main.ts'),
      ]);
    }
  });

  it('writes no customer data and no credentials (contract §12)', () => {
    const text = JSON.stringify([...first.lines, ...second.lines]);
    expect(text).not.toContain(ADMIN_EMAIL);
    expect(text).not.toContain('start-up-password');
    expect(text).not.toContain('start-up-test-secret');
  });
});
