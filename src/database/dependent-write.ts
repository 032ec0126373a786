import type { ColumnsSelection, SQL } from 'drizzle-orm';
import type { Db } from './db';

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

/**
 * Rows another module's statement starts from: CTEs that lead its WITH list (e.g. a guest session,
 * touched, that a cart statement joins to). `before` are helper CTEs in order; the rows of `body`, named
 * `name`, are the ones the statement reads, with the columns `columns` (table columns, so Drizzle maps
 * their values). The SQL's placeholders are the statement's values.
 */
export interface LeadingRows<S extends ColumnsSelection> {
  before: readonly { name: string; body: SQL }[];
  name: string;
  body: SQL;
  columns: S;
}

/**
 * A statement's WITH list entries for `rows` (all of them, in order), the CTE of its rows to select
 * from, and its columns as a selection.
 */
export function leadingCtes<S extends ColumnsSelection>(db: Db, rows: LeadingRows<S>) {
  const cte = db.$with(rows.name, rows.columns).as(rows.body);
  const columns = Object.fromEntries(
    Object.keys(rows.columns).map((key) => [key, cte[key as keyof typeof cte]]),
  ) as { [K in keyof S]: (typeof cte)[K] };
  const before = rows.before.map(({ name, body }) => db.$with(name, {}).as(body));
  return { ctes: [...before, cte], cte, columns };
}
