import { PGlite } from '@electric-sql/pglite';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { Database, openDatabase } from '../../src/database/database';

/**
 * One migrated template per test run, a copy per test file (CONVENTIONS: tests). PGlite: a dump of a
 * migrated in-memory database, loaded by each file. PostgreSQL (TEST_DATABASE_URL): a template
 * database that each file clones with CREATE DATABASE … TEMPLATE.
 */
const TEMPLATE_FILE_ENV = 'GC_TEST_PGLITE_TEMPLATE';
const TEMPLATE_DB_ENV = 'GC_TEST_PG_TEMPLATE';

export function serverUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  return url === undefined || url === '' ? undefined : url;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function admin<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTemplate(tmpFile: string): Promise<void> {
  const url = serverUrl();
  if (url === undefined) {
    const pglite = new PGlite();
    const database = openDatabase({ pglite });
    await database.migrate();
    const dump = await pglite.dumpDataDir('none');
    writeFileSync(tmpFile, Buffer.from(await dump.arrayBuffer()));
    await database.close();
    process.env[TEMPLATE_FILE_ENV] = tmpFile;
    return;
  }
  const name = `gc_tpl_${randomBytes(4).toString('hex')}`;
  await admin(url, (client) => client.query(`CREATE DATABASE ${name}`));
  const database = openDatabase({ url: withDatabase(url, name), poolSize: 1 });
  await database.migrate();
  await database.close();
  process.env[TEMPLATE_DB_ENV] = name;
}

export async function dropTemplate(): Promise<void> {
  const url = serverUrl();
  const name = process.env[TEMPLATE_DB_ENV];
  if (url !== undefined && name !== undefined) {
    await admin(url, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

export interface TestDatabase {
  database: Database;
  /** postgres URL of this file's database, or undefined on PGlite */
  url: string | undefined;
  /** drops the per-file server database (PGlite needs nothing) */
  dispose(): Promise<void>;
}

/** A fresh copy of the migrated template for one test file. */
export async function openTestDatabase(poolSize = 10): Promise<TestDatabase> {
  const url = serverUrl();
  if (url === undefined) {
    const file = process.env[TEMPLATE_FILE_ENV];
    if (file === undefined) throw new Error('e2e global setup did not run');
    const pglite = new PGlite({ loadDataDir: new Blob([readFileSync(file)]) });
    return { database: openDatabase({ pglite }), url: undefined, dispose: async () => {} };
  }
  const template = process.env[TEMPLATE_DB_ENV];
  if (template === undefined) throw new Error('e2e global setup did not run');
  const name = `gc_t_${randomBytes(6).toString('hex')}`;
  await admin(url, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const fileUrl = withDatabase(url, name);
  return {
    database: openDatabase({ url: fileUrl, poolSize, preparedStatements: testPreparedStatements() }),
    url: fileUrl,
    dispose: () =>
      admin(url, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/**
 * DB_PREPARED_STATEMENTS=off in the environment runs the PostgreSQL e2e suite without named prepared
 * statements (contract §2; `.ci/run` does both), as the app does behind a transaction-mode pooler.
 */
export function testPreparedStatements(): boolean {
  return process.env.DB_PREPARED_STATEMENTS?.toLowerCase() !== 'off';
}
