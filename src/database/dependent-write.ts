import type { SQL } from 'drizzle-orm';

/**
 * A write that rides in another module's statement as one more CTE and happens only when `guard` holds
 * (e.g. "the order was settled by this statement"). One statement is atomic on its own, so several
 * modules' tables change together without a transaction's BEGIN/COMMIT round trips, and each module
 * still writes only its own tables' SQL. The SQL must be a data-modifying statement that can stand in a
 * WITH clause (INSERT/UPDATE/DELETE, no trailing semicolon).
 */
export type DependentWrite = (guard: SQL) => SQL;

/**
 * Row locks another module's statement takes before it changes anything: a `SELECT … FOR UPDATE` that
 * the statement evaluates (and so waits on) before its first write, to keep a lock order shared with
 * transactions elsewhere (e.g. checkout's: the cart before the order).
 */
export type LockFirst = SQL;
