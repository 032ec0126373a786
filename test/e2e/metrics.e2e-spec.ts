import { eq } from 'drizzle-orm';
import { mailOutbox } from '../../src/database/schema';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import { PaymentReconciler } from '../../src/modules/checkout/payment-reconciler';
import { updateProduct } from '../support/factories';
import { guestOrderBody, unknownOrderNumber, uniqueEmail } from '../support/fixtures';
import { expectError, expectRateLimited } from '../support/matchers';
import { useShop } from '../support/use-shop';

const TOKEN = 'metrics-test-token_0123456789';
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const CART_READ = 'method="GET",route="/api/v1/cart/guest/:session_id",status="200"';
const GUEST_ORDER = 'route="/api/v1/orders/guest"';

type Samples = Map<string, number>;

/** A scrape's samples, `name{labels}` → value (labels as prom-client writes them). */
function samplesOf(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    const match = /^(\S+(?:\{.*\})?) (\S+)$/.exec(line);
    if (match !== null && !line.startsWith('#')) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

/** How much each sample grew between two scrapes (a series that did not exist yet counts from 0). */
function grewBy(before: Samples, after: Samples, names: string[]): Record<string, number | undefined> {
  return Object.fromEntries(
    names.map((name) => {
      const now = after.get(name);
      return [name, now === undefined ? undefined : now - (before.get(name) ?? 0)];
    }),
  );
}

describe('GET /metrics with METRICS_TOKEN set (contract §12)', () => {
  const { t, api } = useShop({ METRICS_TOKEN: TOKEN });

  async function scrape(): Promise<{ raw: string; samples: Samples }> {
    const res = await t.request('GET', '/metrics', { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(PROMETHEUS_TEXT);
    return { raw: res.raw, samples: samplesOf(res.raw) };
  }

  beforeAll(async () => {
    // only this file's tests move the outbox: mails stay pending where they can be counted
    await t.app.get(MailDispatcher).onApplicationShutdown();
  });

  it('answers the Prometheus text format, not an envelope, with the process metrics', async () => {
    const { raw, samples } = await scrape();
    expect(raw).not.toContain('"success"');
    expect(raw).toContain('# TYPE http_request_duration_seconds histogram');
    expect(raw).toContain('# TYPE checkout_orders_total counter');
    expect(samples.get('process_cpu_user_seconds_total')).toEqual(expect.any(Number));
    expect(samples.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts requests by method, route template and status, every unmatched path as one route', async () => {
    const product = await api.product({ stock: 5 });
    const sessionId = await api.guestCart([[product, 1]]);
    const before = (await scrape()).samples;
    for (let i = 0; i < 3; i++) expect((await api.readGuestCart(sessionId)).status).toBe(200);
    expect((await t.request('GET', `/api/v1/no-such-route/${sessionId}`)).status).toBe(404);
    const { raw, samples } = await scrape();

    expect(
      grewBy(before, samples, [
        `http_requests_total{${CART_READ}}`,
        `http_request_duration_seconds_count{${CART_READ}}`,
        `http_request_duration_seconds_bucket{le="+Inf",${CART_READ}}`,
        'http_requests_total{method="GET",route="unmatched",status="404"}',
        'http_requests_total{method="GET",route="/metrics",status="200"}',
      ]),
    ).toEqual({
      [`http_requests_total{${CART_READ}}`]: 3,
      [`http_request_duration_seconds_count{${CART_READ}}`]: 3,
      [`http_request_duration_seconds_bucket{le="+Inf",${CART_READ}}`]: 3,
      'http_requests_total{method="GET",route="unmatched",status="404"}': 1,
      'http_requests_total{method="GET",route="/metrics",status="200"}': 1, // the scrape before
    });
    expect(samples.get(`http_request_duration_seconds_sum{${CART_READ}}`)).toBeGreaterThan(0);
    // the label is the template: no session id, no unknown path ever becomes a series
    expect(raw).not.toContain(sessionId);
    expect(raw).not.toContain('no-such-route');
  });

  it('counts checkouts by outcome: paid, declined, provider unavailable, insufficient stock', async () => {
    const product = await api.product({ stock: 10 });
    const before = (await scrape()).samples;
    await api.guestOrder([[product, 1]]);
    const declined = await api.guestCart([[product, 1]]);
    const body = (sessionId: string, token: string) =>
      guestOrderBody(sessionId, uniqueEmail('buyer'), { payment_info: { method: 'card', token } });
    expectError(await api.placeGuestOrder(body(declined, 'tok_chargeDeclined')), 402, 'PAYMENT_DECLINED');
    const outage = await api.guestCart([[product, 1]]);
    expectError(
      await api.placeGuestOrder(body(outage, 'tok_unavailable')),
      503,
      'PAYMENT_PROVIDER_UNAVAILABLE',
    );
    const short = await api.guestCart([[product, 3]]);
    await updateProduct(t, product.id, { stock: 2 });
    expectError(await api.placeGuestOrder(body(short, 'tok_visa')), 409, 'INSUFFICIENT_STOCK');
    const { samples } = await scrape();

    const outcomes = ['paid', 'declined', 'provider_unavailable', 'insufficient_stock', 'reconciled'];
    expect(
      grewBy(
        before,
        samples,
        outcomes.map((outcome) => `checkout_orders_total{outcome="${outcome}"}`),
      ),
    ).toEqual(
      Object.fromEntries(
        outcomes.map((outcome) => [
          `checkout_orders_total{outcome="${outcome}"}`,
          outcome === 'reconciled' ? 0 : 1,
        ]),
      ),
    );
    expect(
      grewBy(before, samples, [
        `http_requests_total{method="POST",${GUEST_ORDER},status="201"}`,
        `http_requests_total{method="POST",${GUEST_ORDER},status="402"}`,
        `http_requests_total{method="POST",${GUEST_ORDER},status="503"}`,
        `http_requests_total{method="POST",${GUEST_ORDER},status="409"}`,
      ]),
    ).toEqual({
      [`http_requests_total{method="POST",${GUEST_ORDER},status="201"}`]: 1,
      [`http_requests_total{method="POST",${GUEST_ORDER},status="402"}`]: 1,
      [`http_requests_total{method="POST",${GUEST_ORDER},status="503"}`]: 1,
      [`http_requests_total{method="POST",${GUEST_ORDER},status="409"}`]: 1,
    });
  });

  it('reads the outbox, the active guest sessions and the pool from their owners at scrape time', async () => {
    const product = await api.product({ stock: 5 });
    const before = (await scrape()).samples;
    await api.guestOrder([[product, 1]]); // a new session and a confirmation mail, left pending
    const pendingRows = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.status, 'pending'));
    t.clock.advance(3600_000);
    const { samples } = await scrape();

    expect(samples.get('mail_outbox_pending')).toBe(pendingRows.length);
    expect(samples.get('mail_outbox_pending')).toBe((before.get('mail_outbox_pending') ?? 0) + 1);
    expect(samples.get('mail_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(3600);
    expect(samples.get('mail_outbox_oldest_pending_seconds')).toBeLessThan(3600 + 120);
    expect(samples.get('mail_outbox_dead_letters')).toBe(0);
    expect(samples.get('guest_sessions_active')).toBe((before.get('guest_sessions_active') ?? 0) + 1);
    const pool = ['active', 'idle', 'waiting'].map((state) =>
      samples.get(`db_pool_connections{state="${state}"}`),
    );
    if (t.database.kind === 'pglite') expect(pool).toEqual([0, 1, 0]);
    else expect(pool).toEqual([expect.any(Number), expect.any(Number), 0]);

    t.clock.advanceDays(31); // past GUEST_SESSION_TTL_DAYS: every session of this file has expired
    expect((await scrape()).samples.get('guest_sessions_active')).toBe(0);
  });

  it('refuses a missing, wrong or non-Bearer token with 401, and takes the scheme in any case', async () => {
    for (const authorization of [
      undefined,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Basic ${TOKEN}`,
    ]) {
      const headers = authorization === undefined ? undefined : { authorization };
      expectError(await t.request('GET', '/metrics', { headers }), 401, 'UNAUTHENTICATED');
    }
    for (const scheme of ['bearer', 'BEARER']) {
      const res = await t.request('GET', '/metrics', { headers: { authorization: `${scheme} ${TOKEN}` } });
      expect(res.status).toBe(200);
    }
  });
});

describe('GET /metrics when the provider answers too late (PAYMENT_TIMEOUT_MS < provider latency)', () => {
  const { t, api } = useShop({
    METRICS_TOKEN: TOKEN,
    PAYMENT_SANDBOX_LATENCY_MS: '300',
    PAYMENT_TIMEOUT_MS: '100',
  });

  it("counts the request as provider_unavailable and the reconciler's settlement as reconciled", async () => {
    const product = await api.product({ stock: 5 });
    const scrape = async () => samplesOf((await t.request('GET', '/metrics', { token: TOKEN })).raw);
    const before = await scrape();
    const sessionId = await api.guestCart([[product, 1]]);
    expectError(await api.placeGuestOrder(guestOrderBody(sessionId)), 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
    await new Promise((resolve) => setTimeout(resolve, 400)); // the late charge lands
    t.clock.advance(60_000); // past the reconciler's grace
    expect(await t.app.get(PaymentReconciler).reconcileDue()).toEqual({
      completed: 1,
      released: 0,
      deferred: 0,
    });

    const outcomes = ['paid', 'provider_unavailable', 'reconciled'].map(
      (outcome) => `checkout_orders_total{outcome="${outcome}"}`,
    );
    expect(grewBy(before, await scrape(), outcomes)).toEqual({
      [outcomes[0]]: 0,
      [outcomes[1]]: 1,
      [outcomes[2]]: 1,
    });
  });
});

describe('GET /metrics with rate limits on', () => {
  const { t, api } = useShop({ METRICS_TOKEN: TOKEN, RATE_LIMITS: 'on' });

  it('counts refusals by bucket, and is never limited itself', async () => {
    const client = { remoteAddress: '10.9.8.7' };
    for (let i = 0; i < 5; i++) {
      expectError(
        await api.lookup('POST', uniqueEmail(), unknownOrderNumber(), client),
        404,
        'ORDER_NOT_FOUND',
      );
    }
    expectRateLimited(await api.lookup('POST', uniqueEmail(), unknownOrderNumber(), client));
    const statuses = new Set<number>();
    let last = '';
    for (let i = 0; i < 125; i++) {
      const res = await t.request('GET', '/metrics', { token: TOKEN, remoteAddress: client.remoteAddress });
      statuses.add(res.status);
      last = res.raw;
    }
    const samples = samplesOf(last);

    expect([...statuses]).toEqual([200]); // above the default bucket's 120 a minute
    expect(samples.get('rate_limit_rejections_total{bucket="lookup"}')).toBe(1);
    expect(samples.get('rate_limit_rejections_total{bucket="guestOrder"}')).toBe(0);
    expect(
      samples.get('http_requests_total{method="POST",route="/api/v1/orders/guest-lookup",status="429"}'),
    ).toBe(1);
  });
});

describe('GET /metrics without METRICS_TOKEN (contract §2)', () => {
  const { t } = useShop();

  it('answers 404 as an unknown route does, token or not', async () => {
    const unknown = await t.request('GET', '/no-such-route');
    for (const token of [undefined, TOKEN]) {
      const res = await t.request('GET', '/metrics', { token });
      expectError(res, 404, 'NOT_FOUND');
      expect(res.body.error.message).toBe(unknown.body.error.message.replace('/no-such-route', '/metrics'));
    }
  });
});
