import type { AddressInfo } from 'node:net';
import { BODY_LIMIT_BYTES } from '../../src/app.setup';
import { RawResponse, sendRaw } from '../support/raw-http';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Contract §1: every answer has the envelope, errors raised before routing included. These requests go
 * over a real socket to a listening app, byte for byte, because app.inject cannot send what a broken
 * client sends (a malformed request line, 20 KiB of headers, a bad %-escape as it is on the wire).
 */
describe('errors before routing, over a real socket (contract §1)', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  const get = (path: string, extraHeaders = '') =>
    sendRaw(port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extraHeaders}Connection: close\r\n\r\n`);
  const post = (path: string, contentType: string, body: string) =>
    sendRaw(
      port,
      `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${contentType}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );

  /** The envelope with this code, a JSON content type, a request id and the API's security headers. */
  function expectEnvelope(res: RawResponse | undefined, status: number, code: string): void {
    expect(res).toBeDefined();
    expect({ status: res!.status, body: res!.body }).toEqual({
      status,
      body: { success: false, error: { code, message: expect.any(String) } },
    });
    expect(res!.headers['content-type']).toMatch(/^application\/json/);
    expect(res!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res!.headers['x-content-type-options']).toBe('nosniff');
    expect(res!.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res!.headers['cache-control']).toBe('no-store');
  }

  it('answers a well-formed request normally on the same listener (control)', async () => {
    const res = await get('/health');
    expect(res?.status).toBe(200);
    expect(res?.body).toEqual({ success: true, data: { status: 'ok', database: 'up' } });
  });

  it('answers headers over the limit with 431 HEADERS_TOO_LARGE', async () => {
    const res = await get('/health', `X-Padding: ${'a'.repeat(20 * 1024)}\r\n`);
    expectEnvelope(res, 431, 'HEADERS_TOO_LARGE');
    expect(res!.headers.connection).toBe('close');
  });

  it('answers many small headers that add up over the limit with 431 as well', async () => {
    const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'b'.repeat(50)}\r\n`).join('');
    expectEnvelope(await get('/health', many), 431, 'HEADERS_TOO_LARGE');
  });

  it.each([
    ['an unknown method token', 'FOO{} /health HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a bad HTTP version', 'GET /health HTTP/7.3\r\nHost: x\r\n\r\n'],
    ['a request line without a version', 'GET\r\n\r\n'],
    ['a header name with a space', 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
    ['a header line without a colon', 'GET /health HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n'],
    [
      'both Content-Length and chunked encoding',
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'two different Content-Length headers',
      'POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    ],
    ['binary garbage', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])],
  ])('answers malformed HTTP (%s) with 400 VALIDATION_FAILED', async (_name, bytes) => {
    expectEnvelope(await sendRaw(port, bytes), 400, 'VALIDATION_FAILED');
  });

  it('answers a bad %-escape in the path with 400 VALIDATION_FAILED', async () => {
    const res = await get('/api/v1/products/%E0%A4%A');
    expectEnvelope(res, 400, 'VALIDATION_FAILED');
    expect(res!.body.error.message).toBe('Malformed request URL');
  });

  it('lets a storefront on another origin read a router error (CORS headers, as on routed answers)', async () => {
    const res = await get('/api/v1/products/%zz', 'Origin: https://shop.example\r\n');
    expectEnvelope(res, 400, 'VALIDATION_FAILED');
    expect(res?.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(res?.headers['access-control-expose-headers']).toBe('Retry-After, X-Request-Id');
  });

  it('answers an over-long path parameter with 400 VALIDATION_FAILED, like a malformed id', async () => {
    const res = await get(`/api/v1/products/${'a'.repeat(150)}`);
    expectEnvelope(res, 400, 'VALIDATION_FAILED');
  });

  it('keeps a sane incoming X-Request-Id on a router error', async () => {
    const res = await get('/api/v1/products/%zz', 'X-Request-Id: trace-42\r\n');
    expect(res?.status).toBe(400);
    expect(res?.headers['x-request-id']).toBe('trace-42');
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    expectEnvelope(await get('/api/v1/nothing-here'), 404, 'NOT_FOUND');
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
    expectEnvelope(
      await post('/api/v1/auth/login', 'application/json', '{"email": '),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('answers a non-JSON content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    expectEnvelope(await post('/api/v1/auth/login', 'text/plain', 'email=a'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const body = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(BODY_LIMIT_BYTES) });
    expectEnvelope(await post('/api/v1/auth/login', 'application/json', body), 413, 'PAYLOAD_TOO_LARGE');
  });
});
