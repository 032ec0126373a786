import { eq } from 'drizzle-orm';
import { createHmac, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { cartItems, carts, guestSessions } from '../../src/database/schema';
import { newOrderNumber } from '../../src/modules/orders/order-number';
import { adminToken, CARD, guestOrderBody, registerUser, SHIPPING, uniqueEmail } from '../support/factories';
import { createTestApp, HttpResult, TestApp } from '../support/test-app';
import { Recorder } from './support/recorder';
import { ORDER_NUMBER, pool, shop, Shop, tally, UUID_V4 } from './support/shop';

jest.setTimeout(180_000);

const rec = new Recorder('security');

afterAll(() => rec.finish());
beforeEach(() => rec.scenario());

let nextIp = 1;
/** A fresh client address, so rate-limit counters never carry over between tests. */
const ip = () => `10.88.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

function expectError(res: HttpResult, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
}

// Each test app writes its log lines (one pino logger per app, createLogger) to the stream it is given.
describe('security: personal data and secrets never reach the logs', () => {
  const lines: string[] = [];
  const logStream = new PassThrough();
  let t: TestApp;
  let s: Shop;

  beforeAll(async () => {
    logStream.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
    t = rec.track(await createTestApp({ LOG_LEVEL: 'info' }, { logStream }));
    s = shop(t);
  });
  afterAll(async () => {
    await t?.close();
    // later apps of this file inherit the logger: let their lines flow away
    logStream.removeAllListeners('data');
    logStream.resume();
  });

  /** Every spelling of a secret a log line could carry: as is, lower-cased, URL- and JSON-encoded. */
  function spellings(secret: string): string[] {
    return [
      ...new Set([
        secret,
        secret.toLowerCase(),
        encodeURIComponent(secret),
        JSON.stringify(secret).slice(1, -1),
      ]),
    ];
  }

  function foundIn(log: string, secrets: Record<string, string>): string[] {
    return Object.entries(secrets).flatMap(([name, secret]) =>
      spellings(secret)
        .filter((spelling) => log.includes(spelling))
        .map((spelling) => `${name} (${spelling})`),
    );
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  it('keeps emails, passwords, card tokens, bearer tokens and idempotency keys out of the log', async () => {
    const product = await s.product({ stock: 10 });
    const secrets = {
      'registered email': uniqueEmail('Pii.Owner'),
      password: `Sup3r-Secret-${randomUUID().slice(0, 8)}`,
      'guest email': uniqueEmail('Pii.Guest'),
      'declined card token': `tok_secret_${randomUUID().slice(0, 8)}`,
      'card token': 'tok_visa',
      'idempotency key': `idem-${randomUUID()}`,
      'converting password': `Convert-Secret-${randomUUID().slice(0, 8)}`,
    } as Record<string, string>;
    const start = lines.length;

    const registered = await t.request('POST', '/api/v1/auth/register', {
      body: { email: secrets['registered email'], password: secrets.password },
    });
    expect(registered.status).toBe(201);
    secrets['bearer token'] = registered.body.data.token as string;
    expect(
      (
        await t.request('POST', '/api/v1/auth/login', {
          body: { email: secrets['registered email'], password: secrets.password },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.request('POST', '/api/v1/auth/login', {
          body: { email: secrets['registered email'], password: `${secrets.password}x` },
        })
      ).status,
    ).toBe(401);
    expect((await t.request('GET', '/api/v1/auth/me', { token: secrets['bearer token'] })).status).toBe(200);

    const sessionId = await s.guestCart([[product, 1]]);
    const declined = await s.placeGuest(
      guestOrderBody(sessionId, secrets['guest email'], {
        payment_info: { method: 'card', token: secrets['declined card token'] },
      }),
    );
    expectError(declined, 402, 'PAYMENT_DECLINED');
    const placed = await s.placeGuest(guestOrderBody(sessionId, secrets['guest email']), {
      'Idempotency-Key': secrets['idempotency key'],
    });
    expect(placed.status).toBe(201);
    const orderNumber = placed.body.data.order.order_number as string;

    const query = `email=${encodeURIComponent(secrets['guest email'])}&order_number=${orderNumber}`;
    expect((await t.request('GET', `/api/v1/orders/guest-lookup?${query}`)).status).toBe(200);
    expect((await t.request('GET', `/api/v1/orders/guest-lookup/?${query}`)).status).toBe(200);
    expect(
      (
        await t.request('POST', '/api/v1/orders/guest-lookup', {
          body: { email: secrets['guest email'], order_number: orderNumber },
        })
      ).status,
    ).toBe(200);
    const converted = await t.request('POST', '/api/v1/auth/convert-guest', {
      body: {
        email: secrets['guest email'],
        password: secrets['converting password'],
        guest_order_id: orderNumber,
      },
    });
    expect(converted.status).toBe(201);
    await settle();

    const log = lines.slice(start).join('');
    expect(log).toContain('request completed'); // the requests were logged…
    expect(log).toContain('[REDACTED]'); // …with the secrets taken out
    expect(foundIn(log, secrets)).toEqual([]);
  });

  it('keeps the email out of a logged lookup URL however the query key is spelled', async () => {
    const product = await s.product({ stock: 10 });
    const email = uniqueEmail('Pii.Spelling');
    const placed = await s.guestOrder([[product, 1]], email);

    // Fastify decodes the key, so the e%6Dail and %65mail lookups work with the email in the query string;
    // EMAIL is refused (400) but still logged
    const found: Record<string, string[]> = {};
    for (const key of ['email', 'EMAIL', 'e%6Dail', '%65mail']) {
      const start = lines.length;
      const res = await t.request(
        'GET',
        `/api/v1/orders/guest-lookup?${key}=${encodeURIComponent(email)}&order_number=${placed.order.order_number}`,
      );
      expect({ key, status: res.status }).toEqual({ key, status: key === 'EMAIL' ? 400 : 200 });
      await settle();
      found[key] = foundIn(lines.slice(start).join(''), { email });
    }

    expect(found).toEqual({ email: [], EMAIL: [], 'e%6Dail': [], '%65mail': [] });
  });
});

describe('security: identifiers are random, well-formed and never repeat', () => {
  let t: TestApp;
  let s: Shop;

  beforeAll(async () => {
    t = rec.track(await createTestApp());
    s = shop(t);
  });
  afterAll(() => t?.close());

  it('gives every guest session a UUID v4 and never the same one twice (300 sessions)', async () => {
    const ids = await pool(
      10,
      Array.from({ length: 300 }, () => async () => {
        const res = await t.request('POST', '/api/v1/cart/guest', { body: { items: [] } });
        expect(res.status).toBe(201);
        return res.body.data.session_id as string;
      }),
    );
    expect(ids.filter((id) => !UUID_V4.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    // contract §4: a session holds no personal data, only times
    const [row] = await t.database.db.select().from(guestSessions).where(eq(guestSessions.id, ids[0]));
    expect(Object.keys(row).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastActivityAt']);
  });

  it('numbers orders GC- + 10 Crockford base32 characters, with no repeat over 200 orders and 100 000 draws', async () => {
    const product = await s.product({ stock: 1_000, unit_price: 250 });
    const numbers = await pool(
      5,
      Array.from({ length: 200 }, (_, i) => async () => {
        const res = await t.request('POST', '/api/orders', {
          body: {
            customerData: {
              name: 'Guest Shopper',
              email: `guest_${i}_${randomUUID().slice(0, 8)}@checkout.guest`,
              phone: '+123456789',
              address: 'Calle 1',
              neighborhoodId: 'n1',
            },
            shippingAddress: { street: 'Calle 1', cityId: 'c1', neighborhoodId: 'n1' },
            items: [{ productId: product.id, quantity: 1, unitPrice: 250 }],
          },
        });
        expect(res.status).toBe(201);
        return res.body.data.orderNumber as string;
      }),
    );
    expect(numbers.filter((n) => !ORDER_NUMBER.test(n))).toEqual([]);
    expect(new Set(numbers).size).toBe(numbers.length);

    // the generator itself: 100 000 draws, no repeat, every character about equally likely
    const draws = Array.from({ length: 100_000 }, () => newOrderNumber());
    expect(draws.filter((n) => !ORDER_NUMBER.test(n))).toEqual([]);
    expect(new Set(draws).size).toBe(draws.length);
    const counts = new Map<string, number>();
    for (const n of draws) for (const ch of n.slice(3)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const expected = (draws.length * 10) / 32;
    const chiSquare = [...counts.values()].reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    console.table([
      { draws: draws.length, distinctCharacters: counts.size, chiSquare31dof: chiSquare.toFixed(1) },
    ]);
    expect(counts.size).toBe(32);
    expect(chiSquare).toBeLessThan(100); // 31 degrees of freedom: the 99.9th percentile is about 61
  });
});

describe('security: one shopper cannot reach another one’s data', () => {
  let t: TestApp;
  let s: Shop;

  beforeAll(async () => {
    t = rec.track(await createTestApp());
    s = shop(t);
  });
  afterAll(() => t?.close());

  it('keeps a guest cart out of every other guest’s reach without its id', async () => {
    const product = await s.product({ stock: 50 });
    const alice = await s.guestCart([[product, 2]], ip());
    const bob = ip();
    const bobsOwn = await s.guestCart([[product, 1]], bob);
    const snapshot = async () => ({
      session: (await t.database.db.select().from(guestSessions).where(eq(guestSessions.id, alice)))[0],
      lines: await t.database.db
        .select({ productId: cartItems.productId, quantity: cartItems.quantity })
        .from(cartItems)
        .innerJoin(carts, eq(carts.id, cartItems.cartId))
        .where(eq(carts.guestSessionId, alice)),
    });
    const before = await snapshot();
    const user = await registerUser(t);
    // a near miss: Alice's id with its last hex digit changed
    const nearMiss = `${alice.slice(0, -1)}${alice.endsWith('0') ? '1' : '0'}`;

    const attempts: HttpResult[] = [];
    for (const guess of [randomUUID(), nearMiss]) {
      attempts.push(await t.request('GET', `/api/v1/cart/guest/${guess}`, { remoteAddress: bob }));
      attempts.push(
        await t.request('POST', '/api/v1/cart/guest', {
          body: { session_id: guess, items: [] },
          remoteAddress: bob,
        }),
      );
      attempts.push(await s.placeGuest(guestOrderBody(guess), undefined, bob));
      attempts.push(
        await t.request('POST', '/api/v1/cart/merge', {
          token: user.token,
          body: { guest_session_id: guess },
        }),
      );
    }

    expect(tally(attempts)).toEqual({ '404 GUEST_SESSION_NOT_FOUND': 8 });
    expect(bobsOwn).not.toBe(alice);
    const bobsView = await t.request('GET', `/api/v1/cart/guest/${bobsOwn}`, { remoteAddress: bob });
    expect(bobsView.raw).not.toContain(alice);
    expect(await snapshot()).toEqual(before);
  });

  it('never shows or changes one user’s orders or cart for another user', async () => {
    const product = await s.product({ stock: 50 });
    const [owner, other] = [await registerUser(t), await registerUser(t)];
    await t.request('PUT', `/api/v1/cart/items/${product.id}`, { token: owner.token, body: { quantity: 2 } });
    const placed = await t.request('POST', '/api/v1/orders', {
      token: owner.token,
      body: { shipping_address: SHIPPING, payment_info: CARD },
    });
    expect(placed.status).toBe(201);
    const order = placed.body.data.order;
    await t.request('PUT', `/api/v1/cart/items/${product.id}`, { token: owner.token, body: { quantity: 3 } });

    expectError(
      await t.request('GET', `/api/v1/orders/${order.order_number}`, { token: other.token }),
      404,
      'ORDER_NOT_FOUND',
    );
    const list = await t.request('GET', '/api/v1/orders', { token: other.token });
    expect(list.body.data.orders).toEqual([]);
    expectError(
      await t.request('PATCH', `/api/v1/admin/orders/${order.id}/status`, {
        token: other.token,
        body: { status: 'cancelled' },
      }),
      403,
      'FORBIDDEN',
    );
    const othersCart = await t.request('GET', '/api/v1/cart', { token: other.token });
    expect(othersCart.body.data.cart.items).toEqual([]);
    await t.request('DELETE', `/api/v1/cart/items/${product.id}`, { token: other.token });
    const ownersCart = await t.request('GET', '/api/v1/cart', { token: owner.token });
    expect(ownersCart.body.data.cart.items.map((i: { quantity: number }) => i.quantity)).toEqual([3]);
    // a guest session merged by one user is refused to another (contract §5)
    const sessionId = await s.guestCart([[product, 1]]);
    expect(
      (
        await t.request('POST', '/api/v1/cart/merge', {
          token: owner.token,
          body: { guest_session_id: sessionId },
        })
      ).status,
    ).toBe(200);
    expectError(
      await t.request('POST', '/api/v1/cart/merge', {
        token: other.token,
        body: { guest_session_id: sessionId },
      }),
      409,
      'GUEST_CART_ALREADY_MERGED',
    );
  });
});

/** Median of a sorted copy. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.ceil(pos)] - sorted[lo]) * (pos - lo);
}

/** Mann-Whitney U of two samples, with its normal approximation z (ties get average ranks). */
function mannWhitney(a: number[], b: number[]): { u: number; z: number } {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const rankSumA = all.reduce((sum, item, i) => (item.g === 0 ? sum + ranks[i] : sum), 0);
  const u = rankSumA - (a.length * (a.length + 1)) / 2;
  const mean = (a.length * b.length) / 2;
  const sd = Math.sqrt((a.length * b.length * (a.length + b.length + 1)) / 12);
  return { u, z: (u - mean) / sd };
}

describe('security: guest lookup takes the same time for a wrong email and a wrong number', () => {
  let t: TestApp;
  let s: Shop;

  beforeAll(async () => {
    t = rec.track(await createTestApp());
    s = shop(t);
  });
  afterAll(() => t?.close());

  it('answers both with the same bytes, and their medians differ by less than 5 ms over 200 interleaved samples each', async () => {
    const product = await s.product({ stock: 10 });
    const placed = await s.guestOrder([[product, 1]]);
    const { email, order_number: orderNumber } = placed.order;
    const otherNumber = (() => {
      for (;;) {
        const candidate = newOrderNumber();
        if (candidate !== orderNumber) return candidate;
      }
    })();
    const cases = {
      'wrong email': { email: uniqueEmail('intruder'), order_number: orderNumber },
      'wrong number': { email, order_number: otherNumber },
    };
    const timings: Record<keyof typeof cases, number[]> = { 'wrong email': [], 'wrong number': [] };
    const bodies = new Set<string>();
    const lookup = async (name: keyof typeof cases): Promise<void> => {
      const started = process.hrtime.bigint();
      const res = await t.request('POST', '/api/v1/orders/guest-lookup', { body: cases[name] });
      timings[name].push(Number(process.hrtime.bigint() - started) / 1e6);
      expectError(res, 404, 'ORDER_NOT_FOUND');
      bodies.add(res.raw);
    };

    for (let i = 0; i < 20; i++) await lookup(i % 2 === 0 ? 'wrong email' : 'wrong number'); // warm-up
    timings['wrong email'] = [];
    timings['wrong number'] = [];
    for (let i = 0; i < 200; i++) {
      // interleaved, in a random order within each pair, so drift hits both alike
      const pair: (keyof typeof cases)[] =
        Math.random() < 0.5 ? ['wrong email', 'wrong number'] : ['wrong number', 'wrong email'];
      for (const name of pair) await lookup(name);
    }

    const [a, b] = [timings['wrong email'], timings['wrong number']];
    const iqr = (v: number[]) => quantile(v, 0.75) - quantile(v, 0.25);
    const medianDiff = quantile(a, 0.5) - quantile(b, 0.5);
    const spread = (iqr(a) + iqr(b)) / 2;
    const { u, z } = mannWhitney(a, b);
    console.table([
      ...(['wrong email', 'wrong number'] as const).map((name) => ({
        case: name,
        samples: timings[name].length,
        medianMs: quantile(timings[name], 0.5).toFixed(3),
        p10Ms: quantile(timings[name], 0.1).toFixed(3),
        p90Ms: quantile(timings[name], 0.9).toFixed(3),
        iqrMs: iqr(timings[name]).toFixed(3),
      })),
    ]);
    console.table([
      {
        'median difference (ms)': medianDiff.toFixed(3),
        'difference / mean IQR': (medianDiff / spread).toFixed(3),
        'Mann-Whitney U': u,
        'z (|z| > 1.96 ≈ distinguishable at 5 %)': z.toFixed(2),
      },
    ]);

    expect(bodies.size).toBe(1);
    expect(Math.abs(medianDiff)).toBeLessThan(5);
  });
});

/** An HS-signed JWT built by hand, so header, payload and signature can each be wrong on purpose. */
function jwt(
  header: object,
  payload: object,
  secret: string,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const data = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${data}.${createHmac(hash, secret).update(data).digest('base64url')}`;
}

