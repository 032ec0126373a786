import { PGlite } from '@electric-sql/pglite';
import { SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { PgTransactionConfig } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { join } from 'node:path';
import { Pool, PoolClient } from 'pg';
import { AsynchronousCommitOption, asksAsynchronousCommit } from './asynchronous-commit';
import { Db } from './db';
import { openPglite } from './pglite';
import { withoutNamedStatements } from './statement';
import { markTransactionConnection } from './transaction-connection';
import { isDatabaseUnavailable } from '../common/errors/database-errors';
import * as schema from './schema';

export const MIGRATIONS_FOLDER = join(__dirname, 'migrations');

/** What a transaction asking for an asynchronous commit (asynchronous-commit.ts) runs first. */
const SET_LOCAL_ASYNCHRONOUS_COMMIT = 'set local synchronous_commit to off';

/** An open database: the same schema, migrations and code path on PGlite and PostgreSQL. */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /** Applies the migrations this build ships that the database lacks. */
  migrate(): Promise<MigrationReport>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs `fn` only if no other process holds the lock `key`; returns undefined when it is held.
   * PostgreSQL: a session-level advisory lock on a dedicated connection, so `fn` may use the pool freely.
   * PGlite: one process owns the data directory, so an in-process flag is the whole story.
   */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T | undefined>;
  /** The pool's connections by state (contract §12: db_pool_connections); PGlite has one, shown idle. */
  connections(): PoolConnections;
}

export interface PoolConnections {
  /** checked out, running a query or a transaction */
  active: number;
  idle: number;
  /** requests queued for a connection: the pool is exhausted */
  waiting: number;
}

/** What migrate() did: how many migrations this build ships, and how many of them it applied now. */
export interface MigrationReport {
  total: number;
  applied: number;
}

export interface DatabaseOptions {
  /** postgres:// URL → PostgreSQL server through a pg pool */
  url?: string;
  /** directory of the embedded database; ignored when url or pglite is given */
  dataDir?: string;
  /** an already open PGlite (tests hand in a copy of a migrated template) */
  pglite?: PGlite;
  poolSize?: number;
  /** false: no named prepared statements (DB_PREPARED_STATEMENTS=off; statement.ts) */
  preparedStatements?: boolean;
  /** called when an idle pool client dies (server restart, pg_terminate_backend) */
  onPoolError?: (error: Error) => void;
}

