import { TransactionHost } from '@nestjs-cls/transactional';
import { getStorageToken } from '@nestjs/throttler';
import { and, count, eq, inArray, lte, notInArray } from 'drizzle-orm';
import { Client } from 'pg';
import {
  cartItems,
  carts,
  idempotencyKeys,
  mailOutbox,
  orderItems,
  orders,
  orderStatusHistory,
} from '../../src/database/schema';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import { MailService } from '../../src/modules/mail/mail.service';
import { CARD, guestOrderBody, registerUser, SHIPPING, uniqueEmail } from '../support/factories';
import { TestSmtpServer } from '../support/smtp-server';
import { createTestApp, HttpResult, TestApp } from '../support/test-app';
import { serverUrl } from '../support/test-database';
import {
  checkedOutConnections,
  closeAfterFaults,
  confirmedButMissing,
  loadFixture,
  ordersWithoutMailOrMailsWithoutOrder,
  Outcome,
  printLoad,
  recoveryMs,
  runLoad,
  terminateBackends,
  unexpectedAnswers,
  watchUnhandledClientErrors,
  connectKiller,
} from './support/pg-faults';
import { assertNoCustomerData, FACTORY_CUSTOMER_DATA, LogCapture } from './support/log-capture';
import { freePort, hasRedisServer, RedisChild, sleep, TcpProxy, waitFor } from './support/processes';
import { Recorder } from './support/recorder';
import { shop, Shop } from './support/shop';

// jest.config.js sets testTimeout inside the project, where Jest ignores it (it is a global option)
jest.setTimeout(180_000);

const rec = new Recorder('faults');
const pgUrl = serverUrl();
const SKIP_NO_SERVER =
  '(skipped: needs a PostgreSQL server, TEST_DATABASE_URL is not set; PGlite runs in-process)';

afterAll(() => rec.finish());
beforeEach(() => rec.scenario());

/** Invariant and whole-order checks after a fault, counted in the run summary. */
async function expectConsistent(s: Shop): Promise<void> {
  const violations = [...(await s.stockViolations()), ...(await s.partialOrders())];
  rec.invariant(violations);
  expect(violations).toEqual([]);
}

/**
 * What a refused checkout must leave exactly as it was: stock, cart, mail, and every order a shopper could
 * see (contract §6: a failed payment leaves only a `payment_failed` order, kept for audit).
 */
async function checkoutState(t: TestApp, s: Shop, productIds: string[], cartId: string) {
  const db = t.database.db;
  const shown = notInArray(orders.status, ['awaiting_payment', 'payment_failed']);
  const visibleOrders = db.select({ id: orders.id }).from(orders).where(shown);
  return {
    stock: await Promise.all(productIds.map((id) => s.stock(id))),
    cart: await db
      .select({ productId: cartItems.productId, quantity: cartItems.quantity })
      .from(cartItems)
      .where(eq(cartItems.cartId, cartId))
      .orderBy(cartItems.productId),
    orders: (await db.select({ n: count() }).from(orders).where(shown))[0].n,
    orderItems: (
      await db.select({ n: count() }).from(orderItems).where(inArray(orderItems.orderId, visibleOrders))
    )[0].n,
    history: (
      await db
        .select({ n: count() })
        .from(orderStatusHistory)
        .where(inArray(orderStatusHistory.orderId, visibleOrders))
    )[0].n,
    outbox: (await db.select({ n: count() }).from(mailOutbox))[0].n,
    awaitingPayment: (
      await db.select({ n: count() }).from(orders).where(eq(orders.status, 'awaiting_payment'))
    )[0].n,
  };
}