describe('security: forged, tampered and expired tokens are refused', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = rec.track(await createTestApp());
  });
  afterAll(() => t?.close());

  it('answers 401 UNAUTHENTICATED to every forged token, on customer and admin routes alike', async () => {
    const user = await registerUser(t);
    const secret = t.config.jwtSecret;
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: user.id, role: 'customer', iat: now, exp: now + 3600 };
    const [header, , signature] = user.token.split('.');
    const asAdmin = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const none = (alg: string, payload: object) =>
      `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

    const forged: Record<string, string> = {
      'payload changed (role: admin), signature kept': `${header}.${asAdmin}.${signature}`,
      'payload changed (another sub), signature kept': `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString('base64url')}.${signature}`,
      'alg none': none('none', { ...claims, role: 'admin' }),
      'alg None': none('None', { ...claims, role: 'admin' }),
      'alg NONE without the trailing dot': none('NONE', claims).slice(0, -1),
      'signed with another secret': jwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...claims, role: 'admin' },
        'another-secret-that-is-long-enough-0123456789',
      ),
      'expired an hour ago': jwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...claims, iat: now - 7200, exp: now - 3600 },
        secret,
      ),
      'not valid before tomorrow': jwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...claims, nbf: now + 86_400 },
        secret,
      ),
      'HS512 with the right secret': jwt({ alg: 'HS512', typ: 'JWT' }, claims, secret, 'sha512'),
      'HS384 with the right secret': jwt({ alg: 'HS384', typ: 'JWT' }, claims, secret, 'sha384'),
      'subject that is not a user id': jwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...claims, sub: "1' OR '1'='1" },
        secret,
      ),
      'unknown role': jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, role: 'superadmin' }, secret),
      'signature stripped': `${header}.${asAdmin}.`,
      garbage: 'not-a-jwt',
    };

    expect((await t.request('GET', '/api/v1/auth/me', { token: user.token })).status).toBe(200);
    expectError(await t.request('GET', '/api/v1/admin/guest-stats', { token: user.token }), 403, 'FORBIDDEN');
    const outcomes: Record<string, string> = {};
    for (const [name, token] of Object.entries(forged)) {
      const me = await t.request('GET', '/api/v1/auth/me', { token });
      const admin = await t.request('GET', '/api/v1/admin/guest-stats', { token });
      outcomes[name] = `${me.status} ${me.body?.error?.code} / ${admin.status} ${admin.body?.error?.code}`;
    }
    expect(outcomes).toEqual(
      Object.fromEntries(
        Object.keys(forged).map((name) => [name, '401 UNAUTHENTICATED / 401 UNAUTHENTICATED']),
      ),
    );
  });
});

describe('security: X-Forwarded-For does not move the rate limit unless TRUST_PROXY says so', () => {
  let direct: TestApp;
  let proxied: TestApp;

  beforeAll(async () => {
    direct = rec.track(await createTestApp({ RATE_LIMITS: 'on' }));
    proxied = rec.track(await createTestApp({ RATE_LIMITS: 'on', TRUST_PROXY: '127.0.0.1' }));
  });
  afterAll(async () => {
    await direct?.close();
    await proxied?.close();
  });

  const cart = (app: TestApp, remoteAddress: string, headers: Record<string, string>) =>
    app.request('POST', '/api/v1/cart/guest', { body: { items: [] }, remoteAddress, headers });

  it('counts by socket address when no proxy is trusted, whatever forwarding header is sent', async () => {
    const client = ip();
    const spoofs = (i: number): Record<string, string> => {
      const forged = ip();
      return [
        { 'x-forwarded-for': forged },
        { 'x-forwarded-for': `${forged}, ${client}` },
        { 'x-real-ip': forged },
        { forwarded: `for=${forged}` },
      ][i % 4];
    };
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await cart(direct, client, spoofs(i))).status);
    expect(statuses).toEqual([...new Array(20).fill(201), 429]);
    // the lookup bucket too: the 6th attempt is refused with Retry-After
    const lookups: HttpResult[] = [];
    for (let i = 0; i < 6; i++) {
      lookups.push(
        await direct.request('POST', '/api/v1/orders/guest-lookup', {
          body: { email: 'a@example.com', order_number: 'GC-0000000000' },
          remoteAddress: client,
          headers: { 'x-forwarded-for': ip() },
        }),
      );
    }
    expect(lookups.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 429]);
    expect(Number(lookups[5].headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('counts per forwarded client behind the trusted proxy, and ignores the header from anyone else', async () => {
    const fromProxy: number[] = [];
    for (let i = 0; i < 25; i++)
      fromProxy.push((await cart(proxied, '127.0.0.1', { 'x-forwarded-for': ip() })).status);
    expect(fromProxy).toEqual(new Array(25).fill(201));

    const untrusted = ip();
    const spoofed: number[] = [];
    for (let i = 0; i < 21; i++)
      spoofed.push((await cart(proxied, untrusted, { 'x-forwarded-for': ip() })).status);
    expect(spoofed).toEqual([...new Array(20).fill(201), 429]);
  });
});

describe('security: error bodies carry no stack trace, SQL or file path', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = rec.track(await createTestApp());
  });
  afterAll(() => t?.close());

  it('leaks nothing in any error body this file produced, including the 5xx ones provoked here', async () => {
    const admin = await adminToken(t);
    const provoke: [Parameters<TestApp['request']>[0], string, Parameters<TestApp['request']>[2]][] = [
      ['GET', '/api/v1/nothing-here', {}],
      ['PUT', '/health', {}],
      [
        'POST',
        '/api/v1/auth/login',
        { rawBody: '{"email": ', headers: { 'content-type': 'application/json' } },
      ],
      ['POST', '/api/v1/auth/login', { rawBody: 'email=a', headers: { 'content-type': 'text/plain' } }],
      ['POST', '/api/v1/auth/login', { body: { email: 'a@example.com', password: 'x'.repeat(70_000) } }],
      ['GET', '/api/v1/products/%zz', {}],
      ['GET', '/api/v1/orders/GC-%00', { token: admin }],
      [
        'POST',
        '/api/v1/auth/register',
        { body: { email: 'nul@example.com', password: 'a-good-password', first_name: 'a\u0000b' } },
      ],
      [
        'POST',
        '/api/v1/admin/products',
        {
          token: admin,
          rawBody: `{"items":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
          headers: { 'content-type': 'application/json' },
        },
      ],
      [
        'POST',
        '/api/v1/admin/products',
        { token: admin, body: { sku: 'DUP-1', name: 'x', unit_price: 1, stock: 1 } },
      ],
      [
        'POST',
        '/api/v1/admin/products',
        { token: admin, body: { sku: 'DUP-1', name: 'x', unit_price: 1, stock: 1 } },
      ],
      ['GET', `/api/v1/products?cursor=${encodeURIComponent("' OR 1=1 --")}`, {}],
    ];
    const statuses: number[] = [];
    for (const [method, url, options] of provoke)
      statuses.push((await t.request(method, url, options)).status);
    console.table([{ provoked: statuses.join(' ') }]);

    expect(rec.leaks).toEqual([]);
  });
});
