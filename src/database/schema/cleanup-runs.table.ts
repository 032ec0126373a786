import { jsonb, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';

/** One row per cleanup run: what it deleted, for GET /admin/guest-stats/ (contract §12). */
export const cleanupRuns = pgTable('cleanup_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
  /** rows deleted by kind, e.g. `{ expired_sessions: 3 }` */
  deleted: jsonb('deleted').$type<Record<string, number>>().notNull(),
});

export type CleanupRunRow = typeof cleanupRuns.$inferSelect;