describe('faults: SMTP down while orders and sign-ups keep coming', () => {
  const logs = new LogCapture();
  const smtp = new TestSmtpServer();
  let t: TestApp;
  let s: Shop;
  let dispatcher: MailDispatcher;

  beforeAll(async () => {
    await smtp.start();
    t = rec.track(await createTestApp({ LOG_LEVEL: 'debug', SMTP_URL: smtp.url }, { logStream: logs }));
    s = shop(t);
    dispatcher = t.app.get(MailDispatcher);
    // only the test's dispatchDue() calls send, so every attempt happens where the test says
    await dispatcher.onApplicationShutdown();
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  /**
   * Once the dispatcher is stopped, dispatchDue() handles one batch (20 mails) per call: call it until no
   * pending mail is due on the app's clock. Returns how many were sent.
   */
  async function drain(): Promise<number> {
    let total = 0;
    for (let round = 0; round < 20; round++) {
      const [due] = await t.database.db
        .select({ n: count() })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, t.clock.now())));
      if (due.n === 0) return total;
      total += await dispatcher.dispatchDue();
    }
    throw new Error('the outbox did not drain in 20 rounds');
  }

  it('answers 201 to every order while SMTP is down and delivers each mail exactly once after it comes back', async () => {
    const product = await s.product({ stock: 100 });
    const buyers = Array.from({ length: 25 }, (_, i) => uniqueEmail(`smtp-down-${i}`));
    await smtp.stop();
    rec.fault();

    const placed = [];
    for (const email of buyers) placed.push(await s.guestOrder([[product, 1]], email));
    const signups = [await registerUser(t), await registerUser(t), await registerUser(t)];
    const recipients = [...buyers, ...signups.map((u) => u.email)];
    expect(placed.every((p) => p.confirmation_details.email_queued)).toBe(true);

    // two attempts while down: the second only after the 5 s back-off, moved on the app's clock
    expect(await drain()).toBe(0);
    expect(await dispatcher.dispatchDue()).toBe(0); // nothing due: every mail waits for its back-off
    t.clock.advance(5_001);
    expect(await drain()).toBe(0);
    const failing = await t.database.db.select().from(mailOutbox);
    expect(failing).toHaveLength(recipients.length);
    for (const row of failing) {
      expect(row).toMatchObject({ status: 'pending', attempts: 2, lastError: expect.any(String) });
      // second back-off is 10 s
      expect(row.nextAttemptAt.getTime() - t.clock.now().getTime()).toBeGreaterThan(9_000);
    }
    expect(smtp.received).toHaveLength(0);

    await smtp.start(); // same port
    expect(await dispatcher.dispatchDue()).toBe(0); // back, but the back-off has not run out
    t.clock.advance(10_001);
    expect(await drain()).toBe(recipients.length);
    t.clock.advance(3_600_000);
    expect(await drain()).toBe(0);
    expect(await dispatcher.dispatchDue()).toBe(0);

    for (const email of recipients)
      expect({ email, mails: smtp.to(email).length }).toEqual({ email, mails: 1 });
    expect(smtp.received).toHaveLength(recipients.length);
    for (const { order } of placed) {
      expect(smtp.to(order.email)[0].raw).toContain(order.order_number);
    }
    const rows = await t.database.db.select().from(mailOutbox);
    expect(rows.every((row) => row.status === 'sent' && row.attempts === 3)).toBe(true);
    await expectConsistent(s);
  });

  it('wrote no customer data to the log (contract §12)', () => {
    assertNoCustomerData(logs.lines, FACTORY_CUSTOMER_DATA);
  });
});

