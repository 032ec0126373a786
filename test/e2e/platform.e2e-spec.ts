import { BODY_LIMIT_BYTES } from '../../src/app.setup';
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
