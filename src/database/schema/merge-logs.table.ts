import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.table';

/**
 * Audit of cart merges (spec 000 "Cart Merge Logic"). One row per guest session: the unique index is
 * the backstop that makes a merge apply once. No foreign key to the session, so the audit outlives
 * the session's cleanup.
 */
export const cartMergeLogs = pgTable(
  'cart_merge_logs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    guestSessionId: uuid('guest_session_id').notNull(),
    strategy: text('strategy').notNull(),
    /** the merge_report as answered (contract §5, its casing), replayed as is to a retry */
    report: jsonb('report').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('cart_merge_logs_session_key').on(t.guestSessionId),
    index('cart_merge_logs_user_idx').on(t.userId),
  ],
);

export type CartMergeLogRow = typeof cartMergeLogs.$inferSelect;
