import { BODY_LIMIT_BYTES } from '../../src/app.setup';
import { apiSecurityHeaders } from '../../src/common/http/security-headers';
import { OpenApiValidator } from '../support/openapi-validator';
import { createTestApp, TestApp } from '../support/test-app';

describe('HTTP platform (contract §1)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers /health with the database up', async () => {
    const res = await t.request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { status: 'ok', database: 'up' } });
  });

  it('wraps an unknown route in the error envelope', async () => {
    const res = await t.request('GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('serves paths with and without a trailing slash', async () => {
    expect((await t.request('GET', '/api/v1/products')).status).toBe(200);
    expect((await t.request('GET', '/api/v1/products/')).status).toBe(200);
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', {
      rawBody: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', {
      rawBody: 'email=a',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const form = await t.request('POST', '/api/v1/auth/login', {
      rawBody: 'email=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });

  it('answers a body over the limit with 413', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'a@example.com', password: 'x'.repeat(BODY_LIMIT_BYTES) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses unknown body fields with a field-level detail', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'a@example.com', password: 'whatever1', role: 'admin' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'role', message: 'role is not an allowed field' }]);
  });

  it('refuses a JSON array or scalar body', async () => {
    for (const rawBody of ['[]', '"x"', '42', 'null']) {
      const res = await t.request('POST', '/api/v1/auth/login', {
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('returns a request id, honouring a sane incoming one', async () => {
    const res = await t.request('GET', '/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    const generated = await t.request('GET', '/health', {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers (helmet)', async () => {
    const res = await t.request('GET', '/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
  });

  const HTML_ONLY_HEADERS = [
    'referrer-policy',
    'x-dns-prefetch-control',
    'x-download-options',
    'x-permitted-cross-domain-policies',
    'x-xss-protection',
    'cross-origin-opener-policy',
    'origin-agent-cluster',
  ];

  it.each([
    ['a read', 'GET', '/api/v1/products'],
    ['an unknown route (404)', 'GET', '/api/v1/nothing-here'],
    ['a refused body (400)', 'POST', '/api/v1/auth/login'],
  ] as const)('answers %s with the API security headers, not cacheable', async (_, method, path) => {
    const res = await t.request(method, path, method === 'POST' ? { body: {} } : {});
    // the set's values are pinned in security-headers.spec.ts; here: it is what every answer carries
    expect(res.headers).toMatchObject(apiSecurityHeaders());
    expect(res.headers['cache-control']).toBe('no-store');
    for (const name of HTML_ONLY_HEADERS) expect(res.headers).not.toHaveProperty(name);
  });

  it("serves Swagger UI's page with helmet's HTML set and a CSP that lets the UI run", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
    expect(res.headers).toMatchObject({ 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'no-referrer' });
    expect(res.headers['cache-control']).not.toBe('no-store');
  });

  describe('CORS (contract §1), with CORS_ORIGINS a list', () => {
    let listed: TestApp;
    const shop = 'https://shop.example';

    beforeAll(async () => {
      listed = await createTestApp({ CORS_ORIGINS: `${shop},https://other.example` });
    });
    afterAll(() => listed.close());

    it('lets an allowed origin read the answer and its headers', async () => {
      const res = await listed.request('GET', '/health', { headers: { origin: shop } });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(shop);
      expect(res.headers['access-control-expose-headers']).toBe('Retry-After, X-Request-Id');
      expect(res.headers.vary).toBe('Origin');
    });

    it('gives an origin not on the list no CORS headers', async () => {
      const res = await listed.request('GET', '/health', { headers: { origin: 'https://evil.example' } });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers.vary).toBe('Origin');
    });

    it('sends no CORS headers without an Origin, and Vary: Origin all the same (caches keep them apart)', async () => {
      const res = await listed.request('GET', '/health');
      expect(res.status).toBe(200);
      expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      expect(res.headers.vary).toBe('Origin');
    });

    it('answers a preflight from an allowed origin with 204 and the allowed methods and headers', async () => {
      // a preflight is the browser's, not an operation of the API: past the OpenAPI response check
      const res = await listed.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/cart/guest',
        headers: {
          origin: shop,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,idempotency-key',
        },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(shop);
      expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, PATCH, DELETE');
      expect(res.headers['access-control-allow-headers']).toBe(
        'Content-Type, Authorization, Idempotency-Key, X-Request-Id',
      );
      expect(res.headers['access-control-max-age']).toBe('600');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('answers OPTIONS without an Origin (not a preflight) with 404 NOT_FOUND', async () => {
      const res = await listed.app.inject({ method: 'OPTIONS', url: '/api/v1/cart/guest' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    });
  });

  it('serves Swagger UI and the OpenAPI document with every endpoint', async () => {
    expect((await t.request('GET', '/docs')).status).toBe(200);
    const res = await t.request('GET', '/docs-json');
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/health',
        '/api/v1/products',
        '/api/v1/products/{id}',
        '/api/v1/admin/products',
        '/api/v1/admin/products/{id}',
        '/api/v1/auth/register',
        '/api/v1/auth/login',
        '/api/v1/auth/me',
        '/api/v1/auth/verify-email',
        '/api/v1/cart',
        '/api/v1/cart/items/{product_id}',
      ]),
    );
    expect(res.body.components.schemas.ErrorEnvelopeDto).toBeDefined();
  });

  it('declares auth as the server applies it: public [], optional on POST /api/orders, Bearer elsewhere', async () => {
    const { body: document } = await t.request('GET', '/docs-json');

    expect(document.paths['/api/orders'].post.security).toEqual([{}, { bearer: [] }]);
    expect(document.paths['/api/v1/orders/guest'].post.security).toEqual([]);
    expect(document.paths['/api/v1/products'].get.security).toEqual([]);
    expect(document.paths['/api/v1/orders'].post.security).toEqual([{ bearer: [] }]);
    const retryAfter = document.paths['/api/orders'].post.responses['429'].headers['Retry-After'];
    expect(retryAfter.schema).toMatchObject({ type: 'integer', minimum: 1 });
  });

  it('has the response check refuse an undocumented status, a body off its schema and a missing Retry-After', async () => {
    const { body: document } = await t.request('GET', '/docs-json');
    const check = new OpenApiValidator(document);
    const envelope = (code: string) => ({ success: false, error: { code, message: 'm' } });
    const answer =
      (url: string, status: number, body: unknown, headers = {}) =>
      () =>
        check.check({ method: 'GET', url, status, headers, body, raw: JSON.stringify(body) });

    expect(answer('/health/', 200, { success: true, data: { status: 'ok', database: 'up' } })).not.toThrow();
    expect(answer('/health', 418, envelope('NOT_FOUND'))).toThrow(/status 418 is not documented/);
    expect(
      answer('/health', 200, { success: true, data: { status: 'ok', database: 'up', extra: 1 } }),
    ).toThrow(/GET \/health .*must NOT have additional properties/s);
    expect(answer('/api/v1/products/x', 400, { ...envelope('VALIDATION_FAILED'), details: {} })).toThrow();
    expect(answer('/api/v1/products', 429, envelope('RATE_LIMITED'))).toThrow(
      /header Retry-After is missing/,
    );
    expect(answer('/api/v1/products', 429, envelope('RATE_LIMITED'), { 'retry-after': '60' })).not.toThrow();
    expect(answer('/no/such/route', 404, envelope('NOT_FOUND'))).not.toThrow();
    expect(answer('/no/such/route', 200, {})).toThrow(/no operation/);
  });

  it('documents money and quantities as bounded integers, order statuses as one enum, closed objects', async () => {
    const { body: document } = await t.request('GET', '/docs-json');
    const schemas = document.components.schemas;

    expect(schemas.OrderItemDto.properties.unit_price).toMatchObject({ type: 'integer', minimum: 0 });
    expect(schemas.OrderItemDto.properties.quantity).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 10_000,
    });
    expect(schemas.OrderDto.properties.status.enum).toEqual(schemas.OrderSummaryDto.properties.status.enum);
    expect(schemas.CompatOrderDto.properties.status.enum).toEqual(
      schemas.OrderDto.properties.status.enum.map((status: string) => status.toUpperCase()),
    );
    expect(schemas.CreateGuestOrderDto.additionalProperties).toBe(false);
    expect(schemas.CreateProductDto.required).not.toContain('is_active');
  });

  it('answers 503 SERVICE_UNAVAILABLE on /health when the database is gone', async () => {
    const other = await createTestApp();
    await other.database.close();
    const res = await other.request('GET', '/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) },
    });
    await other.close();
  });
});
