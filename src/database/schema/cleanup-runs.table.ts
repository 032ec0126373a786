import { jsonb, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';

/** One row per cleanup run: what it deleted, for GET /admin/guest-stats/ (contract §12). */
export const cleanupRuns = pgTable('cleanup_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
  deleted: jsonb('deleted').notNull(),
});

export type CleanupRunRow = typeof cleanupRuns.$inferSelect;
