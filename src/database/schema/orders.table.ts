import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { carts } from './carts.table';
import { guestSessions } from './guest-sessions.table';
import { products } from './products.table';
import { users } from './users.table';

/**
 * Every status an order can have, in flow order: the one list behind the database enum, the DTOs' `enum`
 * and the code's `OrderStatus`. `awaiting_payment` and `payment_failed` belong to checkout's durable
 * steps (contract §6): an order is written `awaiting_payment` before the provider is charged and never
 * shown to shoppers in that state; `payment_failed` is kept for audit only.
 */
export const ORDER_STATUSES = [
  'awaiting_payment',
  'payment_failed',
  'pending',
  'paid',
  'processing',
  'shipped',
  'delivered',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const orderStatus = pgEnum('order_status', ORDER_STATUSES);

export interface ShippingAddress {
  line1: string;
  line2?: string | null;
  city: string;
  state?: string | null;
  postal_code: string;
  country: string;
  /** spec-002 fields (ids of the shop's own city/neighbourhood records) */
  city_id?: string;
  neighborhood_id?: string;
}

/**
 * Orders of guests and users alike (spec 000 "GuestOrder"): a guest order keeps its customer's details;
 * `user_id` is set for user orders and for guest orders linked to an account by conversion.
 */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderNumber: text('order_number').notNull(),
    status: orderStatus('status').notNull(),
    /** lower-cased (contract §1) */
    email: text('email').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    phone: text('phone'),
    shippingAddress: jsonb('shipping_address').$type<ShippingAddress>().notNull(),
    isGuest: boolean('is_guest').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    guestSessionId: uuid('guest_session_id').references(() => guestSessions.id, { onDelete: 'set null' }),
    subtotal: bigint('subtotal', { mode: 'number' }).notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    paymentProvider: text('payment_provider'),
    /** the provider's charge reference; card data is never stored */
    paymentReference: text('payment_reference'),
    notes: text('notes'),
    /**
     * the cart this order is being paid from, while it is `awaiting_payment`: unique, so one cart has at
     * most one checkout in flight; cleared when payment ends (paid or failed)
     */
    pendingCartId: uuid('pending_cart_id').references(() => carts.id, { onDelete: 'set null' }),
    /** `scope:key` of the Idempotency-Key that created it: a retry finds and finishes this order */
    idempotencyRef: text('idempotency_ref'),
    /** why payment failed (`declined`, `provider_unavailable`, `no_charge`); null otherwise */
    paymentFailure: text('payment_failure'),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('orders_order_number_key').on(t.orderNumber),
    uniqueIndex('orders_pending_cart_key').on(t.pendingCartId),
    uniqueIndex('orders_idempotency_ref_key').on(t.idempotencyRef),
    index('orders_status_created_idx').on(t.status, t.createdAt),
    index('orders_email_idx').on(t.email),
    index('orders_user_idx').on(t.userId, t.createdAt),
    index('orders_guest_session_idx').on(t.guestSessionId),
    check('orders_total_non_negative', sql`${t.total} >= 0 and ${t.subtotal} >= 0`),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'restrict' }),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    unitPrice: bigint('unit_price', { mode: 'number' }).notNull(),
    quantity: integer('quantity').notNull(),
    lineTotal: bigint('line_total', { mode: 'number' }).notNull(),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.productId] }),
    index('order_items_product_idx').on(t.productId),
    check('order_items_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

export const orderStatusHistory = pgTable(
  'order_status_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    status: orderStatus('status').notNull(),
    note: text('note'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('order_status_history_order_idx').on(t.orderId, t.at)],
);

/** Idempotency-Key records (contract §6): one per scope (guest, or a user id) and key, kept 24 h. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** null while the first request runs */
    responseStatus: integer('response_status'),
    /** the first response's JSON text, replayed byte for byte (jsonb would reorder keys) */
    responseBody: text('response_body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;
export type OrderStatusHistoryRow = typeof orderStatusHistory.$inferSelect;
export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;
