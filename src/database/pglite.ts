import { PGlite } from '@electric-sql/pglite';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EMBEDDED_DATABASE_NODE_FLAGS } from './embedded-node-flags';

/**
 * PGlite's PostgreSQL settings. Its default shared_buffers (160 MB) is a server's; one embedded process
 * with a small shop's working set does with 16 MB (the benchmark's GET guest cart on PGlite did not slow
 * down) and keeps the process's memory down (issue 13: peak RSS 944 → 366 MiB with the child-process
 * initdb below).
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB'];

export function openPglite(dataDir: string | undefined): PGlite {
  if (dataDir === undefined) return new PGlite({ postgresqlconf: PGLITE_SETTINGS });
  mkdirSync(dataDir, { recursive: true });
  lockDataDir(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) initializePgliteDataDir(dataDir);
  return new PGlite(dataDir, { postgresqlconf: PGLITE_SETTINGS });
}

/**
 * A new data directory is initialised (PostgreSQL's initdb, in WebAssembly) by a short-lived child
 * process: initdb grows the WebAssembly memory to ~750 MB, which a process never hands back, so doing
 * it in the server would keep its footprint at that peak for its whole life (~300 MB otherwise). The
 * child runs with the server's embedded-database flags (embedded-node-flags.ts): on Node 24 its peak
 * is 1.1 GB without them, 0.6 GB with them, in the same ~6 s.
 */
function initializePgliteDataDir(dataDir: string): void {
  const pglite = require.resolve('@electric-sql/pglite');
  const script = `const { PGlite } = require(${JSON.stringify(pglite)});
    const db = new PGlite(${JSON.stringify(dataDir)});
    db.waitReady.then(() => db.close()).catch((e) => { console.error(String(e)); process.exit(1); });`;
  const result = spawnSync(process.execPath, [...EMBEDDED_DATABASE_NODE_FLAGS, '-e', script], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`initialising the embedded database in ${dataDir} failed: ${result.stderr.trim()}`);
  }
}

/**
 * PGlite has no multi-process locking: two processes on one data directory corrupt it. A pid file
 * makes a second process (a CLI run next to the server) fail with a clear message instead.
 */
function lockDataDir(dataDir: string): void {
  const lockFile = join(dataDir, '..', `${basename(dataDir)}.pid`);
  try {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `the embedded database in ${dataDir} is in use by process ${pid}; stop it first (or use DATABASE_URL)`,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(lockFile, String(process.pid));
  process.once('exit', () => rmSync(lockFile, { force: true }));
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
