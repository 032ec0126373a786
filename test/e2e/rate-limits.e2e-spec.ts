import { randomUUID } from 'node:crypto';
import { createProduct, registerUser } from '../support/factories';
import {
  guestOrderBody,
  spec002Body,
  spec002Item,
  unknownOrderNumber,
  uniqueEmail,
} from '../support/fixtures';
import { expectRateLimited } from '../support/matchers';
import { createTestApp, TestApp } from '../support/test-app';
import { useShop } from '../support/use-shop';

/** A fresh client address per test, so counters never leak between tests (or CI runs sharing Redis). */
function ip(): string {
  const bytes = randomUUID().replace(/-/g, '').slice(0, 6);
  return `10.${parseInt(bytes.slice(0, 2), 16)}.${parseInt(bytes.slice(2, 4), 16)}.${parseInt(bytes.slice(4, 6), 16)}`;
}

async function repeat(n: number, send: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await send(i)).status);
  return statuses;
}

describe('rate limits (contract §10)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMITS: 'on' });
  });
  afterAll(() => t.close());

  it('allows 20 guest cart requests a minute per IP across create, update and read, and refuses the 21st', async () => {
    const client = ip();
    const created = await t.request('POST', '/api/v1/cart/guest', {
      body: { items: [] },
      remoteAddress: client,
    });
    expect(created.status).toBe(201);
    const sessionId = created.body.data.session_id as string;
    const statuses = await repeat(19, (i) =>
      i % 2 === 0
        ? t.request('GET', `/api/v1/cart/guest/${sessionId}`, { remoteAddress: client })
        : t.request('POST', '/api/v1/cart/guest', {
            body: { session_id: sessionId, items: [] },
            remoteAddress: client,
          }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expectRateLimited(await t.request('GET', `/api/v1/cart/guest/${sessionId}`, { remoteAddress: client }));
    // another client is not affected
    expect((await t.request('GET', `/api/v1/cart/guest/${sessionId}`, { remoteAddress: ip() })).status).toBe(
      200,
    );
  });

  it('counts refused requests too: the 6th login attempt a minute is refused, right or wrong', async () => {
    const client = ip();
    const user = await registerUser(t);
    const statuses = await repeat(5, () =>
      t.request('POST', '/api/v1/auth/login', {
        body: { email: user.email, password: 'wrong-password' },
        remoteAddress: client,
      }),
    );
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expectRateLimited(
      await t.request('POST', '/api/v1/auth/login', {
        body: { email: user.email, password: user.password },
        remoteAddress: client,
      }),
    );
  });

  it('shares the auth bucket between register and login', async () => {
    const client = ip();
    const statuses = await repeat(5, (i) =>
      i < 3
        ? t.request('POST', '/api/v1/auth/register', {
            body: { email: `x${i}-${randomUUID()}@example.com`, password: 'pass-word-1' },
            remoteAddress: client,
          })
        : t.request('POST', '/api/v1/auth/login', {
            body: { email: 'nobody@example.com', password: 'pass-word-1' },
            remoteAddress: client,
          }),
    );
    expect(statuses).toEqual([201, 201, 201, 401, 401]);
    expectRateLimited(
      await t.request('POST', '/api/v1/auth/register', {
        body: { email: `late-${randomUUID()}@example.com`, password: 'pass-word-1' },
        remoteAddress: client,
      }),
    );
  });

  it('limits merges to 10 a minute per user, whatever the IP, and not per IP', async () => {
    const first = await registerUser(t);
    const second = await registerUser(t);
    const statuses = await repeat(10, () =>
      t.request('POST', '/api/v1/cart/merge', {
        token: first.token,
        body: { guest_session_id: randomUUID() },
        remoteAddress: ip(),
      }),
    );
    expect(statuses.every((s) => s === 404)).toBe(true);
    expectRateLimited(
      await t.request('POST', '/api/v1/cart/merge', {
        token: first.token,
        body: { guest_session_id: randomUUID() },
        remoteAddress: ip(),
      }),
    );
    expect(
      (
        await t.request('POST', '/api/v1/cart/merge', {
          token: second.token,
          body: { guest_session_id: randomUUID() },
        })
      ).status,
    ).toBe(404);
  });

  it('limits everything else to 120 a minute per IP', async () => {
    const client = ip();
    const product = await createProduct(t);
    const statuses = await repeat(120, () =>
      t.request('GET', `/api/v1/products/${product.id}`, { remoteAddress: client }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expectRateLimited(await t.request('GET', '/api/v1/products', { remoteAddress: client }));
  });

  it('never limits /health', async () => {
    const client = ip();
    const statuses = await repeat(130, () => t.request('GET', '/health', { remoteAddress: client }));
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says to trust it', async () => {
    const client = ip();
    const statuses = await repeat(21, () =>
      t.request('POST', '/api/v1/cart/guest', {
        body: { items: [] },
        remoteAddress: client,
        headers: { 'x-forwarded-for': ip() },
      }),
    );
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});

describe('rate limits on guest orders and lookup (contract §10)', () => {
  const { api, db } = useShop({ RATE_LIMITS: 'on' });

  it('allows 5 lookups a minute per IP, GET and POST together, and answers the 6th with 429', async () => {
    const client = '10.61.0.1';
    const product = await api.product({ stock: 5 });
    const email = uniqueEmail('limited');
    const sessionId = await api.guestCart([[product, 1]], { remoteAddress: '10.61.0.2' });
    const placed = await api.placeGuestOrder(guestOrderBody(sessionId, email), {
      remoteAddress: '10.61.0.2',
    });
    expect(placed.status).toBe(201);
    const number = placed.body.data.order.order_number;

    const statuses = [
      (await api.lookup('GET', email, number, { remoteAddress: client })).status,
      (await api.lookup('POST', email, number, { remoteAddress: client })).status,
      (await api.lookup('GET', email, unknownOrderNumber(), { remoteAddress: client })).status,
      (await api.lookup('POST', uniqueEmail('x'), number, { remoteAddress: client })).status,
      (await api.lookup('POST', email, number, { remoteAddress: client })).status,
    ];

    expect(statuses).toEqual([200, 200, 404, 404, 200]);
    expectRateLimited(await api.lookup('GET', email, number, { remoteAddress: client }));
    expectRateLimited(await api.lookup('POST', email, number, { remoteAddress: client }));
    expect((await api.lookup('POST', email, number, { remoteAddress: '10.61.0.3' })).status).toBe(200);
  });

  it('allows 3 guest orders a minute per IP, counting POST /api/orders, and answers the 4th with 429', async () => {
    const client = '10.62.0.1';
    const product = await api.product({ stock: 20 });
    const sessions = [
      await api.guestCart([[product, 1]], { remoteAddress: client }),
      await api.guestCart([[product, 1]], { remoteAddress: client }),
      await api.guestCart([[product, 1]], { remoteAddress: client }),
    ];
    const compatOrder = () =>
      api.spec002Order(spec002Body([spec002Item(product)], 'guest_rate_limit@checkout.guest'), {
        remoteAddress: client,
      });

    expect((await api.placeGuestOrder(guestOrderBody(sessions[0]), { remoteAddress: client })).status).toBe(
      201,
    );
    expect((await compatOrder()).status).toBe(201);
    expect((await api.placeGuestOrder(guestOrderBody(sessions[1]), { remoteAddress: client })).status).toBe(
      201,
    );

    expectRateLimited(await api.placeGuestOrder(guestOrderBody(sessions[2]), { remoteAddress: client }));
    expectRateLimited(await compatOrder());
    expect(await db.guestLines(sessions[2])).toEqual([{ productId: product.id, quantity: 1 }]);
    expect(await db.stock(product.id)).toBe(17);
    expect(
      (await api.placeGuestOrder(guestOrderBody(sessions[2]), { remoteAddress: '10.62.0.2' })).status,
    ).toBe(201);
  });
});

describe('rate limits behind a trusted proxy', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMITS: 'on', TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('counts per forwarded client when the proxy is trusted', async () => {
    const proxy = '127.0.0.1';
    const [a, b] = [ip(), ip()];
    const statuses = await repeat(20, () =>
      t.request('POST', '/api/v1/cart/guest', {
        body: { items: [] },
        remoteAddress: proxy,
        headers: { 'x-forwarded-for': a },
      }),
    );
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect(
      (
        await t.request('POST', '/api/v1/cart/guest', {
          body: { items: [] },
          remoteAddress: proxy,
          headers: { 'x-forwarded-for': a },
        })
      ).status,
    ).toBe(429);
    expect(
      (
        await t.request('POST', '/api/v1/cart/guest', {
          body: { items: [] },
          remoteAddress: proxy,
          headers: { 'x-forwarded-for': b },
        })
      ).status,
    ).toBe(201);
  });
});

describe('rate limits with RATE_LIMITS=off', () => {
  it('lets every request through', async () => {
    const t = await createTestApp({ RATE_LIMITS: 'off' });
    const client = ip();
    const statuses = await repeat(25, () =>
      t.request('POST', '/api/v1/cart/guest', { body: { items: [] }, remoteAddress: client }),
    );
    expect(statuses.every((s) => s === 201)).toBe(true);
    await t.close();
  });
});

describe('rate limits when Redis cannot be reached', () => {
  it('keeps serving and keeps limiting in memory', async () => {
    const t = await createTestApp({ RATE_LIMITS: 'on', REDIS_URL: 'redis://127.0.0.1:1' });
    const client = ip();
    const statuses = await repeat(21, () =>
      t.request('POST', '/api/v1/cart/guest', { body: { items: [] }, remoteAddress: client }),
    );
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
    await t.close();
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
// Runs where a Redis server is available (CI sets TEST_REDIS_URL); without one there is nothing to share.
(redisUrl ? describe : describe.skip)('rate limits shared through Redis', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await createTestApp({ RATE_LIMITS: 'on', REDIS_URL: redisUrl });
    second = await createTestApp({ RATE_LIMITS: 'on', REDIS_URL: redisUrl });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('counts requests to two instances against one limit', async () => {
    const client = ip();
    const statuses = await repeat(20, (i) =>
      (i % 2 === 0 ? first : second).request('POST', '/api/v1/cart/guest', {
        body: { items: [] },
        remoteAddress: client,
      }),
    );
    expect(statuses.every((s) => s === 201)).toBe(true);
    expectRateLimited(
      await second.request('POST', '/api/v1/cart/guest', { body: { items: [] }, remoteAddress: client }),
    );
    expectRateLimited(
      await first.request('POST', '/api/v1/cart/guest', { body: { items: [] }, remoteAddress: client }),
    );
  });
});
