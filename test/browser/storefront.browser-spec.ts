import { spawnSync } from 'node:child_process';
import { Browser, chromium, Page } from 'playwright-core';
import { createProduct, CreatedProduct, uniqueEmail } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { startStorefront, StorefrontServer } from './storefront-server';

/** What storefront.html could read from one answer (or that the browser refused it). */
interface Step {
  blocked?: boolean;
  error?: string;
  status: number;
  requestId: string | null;
  retryAfter: string | null;
  contentType: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
  body: any;
}

interface Journey {
  origin: string;
  steps: Record<string, Step>;
  failure?: string;
}

/** Debian's chromium (scripts/install-chromium.sh installs it); playwright-core never downloads a browser. */
function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (found === '') {
    throw new Error(
      'no Chromium: run `bash scripts/install-chromium.sh` (Debian package) or set CHROMIUM_PATH',
    );
  }
  return found;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('a storefront on another origin runs the guest journey in Chromium (contract §1, §4, §6, §7)', () => {
  let storefront: StorefrontServer;
  let t: TestApp;
  let apiUrl: string;
  let browser: Browser;
  let products: CreatedProduct[];

  beforeAll(async () => {
    storefront = await startStorefront();
    // only the storefront's origin is allowed; rate limits on, as in production
    t = await createTestApp({ CORS_ORIGINS: storefront.origin, RATE_LIMITS: 'on' });
    apiUrl = await t.listen();
    browser = await chromium.launch({ executablePath: chromiumPath() });
    products = [
      await createProduct(t, { unit_price: 1200, stock: 10 }),
      await createProduct(t, { unit_price: 300, stock: 10 }),
    ];
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await storefront?.close();
  });

  /** Opens storefront.html from `origin` and waits until its script has written its results. */
  async function runJourney(page: Page, origin: string, email: string): Promise<Journey> {
    const query = new URLSearchParams({ api: apiUrl, products: products.map((p) => p.id).join(','), email });
    await page.goto(`${origin}/storefront.html?${query.toString()}`);
    await page.waitForFunction('window.storefrontResults !== undefined');
    return page.evaluate<Journey>('window.storefrontResults');
  }

  it('reads the answers, the exposed Retry-After and X-Request-Id, through preflights with Idempotency-Key and Authorization', async () => {
    const page = await browser.newPage();
    const apiResponses: Promise<{ url: string; headers: Record<string, string> }>[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(apiUrl)) {
        apiResponses.push(response.allHeaders().then((headers) => ({ url: response.url(), headers })));
      }
    });
    const email = uniqueEmail('browser');

    const journey = await runJourney(page, storefront.origin, email);

    expect(journey.failure).toBeUndefined();
    const { steps } = journey;
    expect(steps.product0).toMatchObject({
      status: 200,
      body: { data: { product: { id: products[0].id } } },
    });
    // X-Request-Id: generated per request, or the storefront's own id echoed back (allowed and exposed)
    expect(steps.product0.requestId).toMatch(UUID);
    expect(steps.createCart).toMatchObject({ status: 201, requestId: 'storefront-cart-1' });
    expect(steps.updateCart).toMatchObject({
      status: 200,
      body: { data: { cart: { subtotal: 2 * 1200 + 2 * 300 } } },
    });

    // Idempotency-Key passes the preflight; the retry answers the same order
    expect(steps.order).toMatchObject({ status: 201, body: { data: { order: { status: 'paid', email } } } });
    expect(steps.orderRetry.status).toBe(201);
    expect(steps.orderRetry.body).toEqual(steps.order.body);
    expect(steps.lookup).toMatchObject({
      status: 200,
      body: { data: { order: { id: steps.order.body.data.order.id } } },
    });

    // the 6th lookup in a minute is refused, and the page can read when to come back (contract §7, §10)
    expect(steps.lookupLimited).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(Number(steps.lookupLimited.retryAfter)).toBeGreaterThan(0);
    expect(steps.lookupLimited.contentType).toMatch(/^application\/json/);

    // Authorization passes the preflight; a header the API does not list is refused by the browser
    expect(steps.register.status).toBe(201);
    expect(steps.me).toMatchObject({ status: 200, body: { data: { user: { email: `account-${email}` } } } });
    expect(steps.unlistedHeader).toEqual({ blocked: true, error: 'TypeError' });

    // the security headers came with every answer the storefront read (they do not stand in its way)
    const answered = await Promise.all(apiResponses);
    expect(answered.length).toBeGreaterThanOrEqual(Object.keys(steps).length - 1);
    for (const { headers } of answered) {
      expect(headers).toMatchObject({
        'access-control-allow-origin': storefront.origin,
        'x-content-type-options': 'nosniff',
        'content-security-policy': expect.any(String),
        'cross-origin-resource-policy': expect.any(String),
        'cache-control': 'no-store',
      });
    }
    await page.close();
  });

  it('is refused by the browser when the page comes from an origin that CORS_ORIGINS does not list', async () => {
    const page = await browser.newPage();
    // same server, same port, but "localhost" is another origin than "127.0.0.1"
    const journey = await runJourney(page, `http://localhost:${storefront.port}`, uniqueEmail('other'));
    expect(journey.steps.product0).toEqual({ blocked: true, error: 'TypeError' });
    expect(journey.failure).toMatch(/TypeError/);
    await page.close();
  });
});
