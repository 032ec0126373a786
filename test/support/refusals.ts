import { count, eq, ne, notInArray } from 'drizzle-orm';
import { mailOutbox, orderItems, orders, orderStatusHistory } from '../../src/database/schema';
import type { GuestCart } from './api-types';
import { expectError } from './matchers';
import { ShopApi } from './shop-api';
import { StoredState } from './stored-state';
import { HttpResult } from './test-app';

/** "A rejected request leaves everything as it was" (contract §4, §5, §6), checked the same way everywhere. */

/**
 * What a refused checkout must leave as it was (contract §6): stock, cart, mail and every order a
 * shopper or an admin list could see. A payment that failed leaves a `payment_failed` record for audit.
 */
async function checkoutState(db: StoredState, productIds: string[], sessionId: string) {
  const sql = db.t.database.db;
  const shown = notInArray(orders.status, ['awaiting_payment', 'payment_failed']);
  const [visible] = await sql.select({ n: count() }).from(orders).where(shown);
  const [visibleItems] = await sql
    .select({ n: count() })
    .from(orderItems)
    .innerJoin(orders, eq(orders.id, orderItems.orderId))
    .where(shown);
  const [visibleHistory] = await sql
    .select({ n: count() })
    .from(orderStatusHistory)
    .where(ne(orderStatusHistory.status, 'payment_failed'));
  const [outbox] = await sql.select({ n: count() }).from(mailOutbox);
  return {
    stock: await Promise.all(productIds.map((id) => db.stock(id))),
    cart: await db.guestLines(sessionId),
    orders: visible.n,
    orderItems: visibleItems.n,
    history: visibleHistory.n,
    outbox: outbox.n,
  };
}

/** Runs a checkout that must be refused and checks that stock, cart and orders did not move. */
export async function expectCheckoutRefused(
  db: StoredState,
  productIds: string[],
  sessionId: string,
  send: () => Promise<HttpResult>,
  status: number,
  code: string,
  details?: unknown,
): Promise<HttpResult> {
  const before = await checkoutState(db, productIds, sessionId);
  const res = await send();
  expectError(res, status, code, details);
  expect(await checkoutState(db, productIds, sessionId)).toEqual(before);
  return res;
}

/** expires_at slides on writes (and on a read once per touch interval), so comparisons of "the same cart" leave it out. */
export function withoutExpiry(cart: GuestCart): Omit<GuestCart, 'expires_at'> {
  const { expires_at: _expiresAt, ...rest } = cart;
  return rest;
}

/**
 * Runs a guest-cart write that must be refused and checks that nothing moved: the cart reads back the
 * same, the stored lines and the session row (its expiry) are untouched. The clock moves a minute first,
 * so a write that slipped through would show in updated_at and expires_at.
 */
export async function expectGuestCartUnchanged(
  api: ShopApi,
  db: StoredState,
  sessionId: string,
  refused: () => Promise<void>,
): Promise<void> {
  const before = await api.guestCartOf(sessionId);
  const linesBefore = await db.guestLines(sessionId);
  const sessionBefore = await db.sessionRow(sessionId);
  api.t.clock.advance(60_000);
  await refused();
  expect(await db.sessionRow(sessionId)).toEqual(sessionBefore);
  expect(await db.guestLines(sessionId)).toEqual(linesBefore);
  expect(withoutExpiry(await api.guestCartOf(sessionId))).toEqual(withoutExpiry(before));
}

/** Runs a guest-cart create that must be refused and checks that no session and no cart were made. */
export async function expectNothingCreated(db: StoredState, refused: () => Promise<void>): Promise<void> {
  const sessions = await db.sessionCount();
  const cartRows = await db.cartCount();
  await refused();
  expect(await db.sessionCount()).toBe(sessions);
  expect(await db.cartCount()).toBe(cartRows);
}

/** Runs a merge that must be refused and checks that both carts and the audit log are as they were. */
export async function expectNotMerged(
  db: StoredState,
  sessionId: string,
  userIds: string[],
  refused: () => Promise<void>,
): Promise<void> {
  const guestBefore = await db.guestLines(sessionId);
  const rowBefore = await db.guestCartRow(sessionId);
  const usersBefore = await Promise.all(userIds.map((id) => db.userLines(id)));
  await refused();
  expect(await db.guestLines(sessionId)).toEqual(guestBefore);
  expect(await db.guestCartRow(sessionId)).toEqual(rowBefore);
  expect(rowBefore.mergedAt).toBeNull();
  expect(rowBefore.mergedIntoUserId).toBeNull();
  expect(await Promise.all(userIds.map((id) => db.userLines(id)))).toEqual(usersBefore);
  expect(await db.mergeLogs(sessionId)).toEqual([]);
}
