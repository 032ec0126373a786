import { count, eq, inArray } from 'drizzle-orm';
import {
  cartItems,
  cartMergeLogs,
  carts,
  cleanupRuns,
  guestSessions,
  products,
} from '../../src/database/schema';
import { CleanupService } from '../../src/modules/maintenance/cleanup.service';
import { adminToken, createGuestCart, createProduct, registerUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('cleanup and guest stats (contract §12)', () => {
  let t: TestApp;
  let cleanup: CleanupService;

  beforeAll(async () => {
    t = await createTestApp();
    cleanup = t.app.get(CleanupService);
  });
  afterAll(() => t.close());

  async function sessionExists(id: string): Promise<boolean> {
    const rows = await t.database.db.select().from(guestSessions).where(eq(guestSessions.id, id));
    return rows.length === 1;
  }

  async function wipeGuestData(): Promise<void> {
    await t.database.db.delete(guestSessions);
    await t.database.db.delete(cleanupRuns);
  }

  beforeEach(async () => {
    t.clock.reset();
    await wipeGuestData();
  });

  it('deletes expired sessions with their carts and lines, and nothing else', async () => {
    const product = await createProduct(t, { stock: 50 });
    const user = await registerUser(t);
    await t.request('PUT', `/api/v1/cart/items/${product.id}`, { token: user.token, body: { quantity: 2 } });
    const expired = await createGuestCart(t, [[product, 1]]);
    t.clock.advanceDays(31);
    const active = await createGuestCart(t, [[product, 1]]);
    const expiredCart = (
      await t.database.db.select().from(carts).where(eq(carts.guestSessionId, expired))
    )[0];

    const result = await cleanup.runOnce();

    expect(result).toMatchObject({ ran: true, deleted: { expired_sessions: 1, merged_guest_carts: 0 } });
    expect(await sessionExists(expired)).toBe(false);
    expect(await sessionExists(active)).toBe(true);
    expect(await t.database.db.select().from(carts).where(eq(carts.id, expiredCart.id))).toEqual([]);
    expect(await t.database.db.select().from(cartItems).where(eq(cartItems.cartId, expiredCart.id))).toEqual(
      [],
    );
    // the user's cart and the catalog are untouched
    const userCart = await t.request('GET', '/api/v1/cart', { token: user.token });
    expect(userCart.body.data.cart.items).toHaveLength(1);
    expect((await t.database.db.select().from(products).where(eq(products.id, product.id)))[0].stock).toBe(
      50,
    );
  });

  it('deletes merged guest carts after a day, keeping the merge audit', async () => {
    const product = await createProduct(t, { stock: 50 });
    const user = await registerUser(t);
    const oldMerge = await createGuestCart(t, [[product, 1]]);
    expect(
      (
        await t.request('POST', '/api/v1/cart/merge', {
          token: user.token,
          body: { guest_session_id: oldMerge },
        })
      ).status,
    ).toBe(200);
    t.clock.advanceDays(2);
    const recentMerge = await createGuestCart(t, [[product, 1]]);
    expect(
      (
        await t.request('POST', '/api/v1/cart/merge', {
          token: user.token,
          body: { guest_session_id: recentMerge },
        })
      ).status,
    ).toBe(200);
    const untouched = await createGuestCart(t, [[product, 1]]);

    const result = await cleanup.runOnce();

    expect(result.deleted).toEqual({
      expired_sessions: 0,
      merged_guest_carts: 1,
      idempotency_keys: 0,
      sent_mails: 0,
    });
    expect(await sessionExists(oldMerge)).toBe(false);
    expect(await sessionExists(recentMerge)).toBe(true);
    expect(await sessionExists(untouched)).toBe(true);
    const logs = await t.database.db
      .select()
      .from(cartMergeLogs)
      .where(inArray(cartMergeLogs.guestSessionId, [oldMerge, recentMerge]));
    expect(logs).toHaveLength(2);
  });

  it('works through a backlog in batches', async () => {
    const product = await createProduct(t, { stock: 50 });
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await createGuestCart(t, [[product, 1]]));
    t.clock.advanceDays(31);

    const result = await cleanup.runOnce(3);

    expect(result.deleted.expired_sessions).toBe(7);
    const [left] = await t.database.db
      .select({ n: count() })
      .from(guestSessions)
      .where(inArray(guestSessions.id, ids));
    expect(left.n).toBe(0);
  });

  it('lets only one run at a time', async () => {
    const results = await Promise.all([cleanup.runOnce(), cleanup.runOnce()]);
    expect(results.map((r) => r.ran).sort()).toEqual([false, true]);
    expect(await t.database.db.select().from(cleanupRuns)).toHaveLength(1);
  });

  it('reports sessions, carts, merges and the last cleanup to admins only', async () => {
    const product = await createProduct(t, { stock: 50 });
    const user = await registerUser(t);
    await createGuestCart(t, [[product, 1]]);
    const empty = await t.request('POST', '/api/v1/cart/guest', { body: { items: [] } });
    expect(empty.status).toBe(201);
    const merged = await createGuestCart(t, [[product, 1]]);
    await t.request('POST', '/api/v1/cart/merge', { token: user.token, body: { guest_session_id: merged } });
    const mergesBefore = (await t.database.db.select({ n: count() }).from(cartMergeLogs))[0].n;
    const stale = await createGuestCart(t, [[product, 1]]);
    await t.database.db
      .update(guestSessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(guestSessions.id, stale));

    const before = await t.request('GET', '/api/v1/admin/guest-stats', { token: await adminToken(t) });
    expect(before.status).toBe(200);
    expect(before.body.data).toEqual({
      active_sessions: 3,
      expired_sessions: 1,
      guest_carts_with_items: 2,
      guest_orders: 0,
      conversions: 0,
      merges: mergesBefore,
      // the user's verification mail may or may not be sent yet; mail counts: mail-outbox.e2e-spec.ts
      mail_outbox: expect.objectContaining({ dead_letters: 0 }),
      last_cleanup: null,
    });

    await cleanup.runOnce();
    const after = await t.request('GET', '/api/v1/admin/guest-stats/', { token: await adminToken(t) });
    expect(after.body.data.expired_sessions).toBe(0);
    expect(after.body.data.last_cleanup).toEqual({
      started_at: expect.any(String),
      finished_at: expect.any(String),
      deleted: { expired_sessions: 1, merged_guest_carts: 0, idempotency_keys: 0, sent_mails: 0 },
    });

    expect((await t.request('GET', '/api/v1/admin/guest-stats', { token: user.token })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/admin/guest-stats')).status).toBe(401);
  });
});
