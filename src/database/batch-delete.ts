import { sql, SQLWrapper } from 'drizzle-orm';
import { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { Db } from './db';

/**
 * Deletes the rows of `table` whose `id` a LIMITed batch query selects, and counts them: the cleanup's
 * delete (contract §12). Small batches keep each statement short, so a backlog never locks a table for
 * long and reads go on meanwhile. `id = ANY(ARRAY(batch))` runs the batch once and probes the primary
 * key per id; `id IN (batch)` let the planner hash-join the batch against the whole table (with 1M
 * sessions: 95 vs 230 ms per 5,000-row batch, measured by the benchmark).
 */
export async function deleteBatch(db: Db, table: PgTable, id: PgColumn, batch: SQLWrapper): Promise<number> {
  const rows = await db
    .delete(table)
    .where(sql`${id} = any(array${batch})`)
    .returning({ id });
  return rows.length;
}
