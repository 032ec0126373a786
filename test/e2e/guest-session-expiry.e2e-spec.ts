import { DAY_MS, line } from '../support/fixtures';
import { expectError, quantities } from '../support/matchers';
import { withoutExpiry } from '../support/refusals';
import { useShop } from '../support/use-shop';

describe('guest sessions: expiry (contract §4)', () => {
  const { t, api, db } = useShop({}, { trailingSlash: true });

  describe('expired session (410)', () => {
    it('answers GET after 31 days of inactivity with 410 GUEST_SESSION_EXPIRED and does not revive it', async () => {
      const a = await api.product();
      const created = await api.newGuestCart([line(a, 2)]);
      const sessionBefore = await db.sessionRow(created.session_id);

      t.clock.advanceDays(31);
      const res = await api.readGuestCart(created.session_id);
      expectError(res, 410, 'GUEST_SESSION_EXPIRED');
      expect(res.body.error.details).toBeUndefined();
      // a refused read does not slide the expiry: a second read is still refused
      expect(await db.sessionRow(created.session_id)).toEqual(sessionBefore);
      expectError(
        await api.readGuestCart(created.session_id, { trailingSlash: false }),
        410,
        'GUEST_SESSION_EXPIRED',
      );

      t.clock.reset();
      expect(withoutExpiry(await api.guestCartOf(created.session_id))).toEqual(withoutExpiry(created));
    });

    it('answers POST after 31 days with 410 GUEST_SESSION_EXPIRED and leaves the cart as it was', async () => {
      const a = await api.product();
      const b = await api.product();
      const created = await api.newGuestCart([line(a, 2)]);
      const sessionBefore = await db.sessionRow(created.session_id);
      const linesBefore = await db.guestLines(created.session_id);

      t.clock.advanceDays(31);
      const res = await api.writeGuestCart({ session_id: created.session_id, items: [line(b, 1)] });
      expectError(res, 410, 'GUEST_SESSION_EXPIRED');
      expect(await db.sessionRow(created.session_id)).toEqual(sessionBefore);
      expect(await db.guestLines(created.session_id)).toEqual(linesBefore);

      t.clock.reset();
      expect(withoutExpiry(await api.guestCartOf(created.session_id))).toEqual(withoutExpiry(created));
    });
  });

  describe('sliding expiry', () => {
    it('moves expires_at forward on a read, so a session read after 20 days still answers after 40', async () => {
      const a = await api.product();
      const created = await api.newGuestCart([line(a, 1)]);

      t.clock.advanceDays(20);
      const read = await api.guestCartOf(created.session_id);
      expect(Date.parse(read.expires_at)).toBeGreaterThan(Date.parse(created.expires_at));
      expect(Math.abs(Date.parse(read.expires_at) - (t.clock.now().getTime() + 30 * DAY_MS))).toBeLessThan(
        5_000,
      );
      const row = await db.sessionRow(created.session_id);
      expect(row.expiresAt.toISOString()).toBe(read.expires_at);
      expect(Math.abs(row.lastActivityAt.getTime() - t.clock.now().getTime())).toBeLessThan(5_000);

      t.clock.advanceDays(20); // 40 days after creation, 20 after the last read
      const later = await api.guestCartOf(created.session_id);
      expect(quantities(later)).toEqual([[a.id, 1]]);
    });

    it('reads move expires_at at most once per GUEST_SESSION_TOUCH_INTERVAL_SECONDS (60 s); writes always do', async () => {
      const a = await api.product();
      const created = await api.newGuestCart([line(a, 1)]);
      const createdRow = await db.sessionRow(created.session_id);

      t.clock.advance(30_000); // within the interval: the read is only a read
      const soon = await api.guestCartOf(created.session_id);
      expect(soon.expires_at).toBe(created.expires_at);
      expect((await db.sessionRow(created.session_id)).lastActivityAt.toISOString()).toBe(
        createdRow.lastActivityAt.toISOString(),
      );

      t.clock.advance(31_000); // 61 s after the last move: this read slides the expiry
      const later = await api.guestCartOf(created.session_id);
      expect(Date.parse(later.expires_at)).toBeGreaterThan(Date.parse(created.expires_at) + 60_000);
      expect(Math.abs(Date.parse(later.expires_at) - (t.clock.now().getTime() + 30 * DAY_MS))).toBeLessThan(
        5_000,
      );
      expect((await db.sessionRow(created.session_id)).expiresAt.toISOString()).toBe(later.expires_at);

      t.clock.advance(1_000); // a write 1 s later moves it again
      const written = await api.writeGuestCart({ session_id: created.session_id, items: [line(a, 2)] });
      expect(written.status).toBe(200);
      expect(Date.parse(written.body.data.cart.expires_at)).toBeGreaterThan(Date.parse(later.expires_at));
    });

    it('moves expires_at forward on a write, so a session written after 20 days still answers after 40', async () => {
      const a = await api.product();
      const created = await api.newGuestCart([line(a, 1)]);

      t.clock.advanceDays(20);
      const res = await api.writeGuestCart({ session_id: created.session_id, items: [line(a, 2)] });
      expect(res.status).toBe(200);
      expect(Date.parse(res.body.data.cart.expires_at)).toBeGreaterThan(Date.parse(created.expires_at));

      t.clock.advanceDays(20);
      const again = await api.writeGuestCart({ session_id: created.session_id, items: [line(a, 3)] });
      expect(again.status).toBe(200);
      expect(quantities(again.body.data.cart)).toEqual([[a.id, 3]]);
    });

    it('expires a session after 31 days of inactivity even if it was active before', async () => {
      const a = await api.product();
      const created = await api.newGuestCart([line(a, 1)]);
      t.clock.advanceDays(20);
      await api.guestCartOf(created.session_id);
      t.clock.advanceDays(31);
      expectError(await api.readGuestCart(created.session_id), 410, 'GUEST_SESSION_EXPIRED');
    });

    it('keeps a session alive 29 days after its last activity', async () => {
      const a = await api.product();
      const created = await api.newGuestCart([line(a, 1)]);
      t.clock.advanceDays(29);
      expect(quantities(await api.guestCartOf(created.session_id))).toEqual([[a.id, 1]]);
    });
  });
});

describe('guest session TTL (GUEST_SESSION_TTL_DAYS=2)', () => {
  const { t, api } = useShop({ GUEST_SESSION_TTL_DAYS: '2' }, { trailingSlash: true });

  it('sets expires_at to now + 2 days and slides it by 2 days on each read', async () => {
    const a = await api.product();
    const created = await api.newGuestCart([line(a, 1)]);
    expect(Math.abs(Date.parse(created.expires_at) - (t.clock.now().getTime() + 2 * DAY_MS))).toBeLessThan(
      5_000,
    );

    t.clock.advanceDays(1.5);
    const read = await api.guestCartOf(created.session_id);
    expect(Math.abs(Date.parse(read.expires_at) - (t.clock.now().getTime() + 2 * DAY_MS))).toBeLessThan(
      5_000,
    );

    t.clock.advanceDays(1.5); // 3 days after creation, 1.5 after the last read
    expect(quantities(await api.guestCartOf(created.session_id))).toEqual([[a.id, 1]]);
  });

  it('expires a session after 3 days of inactivity', async () => {
    const a = await api.product();
    const created = await api.newGuestCart([line(a, 1)]);
    t.clock.advanceDays(3);
    expectError(await api.readGuestCart(created.session_id), 410, 'GUEST_SESSION_EXPIRED');
    expectError(
      await api.writeGuestCart({ session_id: created.session_id, items: [] }),
      410,
      'GUEST_SESSION_EXPIRED',
    );
  });
});
