import { randomInt } from 'node:crypto';
import { request } from 'node:http';
import type { HttpResult } from '../../support/test-app';

/**
 * An HTTP client that speaks from a chosen loopback address: Linux routes all of 127.0.0.0/8 to the
 * loopback interface, so each simulated shopper gets its own client IP, the address the proxy puts into
 * X-Forwarded-For and the rate limiter counts by. (A random one per run: the shared Redis keeps the
 * counters of the previous run for a minute.)
 */
export function randomClientIp(): string {
  return `127.${randomInt(10, 250)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

export interface ClientRequest {
  /** the client's own address (see randomClientIp) */
  from: string;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** One request over a new connection from `options.from`; the body parsed as JSON when it is JSON. */
export function httpFrom(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: ClientRequest,
): Promise<HttpResult> {
  const target = new URL(path, baseUrl);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers,
        localAddress: options.from,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown = raw;
          try {
            body = raw === '' ? undefined : JSON.parse(raw);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode!, headers: res.headers, body, raw });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
