import { Db } from './db';
import { transactionConnection } from './transaction-connection';
import { TxHost } from './transaction';

/** A Drizzle query with `sql.placeholder(…)` values, as every builder's `.prepare(name)` returns it. */
interface Preparable<R> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R> };
}

type Prepared<R> = ReturnType<Preparable<R>['prepare']>;

/**
 * A statement on a hot path, built once. Drizzle's query building was 17–33 % of the app's CPU in the
 * benchmark's profiles; a prepared query skips it, and as a named server-side statement it also skips
 * parse/plan after a connection's first use.
 * - Outside a transaction it runs on the pool, prepared once.
 * - Inside a transaction on PostgreSQL it runs on the transaction's own connection, prepared once per
 *   connection (a prepared Drizzle query is bound to the handle it was made on).
 * - Elsewhere (embedded PGlite transactions, savepoints) it is built per call, as any query.
 */
export function hotStatement<V extends Record<string, unknown>, R>(
  txHost: TxHost,
  name: string,
  build: (db: Db) => Preparable<R>,
): (values: V) => Promise<R> {
  let pooled: Prepared<R> | undefined;
  const perConnection = new WeakMap<Db, Prepared<R>>();
  return (values: V) => {
    if (!txHost.isTransactionActive()) {
      pooled ??= build(txHost.tx).prepare(name);
      return pooled.execute(values);
    }
    const tx = txHost.tx;
    const connection = transactionConnection(tx);
    if (connection === undefined) return build(tx).prepare(name).execute(values);
    let prepared = perConnection.get(connection);
    if (prepared === undefined) {
      prepared = build(connection).prepare(name);
      perConnection.set(connection, prepared);
    }
    return prepared.execute(values);
  };
}
