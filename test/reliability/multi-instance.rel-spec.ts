import { randomUUID } from 'node:crypto';
import type { HttpResult } from '../support/test-app';
import { serverUrl } from '../support/test-database';
import { Cluster, DRAIN_SECONDS } from './support/cluster';
import { randomClientIp } from './support/loopback-client';
import { sleep, waitFor } from './support/processes';
import { Recorder } from './support/recorder';
import { rollingRestart } from './support/rolling-restart';
import { tally } from './support/shop';

// three app processes on a 2-core machine: slow starts, never timed
jest.setTimeout(180_000);

const rec = new Recorder('multi-instance');
const redisUrl = process.env.TEST_REDIS_URL;
const READY = serverUrl() !== undefined && redisUrl !== undefined && redisUrl !== '';
const SKIP = READY
  ? ''
  : '(skipped: needs TEST_DATABASE_URL and TEST_REDIS_URL, the services several instances share)';

afterAll(() => rec.finish());
beforeEach(() => rec.scenario());

(READY ? describe : describe.skip)(
  `several instances (node dist/main.js ×3) on one PostgreSQL and Redis behind a round-robin proxy ${SKIP}`,
  () => {
    const cluster = new Cluster(rec);
    let product: string;

    beforeAll(async () => {
      await cluster.start(redisUrl!);
      product = await cluster.product();
    });
    afterAll(() => cluster.stop());

    /** Places `count` guest orders through the proxy, each from its own client; returns their emails. */
    async function placeOrders(count: number): Promise<string[]> {
      const emails: string[] = [];
      for (let i = 0; i < count; i++) {
        const from = randomClientIp();
        const order = cluster.orderBody(await cluster.guestCart(from, [product]));
        const res = await cluster.api('POST', '/api/v1/orders/guest', { from, body: order.body });
        expect(res.status).toBe(201);
        emails.push(order.email);
      }
      return emails;
    }

    it('counts a rate limit once across instances: 3 guest orders per minute from one IP, the 4th is 429 whichever instance gets it', async () => {
      const from = randomClientIp();
      const orders = [];
      for (let i = 0; i < 4; i++) orders.push(cluster.orderBody(await cluster.guestCart(from, [product])));
      const seen = cluster.proxy.log.length;
      const answers: HttpResult[] = [];
      for (const order of orders) {
        answers.push(await cluster.api('POST', '/api/v1/orders/guest', { from, body: order.body }));
      }
      expect(answers.map((res) => res.status)).toEqual([201, 201, 201, 429]);
      expect(answers[3].body.error.code).toBe('RATE_LIMITED');
      expect(Number(answers[3].headers['retry-after'])).toBeGreaterThan(0);
      // round-robin: the four went to all three instances, so no instance alone saw more than two
      const backends = cluster.proxy.log.slice(seen).filter((entry) => entry.path === '/api/v1/orders/guest');
      expect(new Set(backends.map((entry) => entry.backend)).size).toBe(3);
      const placed = await cluster.ordersByEmail(orders.map((order) => order.email));
      expect([...placed.values()].map((numbers) => numbers.length)).toEqual([1, 1, 1, 0]);
    });

    it('runs the cleanup on one instance at a time: while one run is held, every instance that tries skips', async () => {
      const expired = randomUUID();
      await cluster.pg.query(
        `insert into guest_sessions (id, expires_at) values ($1, now() - interval '1 day')`,
        [expired],
      );
      // the run that gets the advisory lock deletes, then waits here to record itself
      await cluster.pg.query('begin');
      await cluster.pg.query('lock table cleanup_runs in exclusive mode');
      const before = new Set(
        (await cluster.rows<{ id: string }>('select id from cleanup_runs')).map((r) => r.id),
      );
      const lockedAt = Date.now();
      const skippedByAll = await waitFor(
        () => cluster.instances.every((i) => i.logged('cleanup skipped', lockedAt).length > 0),
        25_000,
        200,
      );
      const waiting = await cluster.rows<{ n: number }>(
        `select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
         where c.relname = 'cleanup_runs' and not l.granted`,
      );
      const finishedMeanwhile = cluster.instances.flatMap((i) => i.logged('cleanup finished', lockedAt));
      const releasedAt = new Date();
      await cluster.pg.query('commit');

      expect({ skippedByAll, inTheJob: waiting[0].n, finishedMeanwhile: finishedMeanwhile.length }).toEqual({
        skippedByAll: true,
        inTheJob: 1,
        finishedMeanwhile: 0,
      });
      type Run = { id: string; started_at: Date; finished_at: Date; deleted: Record<string, number> };
      let held: Run[] = [];
      await waitFor(async () => {
        const runs = await cluster.rows<Run>('select * from cleanup_runs where started_at < $1', [
          releasedAt,
        ]);
        held = runs.filter((run) => !before.has(run.id));
        return held.length > 0;
      }, 10_000);
      expect(held).toHaveLength(1);
      expect(held[0].deleted.expired_sessions).toBeGreaterThanOrEqual(1);
      expect(await cluster.rows('select id from guest_sessions where id = $1', [expired])).toEqual([]);
      // over the whole run so far, no two recorded runs overlap in time
      const all = await cluster.rows<Run>('select * from cleanup_runs order by started_at');
      const overlaps = all.filter((run, i) => i > 0 && run.started_at < all[i - 1].finished_at);
      rec.invariant(overlaps.map((run) => `cleanup run ${run.id} overlaps the one before`));
      expect(overlaps).toEqual([]);
    });

    it('delivers every confirmation mail once, whichever instance takes the order and whichever dispatches it', async () => {
      const emails = await placeOrders(6);
      const allArrived = await waitFor(
        () => emails.every((email) => cluster.smtp.to(email).length > 0),
        30_000,
      );
      expect(allArrived).toBe(true);
      await sleep(2_500); // more than two dispatch polls of every instance: time for a second copy to show
      expect(emails.map((email) => cluster.smtp.to(email).length)).toEqual(emails.map(() => 1));
      const ids = cluster.smtp.received.map((mail) => mail.messageId);
      expect(ids.every((id) => id !== undefined)).toBe(true);
      expect(ids.length - new Set(ids).size).toBe(0);
    });

    it('answers an idempotent order replayed through other instances with the first 201, and keeps one order', async () => {
      const from = randomClientIp();
      const order = cluster.orderBody(await cluster.guestCart(from, [product], 2));
      const headers = { 'Idempotency-Key': `multi-${randomUUID()}` };
      const first = await cluster.direct(0, 'POST', '/api/v1/orders/guest', {
        from,
        body: order.body,
        headers,
      });
      expect(first.status).toBe(201);
      const replays = await Promise.all(
        [1, 2].map((i) =>
          cluster.direct(i, 'POST', '/api/v1/orders/guest', { from, body: order.body, headers }),
        ),
      );
      expect(replays.map((res) => res.status)).toEqual([201, 201]);
      for (const replay of replays) expect(replay.body).toEqual(first.body);
      const placed = await cluster.ordersByEmail([order.email]);
      expect(placed.get(order.email)).toEqual([first.body.data.order.order_number]);
    });

    it('applies one merge sent to all three instances at once, and answers each with the same report', async () => {
      const other = await cluster.product();
      const register = await cluster.api('POST', '/api/v1/auth/register', {
        from: randomClientIp(),
        body: { email: `multi-merge-${randomUUID().slice(0, 8)}@example.com`, password: 'a-good-password' },
      });
      expect(register.status).toBe(201);
      const token = register.body.data.token as string;
      const from = randomClientIp();
      const put = await cluster.api('PUT', `/api/v1/cart/items/${product}`, {
        from,
        token,
        body: { quantity: 1 },
      });
      expect(put.status).toBe(200);
      const sessionId = await cluster.guestCart(from, [product, other], 2);

      const merges = await Promise.all(
        [0, 1, 2].map((i) =>
          cluster.direct(i, 'POST', '/api/v1/cart/merge', {
            from,
            token,
            body: { guest_session_id: sessionId },
          }),
        ),
      );
      expect(tally(merges)).toEqual({ 200: 3 });
      for (const merge of merges)
        expect(merge.body.data.merge_report).toEqual(merges[0].body.data.merge_report);
      const cart = await cluster.api('GET', '/api/v1/cart', { from, token });
      const quantities = Object.fromEntries(
        (cart.body.data.cart.items as { product_id: string; quantity: number }[]).map((item) => [
          item.product_id,
          item.quantity,
        ]),
      );
      expect(quantities).toEqual({ [product]: 3, [other]: 2 });
      const logs = await cluster.rows('select id from cart_merge_logs where guest_session_id = $1', [
        sessionId,
      ]);
      expect(logs).toHaveLength(1);
    });

    it('survives a rolling restart under load with no drain before SIGTERM: each instance drains itself, no request lost, in-flight orders finished, no 5xx, every order once', async () => {
      const report = await rollingRestart(cluster, product);
      console.log(
        JSON.stringify({
          ...report.summary,
          stops: report.stops,
          inFlight: report.answeredAfterSigtermMs,
          atClose: report.atCloseAnsweredAfterDrainMs,
          servedAfterSigterm: report.servedAfterSigterm,
        }),
      );
      expect(report.failures).toEqual([]);
      expect(report.fiveHundreds).toEqual([]);
      expect(report.stops.map((stop) => stop.exitCode)).toEqual([0, 0, 0]);
      // each one kept serving through its drain before it closed
      expect(report.stops.every((stop) => stop.ms >= DRAIN_SECONDS * 1000)).toBe(true);
      // while draining: /health says stopping (the proxy's health check takes it out), the rest answers as
      // usual, and every answer closes its connection although the client asked for keep-alive
      expect(report.duringDrain).toEqual(
        [0, 1, 2].map(() => ({
          health: 503,
          healthStatus: 'stopping',
          products: 200,
          connection: ['close', 'close'],
        })),
      );
      // each instance had an order at the payment provider when SIGTERM came, and one when it started
      // closing; both answered 201 before it exited
      expect(report.inFlight.map((res) => res.status)).toEqual([201, 201, 201]);
      expect(report.answeredAfterSigtermMs.every((ms) => ms > 0)).toBe(true);
      expect(report.atClose.map((res) => res.status)).toEqual([201, 201, 201]);
      // every order answered 201 (the load's and the in-flight ones) exists exactly once
      const placed = await cluster.ordersByEmail([...report.placed.keys()]);
      const wrong = [...report.placed].filter(([email, number]) => placed.get(email)?.join() !== number);
      rec.invariant(wrong.map(([email]) => `order of ${email} is not there exactly once`));
      expect(wrong).toEqual([]);

      // and every mail of the whole file went out once: the outbox drains, no Message-ID arrived twice
      const drained = await waitFor(async () => {
        const [row] = await cluster.rows<{ n: number }>(
          `select count(*)::int as n from mail_outbox where status <> 'sent'`,
        );
        return row.n === 0;
      }, 30_000);
      expect(drained).toBe(true);
      const ids = cluster.smtp.received.map((mail) => mail.messageId);
      const [sent] = await cluster.rows<{ n: number }>(`select count(*)::int as n from mail_outbox`);
      expect({ received: ids.length, distinct: new Set(ids).size }).toEqual({
        received: sent.n,
        distinct: sent.n,
      });
    });
  },
);