describe('faults: payment provider outage (tok_unavailable)', () => {
  const logs = new LogCapture();
  let t: TestApp;
  let s: Shop;

  beforeAll(async () => {
    t = rec.track(await createTestApp({ LOG_LEVEL: 'debug' }, { logStream: logs }));
    s = shop(t);
  });
  afterAll(() => t?.close());

  async function guestCartId(sessionId: string): Promise<string> {
    const [cart] = await t.database.db.select().from(carts).where(eq(carts.guestSessionId, sessionId));
    return cart.id;
  }

  function expectProviderDown(res: HttpResult): void {
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'PAYMENT_PROVIDER_UNAVAILABLE', message: expect.any(String) },
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }

  it('answers 503 PAYMENT_PROVIDER_UNAVAILABLE and keeps no stock, cart change, shown order or mail; the key stays free to retry', async () => {
    const [a, b] = [await s.product({ stock: 5 }), await s.product({ stock: 3 })];
    const sessionId = await s.guestCart([
      [a, 2],
      [b, 3],
    ]);
    const cartId = await guestCartId(sessionId);
    const before = await checkoutState(t, s, [a.id, b.id], cartId);
    const down = guestOrderBody(sessionId, uniqueEmail('outage'), {
      payment_info: { method: 'card', token: 'tok_unavailable' },
    });
    const headers = { 'Idempotency-Key': `outage-${sessionId}` };

    for (let i = 0; i < 3; i++) {
      rec.fault();
      expectProviderDown(await s.placeGuest(down));
      // a 5xx releases the key: the same request is tried again, not replayed
      expectProviderDown(await s.placeGuest(down, headers));
    }
    expect(await checkoutState(t, s, [a.id, b.id], cartId)).toEqual(before);
    const [record] = await t.database.db
      .select()
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.key, headers['Idempotency-Key']));
    expect(record).toMatchObject({ responseStatus: null, responseBody: null });
    expect(record.lockedUntil.getTime()).toBeLessThanOrEqual(Date.now());

    // the key belongs to that body (contract §6: another body → 422); another card takes a new key
    const otherCard = { ...down, payment_info: CARD };
    expect((await s.placeGuest(otherCard, headers)).status).toBe(422);
    const paid = await s.placeGuest(otherCard, { 'Idempotency-Key': `card-${sessionId}` });
    expect(paid.status).toBe(201);
    expect(await s.stock(a.id)).toBe(3);
    expect(await s.stock(b.id)).toBe(0);
    await expectConsistent(s);
  });

  it('keeps the user cart and stock as they were when a user order meets the outage', async () => {
    const product = await s.product({ stock: 4 });
    const user = await registerUser(t);
    const put = await t.request('PUT', `/api/v1/cart/items/${product.id}`, {
      token: user.token,
      body: { quantity: 4 },
    });
    const before = await checkoutState(t, s, [product.id], put.body.data.cart.id);

    rec.fault();
    expectProviderDown(
      await t.request('POST', '/api/v1/orders', {
        token: user.token,
        body: { shipping_address: SHIPPING, payment_info: { method: 'card', token: 'tok_unavailable' } },
      }),
    );

    expect(await checkoutState(t, s, [product.id], put.body.data.cart.id)).toEqual(before);
    await expectConsistent(s);
  });

  it('wrote no customer data to the log (contract §12)', () => {
    assertNoCustomerData(logs.lines, FACTORY_CUSTOMER_DATA);
  });
});

