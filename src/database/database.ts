import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import * as schema from './schema';

/** The Drizzle handle every repository uses: one type for PGlite and for node-postgres. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export const MIGRATIONS_FOLDER = join(__dirname, 'migrations');

/** An open database: the same schema, migrations and code path on PGlite and PostgreSQL. */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL → PostgreSQL server through a pg pool */
  url?: string;
  /** directory of the embedded database; ignored when url or pglite is given */
  dataDir?: string;
  /** an already open PGlite (tests hand in a copy of a migrated template) */
  pglite?: PGlite;
  poolSize?: number;
  /** called when an idle pool client dies (server restart, pg_terminate_backend) */
  onPoolError?: (error: Error) => void;
}

export function openDatabase(options: DatabaseOptions): Database {
  if (options.url !== undefined) return openPostgres(options.url, options);
  const pglite = options.pglite ?? openPglite(options.dataDir);
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    migrate: () => migratePglite(drizzlePglite(pglite, { schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
}

function openPglite(dataDir: string | undefined): PGlite {
  if (dataDir === undefined) return new PGlite();
  mkdirSync(dataDir, { recursive: true });
  return new PGlite(dataDir);
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener an idle client killed by the server would crash the process.
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  let closed = false;
  return {
    kind: 'postgres',
    db,
    migrate: () => migratePg(drizzlePg(pool, { schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
