import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The sandbox payment provider's own ledger (contract §6): one charge per reference (our order id), so
 * charging twice returns the first charge and a reconciler can ask whether a charge exists. It lives in
 * the database only so that it survives restarts and is shared by every instance, as a real provider's is;
 * the sandbox writes it outside the shop's transactions, like a remote system.
 */
export const sandboxCharges = pgTable('sandbox_charges', {
  reference: text('reference').primaryKey(),
  chargeId: text('charge_id').notNull().unique(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  refundedAt: timestamp('refunded_at', { withTimezone: true }),
});

export type SandboxChargeRow = typeof sandboxCharges.$inferSelect;