describe('faults: a mail queued in a transaction that rolls back', () => {
  const logs = new LogCapture();
  const smtp = new TestSmtpServer();
  let t: TestApp;

  beforeAll(async () => {
    await smtp.start();
    // the background dispatcher stays on: its kick after a queued mail is what this scenario is about
    t = rec.track(await createTestApp({ LOG_LEVEL: 'debug', SMTP_URL: smtp.url }, { logStream: logs }));
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it('is never delivered, even when the transaction outlives the dispatcher kick (contract §11)', async () => {
    const email = uniqueEmail('rolled-back');
    const txHost = t.app.get(TransactionHost);
    const mail = t.app.get(MailService);
    rec.fault();

    await expect(
      txHost.withTransaction(async () => {
        await mail.queue({
          to: email,
          template: 'email-verification',
          context: { firstName: 'Rolled', token: 'never-valid', expiresInHours: 24, pendingOrders: 0 },
        });
        // a slow transaction: e.g. waiting on a row lock another checkout holds
        await sleep(300);
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');

    await sleep(1_200); // one background poll
    await t.app.get(MailDispatcher).dispatchDue();
    expect(smtp.to(email)).toEqual([]);
    expect(await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.recipient, email))).toEqual([]);
  });

  it('wrote no customer data to the log (contract §12)', () => {
    assertNoCustomerData(logs.lines, FACTORY_CUSTOMER_DATA);
  });
});

(hasRedisServer() ? describe : describe.skip)(
  `faults: Redis crash under rate limiting${hasRedisServer() ? '' : ' (skipped: redis-server is not installed)'}`,
  () => {
    const logs = new LogCapture();
    let redis: RedisChild;
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      redis = new RedisChild(await freePort());
      await redis.start();
      a = rec.track(
        await createTestApp(
          { LOG_LEVEL: 'debug', RATE_LIMITS: 'on', REDIS_URL: redis.url },
          { logStream: logs },
        ),
      );
      b = rec.track(
        await createTestApp(
          { LOG_LEVEL: 'debug', RATE_LIMITS: 'on', REDIS_URL: redis.url },
          { logStream: logs },
        ),
      );
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await redis?.kill();
    });

    let nextIp = 1;
    const ip = () => `10.77.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;
    const cartRequest = (app: TestApp, client: string) =>
      app.request('POST', '/api/v1/cart/guest', { body: { items: [] }, remoteAddress: client });

    async function alternate(n: number, client: string): Promise<number[]> {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) statuses.push((await cartRequest(i % 2 === 0 ? a : b, client)).status);
      return statuses;
    }

    function redisStatus(app: TestApp): string {
      // ResilientThrottlerStorage keeps its ioredis client private; its status says whether it reconnected
      const storage = app.app.get<unknown, { redis: { status: string } }>(getStorageToken());
      return storage.redis.status;
    }

    it('shares counters through Redis, keeps serving and limiting in memory while it is down, and shares again after it restarts', async () => {
      // 1. Redis up: two instances count one client together
      const shared = ip();
      expect(await alternate(20, shared)).toEqual(new Array(20).fill(201));
      expect((await cartRequest(a, shared)).status).toBe(429);
      expect((await cartRequest(b, shared)).status).toBe(429);

      // 2. Redis crashes: the API stays up and still limits, per instance (in-memory fallback)
      await redis.kill();
      rec.fault();
      const during = ip();
      const started = Date.now();
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await cartRequest(a, during)).status);
      expect(statuses).toEqual([...new Array(20).fill(201), 429]);
      expect(Date.now() - started).toBeLessThan(15_000); // commands fail fast, nothing queues
      expect((await a.request('GET', '/health')).status).toBe(200);
      expect((await a.request('GET', '/api/v1/products')).status).toBe(200);
      expect((await cartRequest(b, during)).status).toBe(201); // b has its own memory meanwhile

      // 3. Redis restarts on the same port (empty): both instances reconnect and share again
      await redis.start();
      const reconnected = await waitFor(
        () => redisStatus(a) === 'ready' && redisStatus(b) === 'ready',
        15_000,
      );
      expect(reconnected).toBe(true);
      const after = ip();
      expect(await alternate(20, after)).toEqual(new Array(20).fill(201));
      expect((await cartRequest(a, after)).status).toBe(429);
      expect((await cartRequest(b, after)).status).toBe(429);
    });

    it('wrote no customer data to the log (contract §12)', () => {
      assertNoCustomerData(logs.lines, FACTORY_CUSTOMER_DATA);
    });
  },
);

/**
 * Everything a database fault must not cause, in one object so that a failure shows every problem at
 * once: answers other than 2xx/503, errors that would crash the process, leaked pool connections, a
 * confirmed order that is missing, orders without their mail (or the reverse), broken invariants.
 */
async function databaseFaultFindings(
  t: TestApp,
  s: Shop,
  outcomes: Outcome[],
  extra: { wouldCrashTheProcess: string[]; leakedConnections: number; recoveredInMs: number },
) {
  const invariant = [...(await s.stockViolations()), ...(await s.partialOrders())];
  rec.invariant(invariant);
  const crashes: Record<string, number> = {};
  for (const message of extra.wouldCrashTheProcess) crashes[message] = (crashes[message] ?? 0) + 1;
  return {
    unexpectedAnswers: unexpectedAnswers(outcomes),
    wouldCrashTheProcess: crashes,
    leakedConnections: extra.leakedConnections,
    recovered: extra.recoveredInMs >= 0,
    confirmedOrdersMissing: await confirmedButMissing(t, outcomes),
    ordersAndMailsApart: await ordersWithoutMailOrMailsWithoutOrder(t),
    invariantViolations: invariant,
  };
}

const CLEAN = {
  unexpectedAnswers: [],
  wouldCrashTheProcess: {},
  leakedConnections: 0,
  recovered: true,
  confirmedOrdersMissing: [],
  ordersAndMailsApart: [],
  invariantViolations: [],
};

(pgUrl !== undefined ? describe : describe.skip)(
  `faults: PostgreSQL connections killed with pg_terminate_backend under load ${pgUrl === undefined ? SKIP_NO_SERVER : ''}`,
  () => {
    const logs = new LogCapture();
    let t: TestApp;
    let s: Shop;
    let killer: Client;

    beforeAll(async () => {
      t = rec.track(await createTestApp({ LOG_LEVEL: 'debug' }, { logStream: logs }));
      s = shop(t);
      killer = await connectKiller(pgUrl!);
    });
    afterAll(async () => {
      await killer?.end();
      await closeAfterFaults(t);
    });

    it('answers only 2xx or 503 SERVICE_UNAVAILABLE while backends are killed, recovers by itself and keeps no partial order', async () => {
      const fixture = await loadFixture(t, s);
      const database = new URL(t.testDatabase.url!).pathname.slice(1);
      const watch = watchUnhandledClientErrors(t);
      let running = true;
      const load = runLoad(t, fixture, () => running);

      let killed = 0;
      await sleep(500);
      for (let round = 0; round < 10; round++) {
        killed += await terminateBackends(killer, database, 'all');
        await sleep(250);
      }
      rec.fault(killed);
      await sleep(500); // load goes on while the pool replaces its connections
      running = false;
      const outcomes = await load;
      // the background mail dispatcher works through the orders' mails; let it finish its run
      await t.app
        .get(MailDispatcher)
        .dispatchDue()
        .catch(() => undefined);
      const leaked = await checkedOutConnections(t);
      const recovered = await recoveryMs(t, s, fixture);
      watch.stop();

      printLoad('pg_terminate_backend', outcomes, {
        backendsKilled: killed,
        recoveredInMs: recovered,
        wouldCrash: watch.errors.length,
        leakedConnections: leaked,
      });
      expect(killed).toBeGreaterThan(0);
      expect(
        await databaseFaultFindings(t, s, outcomes, {
          wouldCrashTheProcess: watch.errors,
          leakedConnections: leaked,
          recoveredInMs: recovered,
        }),
      ).toEqual(CLEAN);
    });

    it('wrote no customer data to the log (contract §12)', () => {
      assertNoCustomerData(logs.lines, FACTORY_CUSTOMER_DATA);
    });
  },
);

(pgUrl !== undefined ? describe : describe.skip)(
  `faults: PostgreSQL goes away and comes back (restart seen through a TCP proxy) ${pgUrl === undefined ? SKIP_NO_SERVER : ''}`,
  () => {
    const logs = new LogCapture();
    let proxy: TcpProxy;
    let t: TestApp;
    let s: Shop;

    beforeAll(async () => {
      const target = new URL(pgUrl!);
      proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
      await proxy.start();
      // createTestApp opens the per-file database at TEST_DATABASE_URL: point it at the proxy for this app
      const through = new URL(pgUrl!);
      through.hostname = '127.0.0.1';
      through.port = String(proxy.port);
      process.env.TEST_DATABASE_URL = through.toString();
      try {
        t = rec.track(await createTestApp({ LOG_LEVEL: 'debug' }, { logStream: logs }));
      } finally {
        process.env.TEST_DATABASE_URL = pgUrl;
      }
      s = shop(t);
    });
    afterAll(async () => {
      await proxy?.start().catch(() => undefined); // the per-file database is dropped through it
      await closeAfterFaults(t);
      await proxy?.stop();
    });

    it('answers 503 (never 500) while the server is unreachable, fails fast, and recovers when it is back', async () => {
      const fixture = await loadFixture(t, s);
      const watch = watchUnhandledClientErrors(t);
      let running = true;
      const load = runLoad(t, fixture, () => running);

      await sleep(700);
      await proxy.stop();
      rec.fault();
      const healthDown = await t.request('GET', '/health');
      await sleep(1_500);
      await proxy.start();
      await sleep(1_000);
      running = false;
      const outcomes = await load;
      await sleep(200);
      const leaked = await checkedOutConnections(t);
      const recovered = await recoveryMs(t, s, fixture);
      watch.stop();

      printLoad('server unreachable 1.5 s', outcomes, {
        recoveredInMs: recovered,
        wouldCrash: watch.errors.length,
        leakedConnections: leaked,
      });
      expect({ status: healthDown.status, code: healthDown.body.error.code }).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
      });
      expect(outcomes.some((o) => o.res.status === 503)).toBe(true);
      // a refused connection is answered at once, not after the pool's 5 s connect timeout
      expect(Math.max(...outcomes.filter((o) => o.res.status === 503).map((o) => o.ms))).toBeLessThan(5_000);
      expect(
        await databaseFaultFindings(t, s, outcomes, {
          wouldCrashTheProcess: watch.errors,
          leakedConnections: leaked,
          recoveredInMs: recovered,
        }),
      ).toEqual(CLEAN);
    });

    it('wrote no customer data to the log (contract §12)', () => {
      assertNoCustomerData(logs.lines, FACTORY_CUSTOMER_DATA);
    });
  },
);

describe('faults: error bodies', () => {
  it('produced no error body with a stack trace, SQL or file path in any scenario above', () => {
    expect(rec.leaks).toEqual([]);
  });
});
