import { randomUUID } from 'node:crypto';
import { byProduct, expectError, quantities } from '../support/matchers';
import { expectNotMerged } from '../support/refusals';
import { useShop } from '../support/use-shop';

describe('cart merge (contract §5): retries, refusals and concurrency', () => {
  const { t, api, db } = useShop({}, { trailingSlash: true });

  describe('retries and conflicts', () => {
    it('answers a retry by the same user with the stored report and changes nothing', async () => {
      const both = await api.product({ stock: 20 });
      const guestOnly = await api.product({ stock: 20 });
      const user = await api.userWith([[both, 2]]);
      const sessionId = await api.guestCart([
        [both, 3],
        [guestOnly, 1],
      ]);
      const first = await api.mergeOk(user.token, sessionId);
      const linesAfterFirst = await db.userLines(user.id);

      const retry = await api.mergeOk(user.token, sessionId);
      expect(retry.merge_report).toEqual(first.merge_report);
      expect(retry.merge_report.combined).toEqual([
        { product_id: both.id, user_quantity: 2, guest_quantity: 3, quantity: 5 },
      ]);
      expect(quantities(retry.merged_cart)).toEqual(quantities(first.merged_cart));
      expect(await db.userLines(user.id)).toEqual(linesAfterFirst);
      expect(await db.userLines(user.id)).toContainEqual({ productId: both.id, quantity: 5 });
      expect(await db.mergeLogs(sessionId)).toHaveLength(1);
    });

    it('refuses another user with 409 GUEST_CART_ALREADY_MERGED and changes nothing', async () => {
      const product = await api.product({ stock: 20 });
      const owner = await api.userWith([[product, 1]]);
      const other = await api.userWith([[product, 2]]);
      const sessionId = await api.guestCart([[product, 3]]);
      await api.mergeOk(owner.token, sessionId);
      const ownerLines = await db.userLines(owner.id);
      const rowAfterMerge = await db.guestCartRow(sessionId);

      const res = await api.merge(other.token, { guest_session_id: sessionId });
      expectError(res, 409, 'GUEST_CART_ALREADY_MERGED');
      expect(await db.userLines(other.id)).toEqual([{ productId: product.id, quantity: 2 }]);
      expect(await db.userLines(owner.id)).toEqual(ownerLines);
      expect(await db.guestCartRow(sessionId)).toEqual(rowAfterMerge);
      const logs = await db.mergeLogs(sessionId);
      expect(logs).toHaveLength(1);
      expect(logs[0].userId).toBe(owner.id);
    });
  });

  describe('refused merges', () => {
    it('answers an unknown session with 404 GUEST_SESSION_NOT_FOUND', async () => {
      const product = await api.product();
      const user = await api.userWith([[product, 1]]);
      const unknown = randomUUID();
      const res = await api.merge(user.token, { guest_session_id: unknown });
      expectError(res, 404, 'GUEST_SESSION_NOT_FOUND');
      expect(await db.userLines(user.id)).toEqual([{ productId: product.id, quantity: 1 }]);
      expect(await db.mergeLogs(unknown)).toEqual([]);
    });

    it('answers an expired session with 410 GUEST_SESSION_EXPIRED and merges nothing', async () => {
      const product = await api.product({ stock: 20 });
      const user = await api.userWith([[product, 1]]);
      const sessionId = await api.guestCart([[product, 2]]);
      await expectNotMerged(db, sessionId, [user.id], async () => {
        t.clock.advanceDays(31);
        expectError(
          await api.merge(user.token, { guest_session_id: sessionId }),
          410,
          'GUEST_SESSION_EXPIRED',
        );
        t.clock.reset();
      });
    });

    it('refuses a malformed, missing or extra field with 400 VALIDATION_FAILED', async () => {
      const product = await api.product({ stock: 20 });
      const user = await api.userWith([[product, 1]]);
      const sessionId = await api.guestCart([[product, 2]]);
      await expectNotMerged(db, sessionId, [user.id], async () => {
        for (const id of ['not-a-uuid', 42, null, `${sessionId}0`]) {
          const res = await api.merge(user.token, { guest_session_id: id });
          expectError(res, 400, 'VALIDATION_FAILED');
          expect(res.body.error.details).toEqual([
            { field: 'guest_session_id', message: 'guest_session_id must be a UUID' },
          ]);
        }
        const missing = await api.merge(user.token, {});
        expectError(missing, 400, 'VALIDATION_FAILED');
        expect(missing.body.error.details).toEqual([expect.objectContaining({ field: 'guest_session_id' })]);
        const extra = await api.merge(user.token, { guest_session_id: sessionId, strategy: 'guest' });
        expectError(extra, 400, 'VALIDATION_FAILED');
        expect(extra.body.error.details).toEqual([
          { field: 'strategy', message: 'strategy is not an allowed field' },
        ]);
      });
    });

    it('answers without a token (or with a bad one) with 401 UNAUTHENTICATED', async () => {
      const product = await api.product({ stock: 20 });
      const user = await api.userWith([[product, 1]]);
      const sessionId = await api.guestCart([[product, 2]]);
      await expectNotMerged(db, sessionId, [user.id], async () => {
        expectError(await api.merge(undefined, { guest_session_id: sessionId }), 401, 'UNAUTHENTICATED');
        const forged = await api.merge(`${user.token.slice(0, -4)}AAAA`, { guest_session_id: sessionId });
        expectError(forged, 401, 'UNAUTHENTICATED');
      });
    });

    it('works without the trailing slash', async () => {
      const product = await api.product({ stock: 20 });
      const user = await api.user();
      const sessionId = await api.guestCart([[product, 2]]);
      const res = await api.merge(user.token, { guest_session_id: sessionId }, { trailingSlash: false });
      expect(res.status).toBe(200);
      expect(quantities(res.body.data.merged_cart)).toEqual([[product.id, 2]]);
    });
  });

  describe('concurrency', () => {
    it('applies 5 concurrent merges of one session by one user exactly once', async () => {
      const both = await api.product({ stock: 50 });
      const guestOnly = await api.product({ stock: 50 });
      const user = await api.userWith([[both, 2]]);
      const sessionId = await api.guestCart([
        [both, 3],
        [guestOnly, 1],
      ]);

      const results = await Promise.all(
        Array.from({ length: 5 }, () => api.merge(user.token, { guest_session_id: sessionId })),
      );
      expect(results.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
      const reports = results.map((res) => res.body.data.merge_report);
      for (const report of reports) expect(report).toEqual(reports[0]);
      expect(reports[0].combined).toEqual([
        { product_id: both.id, user_quantity: 2, guest_quantity: 3, quantity: 5 },
      ]);

      expect(await db.userLines(user.id)).toEqual(
        byProduct([
          { productId: both.id, quantity: 5 },
          { productId: guestOnly.id, quantity: 1 },
        ]),
      );
      expect(await db.mergeLogs(sessionId)).toHaveLength(1);
      expect(await db.guestLines(sessionId)).toEqual([]);
    });

    it('lets exactly one of two users merging one session at once win; the other gets 409', async () => {
      const product = await api.product({ stock: 50 });
      const first = await api.userWith([[product, 1]]);
      const second = await api.userWith([[product, 1]]);
      const sessionId = await api.guestCart([[product, 4]]);

      const [a, b] = await Promise.all([
        api.merge(first.token, { guest_session_id: sessionId }),
        api.merge(second.token, { guest_session_id: sessionId }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [winner, loser] = a.status === 200 ? [first, second] : [second, first];
      const lost = a.status === 200 ? b : a;
      expect(lost.body.error.code).toBe('GUEST_CART_ALREADY_MERGED');

      expect(await db.userLines(winner.id)).toEqual([{ productId: product.id, quantity: 5 }]);
      expect(await db.userLines(loser.id)).toEqual([{ productId: product.id, quantity: 1 }]);
      const logs = await db.mergeLogs(sessionId);
      expect(logs).toHaveLength(1);
      expect(logs[0].userId).toBe(winner.id);
      expect((await db.guestCartRow(sessionId)).mergedIntoUserId).toBe(winner.id);
    });
  });
});
