import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.table';

/** Audit of guest-to-user conversions (contract §8, §12 "conversions"). */
export const guestConversions = pgTable('guest_conversions', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  guestSessionId: uuid('guest_session_id'),
  guestOrderId: uuid('guest_order_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
