import { sql } from 'drizzle-orm';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { DrizzleAdapter } from './transaction';

/**
 * Writes whose commit does not wait for PostgreSQL's WAL flush (`synchronous_commit = off` for their
 * own transaction only): the state of a cart and of a guest session, where a database *server* crash may
 * lose the last fraction of a second of committed writes (about three `wal_writer_delay`s, 0.6 s by
 * default) and the shopper sees the cart as it was before them. Nothing else is lost or half-written:
 * the server recovers to a consistent point, and any later write that commits synchronously (an order,
 * a mail, an account) flushes the log up to its own commit, every earlier cart write included, so nothing
 * durable can rest on a cart state that was lost. Orders, payments, stock, idempotency records, mails and
 * accounts keep the server's setting (docs/decisions/005).
 */

/**
 * A condition (always true) for the WHERE clause of a single statement that is its own transaction:
 * it sets `synchronous_commit` to off for that transaction (`set_config(…, is_local => true)`), and the
 * setting ends with it. PostgreSQL evaluates it for every row the statement writes, so a statement that
 * writes anything has set it before its commit. The statement must be declared with
 * `{ asynchronousCommit: true }` (statement.ts), which refuses to run it inside a transaction: there it
 * would relax the commit of the whole transaction, whatever else it writes.
 */
export const ASYNCHRONOUS_COMMIT = sql`set_config('synchronous_commit', 'off', true) = 'off'`;

/**
 * The transaction option of TransactionalAsynchronousCommit. On PostgreSQL the transaction starts with
 * `BEGIN; SET LOCAL synchronous_commit TO off` in one round trip (database.ts); on PGlite `SET LOCAL`
 * is the transaction's first statement.
 */
export interface AsynchronousCommitOption extends PgTransactionConfig {
  synchronousCommit: 'off';
}

export const ASYNCHRONOUS_COMMIT_TRANSACTION: AsynchronousCommitOption = { synchronousCommit: 'off' };

/** Whether a transaction's options ask for an asynchronous commit (ASYNCHRONOUS_COMMIT_TRANSACTION). */
export function asksAsynchronousCommit(config: object | undefined): boolean {
  return (config as Partial<AsynchronousCommitOption> | undefined)?.synchronousCommit === 'off';
}

/**
 * `@Transactional()` for a unit of work that only changes carts and guest sessions: a transaction of its
 * own commits asynchronously (see above; `SET LOCAL` sent with the BEGIN). Called inside a caller's
 * transaction (a conversion merges the guest cart while it creates the account) it joins that
 * transaction and leaves its commit as the caller has it.
 */
export function TransactionalAsynchronousCommit(): MethodDecorator {
  return (_target, _key, descriptor: PropertyDescriptor) => {
    const method = descriptor.value as (...args: unknown[]) => Promise<unknown>;
    descriptor.value = function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const host = TransactionHost.getInstance<DrizzleAdapter>();
      if (host.isTransactionActive()) return method.apply(this, args);
      return host.withTransaction(ASYNCHRONOUS_COMMIT_TRANSACTION, () => method.apply(this, args));
    };
    return descriptor;
  };
}
