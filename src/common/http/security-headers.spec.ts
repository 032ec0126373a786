import helmet, { HelmetOptions } from 'helmet';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  API_HEADER_OPTIONS,
  apiSecurityHeaders,
  DOCUMENTATION_HEADER_OPTIONS,
  staticSecurityHeaders,
} from './security-headers';

/** What helmet's own middleware sets on a real Node response for the same options. */
async function headersFromHelmetMiddleware(
  options: Readonly<HelmetOptions> = DOCUMENTATION_HEADER_OPTIONS,
): Promise<Record<string, string>> {
  const middleware = helmet(options);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('x-powered-by', 'test');
    middleware(req, res, () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name))
        headers[name] = value;
    });
    return headers;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('staticSecurityHeaders', () => {
  it('computes exactly the headers helmet sets per request', async () => {
    expect(staticSecurityHeaders()).toEqual(await headersFromHelmetMiddleware());
  });

  it('carries the Swagger-compatible CSP and the usual hardening headers', () => {
    const headers = staticSecurityHeaders();
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("img-src 'self' data: validator.swagger.io");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers).not.toHaveProperty('x-powered-by');
  });

  it('refuses options that would make helmet fail', () => {
    expect(() =>
      staticSecurityHeaders({
        contentSecurityPolicy: { directives: { defaultSrc: ["'self'; script-src *"] } },
      }),
    ).toThrow();
  });
});

describe("apiSecurityHeaders (the API's JSON answers)", () => {
  it('is what helmet sets for the API options, plus Cache-Control: no-store', async () => {
    expect(apiSecurityHeaders()).toEqual({
      ...(await headersFromHelmetMiddleware(API_HEADER_OPTIONS)),
      'cache-control': 'no-store',
    });
  });

  it('is the OWASP REST set: no caching, no framing, no script, no sniffing, HTTPS only', () => {
    expect(apiSecurityHeaders()).toEqual({
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'cross-origin-resource-policy': 'same-origin',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
  });
});
