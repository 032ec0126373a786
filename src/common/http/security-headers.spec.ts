import helmet from 'helmet';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SECURITY_HEADER_OPTIONS, staticSecurityHeaders } from './security-headers';

/** What helmet's own middleware sets on a real Node response for the same options. */
async function headersFromHelmetMiddleware(): Promise<Record<string, string>> {
  const middleware = helmet(SECURITY_HEADER_OPTIONS);
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
