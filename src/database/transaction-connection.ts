import { Db } from './db';

const CONNECTION = Symbol('transaction connection');

/**
 * Marks a transaction handle with the Drizzle handle of the one pooled connection it runs on
 * (database.ts), so statements prepared on that connection can run inside the transaction
 * (statement.ts).
 */
export function markTransactionConnection<T extends object>(tx: T, connection: Db): T {
  (tx as Record<typeof CONNECTION, Db>)[CONNECTION] = connection;
  return tx;
}

/** The connection markTransactionConnection recorded, if any (PGlite transactions have none). */
export function transactionConnection(tx: object): Db | undefined {
  return (tx as Partial<Record<typeof CONNECTION, Db>>)[CONNECTION];
}
