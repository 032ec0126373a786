import { createHash } from 'node:crypto';
import { Placeholder, SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { Db } from './db';
import { namedOnPglite } from './pglite-named-statements';
import { transactionConnection } from './transaction-connection';
import { TxHost } from './transaction';

/** A Drizzle query with `sql.placeholder(…)` values, as every builder's `.prepare(name)` returns it. */
interface Preparable<R> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R> };
}

type Prepared<R> = ReturnType<Preparable<R>['prepare']>;

/** One typed placeholder per value the statement takes: `p.orderNumber` is `$orderNumber`. */
export type Placeholders<V> = { readonly [K in keyof V]-?: Placeholder<K & string, V[K]> };

const placeholders: Placeholders<Record<string, unknown>> = new Proxy(
  {},
  { get: (_, key) => sql.placeholder(String(key)) },
);

/**
 * The placeholders of SQL another module hands to a statement (dependent-write.ts), typed as the
 * statement's `p` is: `placeholdersOf<{ id: string }>().id` is `$id`.
 */
export function placeholdersOf<V>(): Placeholders<V> {
  return placeholders as Placeholders<V>;
}

const names = new Set<string>();

/**
 * A statement on a hot path, declared beside the repository method that runs it and prepared once:
 * Drizzle's query building was 17–33 % of the app's CPU in the benchmark's profiles, and a named
 * server-side statement also skips parse/plan after a connection's first use (docs/decisions).
 *
 *     static readonly byNumber = statement('order_by_number', (db, p: Placeholders<{ n: string }>) =>
 *       db.select().from(orders).where(eq(orders.orderNumber, p.n)));
 *     …
 *     const [row] = await OrdersRepository.byNumber.run(this.txHost, { n });
 *
 * The values' type comes from the `p` parameter's annotation and the rows' from the query. Names are
 * unique by construction: a second statement with a name throws when its file is loaded (at start-up).
 * - Outside a transaction it runs on the pool, prepared once per database handle.
 * - Inside a transaction on PostgreSQL it runs on the transaction's own connection, prepared once per
 *   connection (a prepared Drizzle query is bound to the handle it was made on).
 * - On embedded PGlite outside a transaction it runs as a named statement as well, parsed once
 *   (pglite-named-statements.ts); in PGlite transactions and savepoints it is built per call, as any query.
 * `parts` (optional): constant SQL other modules hand to the statement (dependent-write.ts); the
 * statement is built from the first parts it is run with.
 * `asynchronousCommit`: the statement carries ASYNCHRONOUS_COMMIT (asynchronous-commit.ts), so it is its
 * own transaction and refuses to run inside one.
 */
export function statement<V extends Record<string, unknown>, R, C = undefined>(
  name: string,
  build: (db: Db, p: Placeholders<V>, parts: C) => Preparable<R>,
  options: { asynchronousCommit?: boolean } = {},
): Statement<V, R, C> {
  if (names.has(name)) throw new Error(`two prepared statements are named ${name}`);
  names.add(name);
  return new Statement(name, build, options.asynchronousCommit === true);
}

export class Statement<V extends Record<string, unknown>, R, C> {
  private readonly prepared = new WeakMap<Db, Prepared<R>>();

  constructor(
    readonly name: string,
    private readonly build: (db: Db, p: Placeholders<V>, parts: C) => Preparable<R>,
    private readonly asynchronousCommit = false,
  ) {}

  run(txHost: TxHost, values: V, ...parts: C extends undefined ? [] : [C]): Promise<R> {
    const context = parts[0] as C;
    const tx = txHost.tx;
    const inTransaction = txHost.isTransactionActive();
    if (inTransaction && this.asynchronousCommit) {
      // it would relax the commit of everything else the transaction writes (asynchronous-commit.ts)
      return Promise.reject(
        new Error(`${this.name} commits asynchronously and cannot run inside a transaction`),
      );
    }
    const db = inTransaction ? transactionConnection(tx) : tx;
    if (db === undefined) return this.make(tx, context).execute(values);
    return this.runOn(db, values, ...parts);
  }

  /** On a handle outside any transaction (e.g. a provider's ledger kept on the pool on purpose). */
  runOn(db: Db, values: V, ...parts: C extends undefined ? [] : [C]): Promise<R> {
    let prepared = this.prepared.get(db);
    if (prepared === undefined) {
      prepared = this.make(db, parts[0] as C);
      this.prepared.set(db, prepared);
    }
    return prepared.execute(values);
  }

  private make(db: Db, parts: C): Prepared<R> {
    // unnamed on a handle marked by withoutNamedStatements: built once all the same, parsed per run
    const name = unnamed.has(db) ? '' : this.name;
    const prepared = this.build(db, placeholders as Placeholders<V>, parts).prepare(name);
    return name === '' ? prepared : namedOnPglite(prepared, name);
  }
}

const unnamed = new WeakSet<Db>();

/**
 * DB_PREPARED_STATEMENTS=off (contract §2): statements on this handle run unnamed (PostgreSQL parses
 * and plans them per run), for a transaction-mode connection pooler (PgBouncer) that hands each
 * transaction any server connection and so cannot keep a connection's named statements.
 */
export function withoutNamedStatements<T extends object>(db: T): T {
  unnamed.add(db as unknown as Db);
  return db;
}

const dialect = new PgDialect();
/** Beyond this many shapes, the SQL is not what shapedStatement is for: it runs unnamed. */
const MAX_SHAPES = 16;

/**
 * A statement assembled per call from other modules' parts (dependent-write.ts), whose text takes one of
 * a few shapes (which locks and dependent writes ride along) while every value is a parameter:
 *
 *     static readonly settle = shapedStatement('order_settle');
 *     …
 *     const { rows } = await OrdersRepository.settle.run(this.txHost, sql`with … ${id} …`);
 *
 * Each shape runs as a named statement (the name plus a hash of its text), so PostgreSQL parses and
 * plans it once per connection instead of per call (the order's settle statement was planned every time:
 * 0.37 ms of PostgreSQL CPU per order). Where statement() runs unnamed (DB_PREPARED_STATEMENTS=off,
 * PGlite's transactions), so does this; past MAX_SHAPES texts it runs unnamed too, so SQL that carries
 * values in its text cannot fill a connection with statements.
 */
export function shapedStatement(name: string): ShapedStatement {
  if (names.has(name)) throw new Error(`two prepared statements are named ${name}`);
  names.add(name);
  return new ShapedStatement(name);
}

export class ShapedStatement {
  private readonly shapes = new Set<string>();

  constructor(readonly name: string) {}

  async run(txHost: TxHost, query: SQL): Promise<{ rows: unknown[] }> {
    const tx = txHost.tx;
    const db = txHost.isTransactionActive() ? transactionConnection(tx) : tx;
    if (db === undefined || unnamed.has(db)) return (await tx.execute(query)) as { rows: unknown[] };
    const built = dialect.sqlToQuery(query);
    const name = this.shapeName(built.sql);
    const prepared = db._.session.prepareQuery(built, undefined, name, false);
    return (await (name === undefined ? prepared : namedOnPglite(prepared, name)).execute()) as {
      rows: unknown[];
    };
  }

  private shapeName(text: string): string | undefined {
    const hash = createHash('sha1').update(text).digest('base64url').slice(0, 16);
    if (!this.shapes.has(hash)) {
      if (this.shapes.size >= MAX_SHAPES) return undefined;
      this.shapes.add(hash);
    }
    return `${this.name}_${hash}`;
  }
}