export function openDatabase(options: DatabaseOptions): Database {
  if (options.url !== undefined) return openPostgres(options.url, options);
  const pglite = options.pglite ?? openPglite(options.dataDir);
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  const transaction = db.transaction.bind(db);
  db.transaction = (fn, config) =>
    transaction(setLocalFirstIfAsked(config, fn), withoutEmptyConfig(withoutAsynchronousCommit(config)));
  let pgliteLockHeld = false;
  return {
    kind: 'pglite',
    db,
    migrate: () =>
      reportMigrations(db, () =>
        migratePglite(drizzlePglite(pglite, { schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
      ),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      if (!pglite.closed) await pglite.close();
    },
    withAdvisoryLock: async (_key, fn) => {
      if (pgliteLockHeld) return undefined;
      pgliteLockHeld = true;
      try {
        return await fn();
      } finally {
        pgliteLockHeld = false;
      }
    },
    connections: () => ({ active: 0, idle: 1, waiting: 0 }),
  };
}

/** Drizzle's migrator records each migration it applied as a row of this table (made by the first run). */
async function appliedMigrationCount(db: Db): Promise<number> {
  const exists = rowsOf<{ present: boolean }>(
    await db.execute(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`),
  );
  if (exists[0]?.present !== true) return 0;
  const counted = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
  );
  return Number(counted[0]?.n ?? 0);
}

/** db.execute's result: node-postgres' and PGlite's both carry `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

async function reportMigrations(db: Db, migrate: () => Promise<void>): Promise<MigrationReport> {
  const before = await appliedMigrationCount(db);
  await migrate();
  const after = await appliedMigrationCount(db);
  return {
    total: readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length,
    applied: after - before,
  };
}

/**
 * nestjs-cls hands every transaction an options object, `{}` when none were asked for; Drizzle turns
 * a present but empty config into an invalid bare `SET TRANSACTION` (PGlite). No options means the
 * server's default, read committed.
 */
function withoutEmptyConfig(config: PgTransactionConfig | undefined): PgTransactionConfig | undefined {
  return config === undefined || Object.keys(config).length === 0 ? undefined : config;
}

/**
 * Drizzle's pooled transaction() sends BEGIN outside its try/finally, so a BEGIN that fails on a dead
 * connection never returns the connection to the pool (drizzle-orm 0.45): the pool drains and the app
 * stops recovering. Here the connection is checked out by us, the transaction runs on a Drizzle handle
 * bound to that one connection, and the connection always goes back, destroyed if it is broken.
 */
function transactionOnOwnConnection(pool: Pool, named: boolean) {
  // one Drizzle handle per pooled connection, made on its first transaction: building one per
  // transaction (schema config included) cost ~5 % of the app's CPU on the write paths
  const handles = new WeakMap<PoolClient, Db>();
  return async <T>(fn: (tx: never) => Promise<T>, config?: PgTransactionConfig): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      let connection = handles.get(client);
      if (connection === undefined) {
        connection = drizzlePg(client, { schema });
        if (!named) withoutNamedStatements(connection);
        handles.set(client, connection);
      }
      const handle = connection;
      const rest = withoutEmptyConfig(withoutAsynchronousCommit(config));
      if (asksAsynchronousCommit(config) && rest === undefined) {
        return await transactionOnClient(client, () =>
          fn(markTransactionConnection(handle, handle) as never),
        );
      }
      return await handle.transaction(
        setLocalFirstIfAsked(config, (tx) => fn(markTransactionConnection(tx, handle) as never)),
        rest,
      );
    } catch (error) {
      if (isDatabaseUnavailable(error)) broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  };
}

/**
 * A transaction whose commit does not wait for the WAL flush (asynchronous-commit.ts), begun in one round
 * trip: `BEGIN` and `SET LOCAL` as one simple-protocol message (Drizzle's transaction() sends them as two
 * statements, a socket write and a wake-up of the backend each). `fn` runs on the connection's Drizzle
 * handle, inside the transaction. A failed COMMIT or ROLLBACK throws, and the caller's catch decides
 * whether the connection is broken.
 */
async function transactionOnClient<T>(client: PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query(`begin; ${SET_LOCAL_ASYNCHRONOUS_COMMIT}`);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  await client.query('commit');
  return result;
}

/**
 * `fn`, preceded by `SET LOCAL synchronous_commit TO off` when the options ask for an asynchronous commit:
 * PGlite's transactions, and PostgreSQL's when other options come with it.
 */
function setLocalFirstIfAsked<Tx extends { execute(query: SQL): Promise<unknown> }, T>(
  config: PgTransactionConfig | undefined,
  fn: (tx: Tx) => Promise<T>,
): (tx: Tx) => Promise<T> {
  if (!asksAsynchronousCommit(config)) return fn;
  return async (tx) => {
    await tx.execute(sql.raw(SET_LOCAL_ASYNCHRONOUS_COMMIT));
    return fn(tx);
  };
}

/** The options without the asynchronous-commit marker, which PostgreSQL's BEGIN does not know. */
function withoutAsynchronousCommit(config: PgTransactionConfig | undefined): PgTransactionConfig | undefined {
  if (config === undefined || !asksAsynchronousCommit(config)) return config;
  const { synchronousCommit: _marker, ...rest } = config as AsynchronousCommitOption;
  return rest;
}

const PING = 'select 1';

function openPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // Without listeners a connection killed by the server (idle in the pool, or checked out between two
  // queries) would be an uncaught 'error' event and crash the process.
  pool.on('error', (error) => options.onPoolError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  const named = options.preparedStatements !== false;
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  if (!named) withoutNamedStatements(db);
  db.transaction = transactionOnOwnConnection(pool, named);
  let closed = false;
  return {
    kind: 'postgres',
    db,
    migrate: () =>
      reportMigrations(db, () =>
        migratePg(drizzlePg(pool, { schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
      ),
    // GET /health's query, straight on the pool (no query building, no row mapping) and in the simple
    // protocol, as the benchmark's baseline sends it: one Query message in one write. As a named statement
    // (Bind, Execute, Sync in a corked writev, the config object copied by pg per call) it cost the app
    // ~12 µs more per ping (`npm run bench:ab -- <ref> health`: 86 → 74 µs, 10,457 → 11,600 req/s).
    ping: async () => {
      await pool.query(PING);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
    withAdvisoryLock: async (key, fn) => {
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>(
          'select pg_try_advisory_lock($1) as locked',
          [key],
        );
        if (!rows[0].locked) return undefined;
        try {
          return await fn();
        } finally {
          await client.query('select pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
    connections: () => ({
      active: pool.totalCount - pool.idleCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
  };
}
