import { index, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * An anonymous shopper (spec 000 "Guest Session Management"). The id is a UUID v4 from the CSPRNG,
 * made by the application; the row holds no personal data, only times.
 */
export const guestSessions = pgTable(
  'guest_sessions',
  {
    id: uuid('id').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }).notNull().defaultNow(),
    /** sliding: now + GUEST_SESSION_TTL_DAYS on every successful read or write */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  // cleanup scans by expiry; without this index a million sessions means a sequential scan
  (t) => [index('guest_sessions_expires_at_idx').on(t.expiresAt)],
);

export type GuestSessionRow = typeof guestSessions.$inferSelect;
