import { createConnection, type AddressInfo } from 'node:net';
import {
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
} from '../../src/common/http/server-limits';
import { sendRaw } from '../support/raw-http';
import { useShop } from '../support/use-shop';

interface Trickled {
  status: number | undefined;
  body: unknown;
  /** from the first byte sent to the server closing the connection */
  closedAfterMs: number;
}

/**
 * Opens a connection, sends `head` at once and then `rest` one byte every `everyMs` (a slowloris), and
 * resolves when the server closes the connection, with what it answered.
 */
function trickle(port: number, head: string, rest: string, everyMs = 400): Promise<Trickled> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = createConnection({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < rest.length && socket.writable) socket.write(rest[sent++]);
    }, everyMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      clearInterval(drip);
      const raw = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1];
      const text = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      resolve({
        status: status === undefined ? undefined : Number(status),
        body: text === '' ? undefined : JSON.parse(text),
        closedAfterMs: Date.now() - started,
      });
    });
    socket.write(head);
  });
}

/**
 * Issue 14: slow clients were kept open by Node's defaults (20 connections trickling a body a byte at a time
 * were all open after 30 s). With the production limits (server-limits.ts), each is cut off within its
 * timeout plus Node's check interval, answered 408 REQUEST_TIMEOUT with the envelope while HTTP allows it.
 */
describe('slow clients over a real socket (issue 14)', () => {
  const { t } = useShop();
  let port: number;
  // a busy machine (CI, 2 cores) can delay the check by a moment; the bounds still prove seconds, not minutes
  const SLACK_MS = 3_000;

  beforeAll(async () => {
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });

  it('runs with the configured timeouts and connection cap', () => {
    const server = t.app.getHttpServer();
    expect({
      headersTimeout: server.headersTimeout,
      requestTimeout: server.requestTimeout,
      keepAliveTimeout: server.keepAliveTimeout,
      maxConnections: server.maxConnections,
    }).toEqual({
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: MAX_CONNECTIONS,
    });
  });

  it('cuts off bodies and headers sent a byte at a time with 408 and the envelope, and keeps serving', async () => {
    const body = JSON.stringify({ email: 'slow@example.com', password: 'a-good-password' });
    const bodyHead =
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length + 100}\r\n\r\n`;
    const slowBodies = Array.from({ length: 20 }, () => trickle(port, bodyHead, body.repeat(3)));
    const slowHeaders = Array.from({ length: 5 }, () =>
      trickle(port, 'GET /health HTTP/1.1\r\n', 'Host: localhost\r\nX-Slow: '.padEnd(200, 'a')),
    );

    const headerResults = await Promise.all(slowHeaders);
    const bodyResults = await Promise.all(slowBodies);

    const envelope = { success: false, error: { code: 'REQUEST_TIMEOUT', message: expect.any(String) } };
    for (const result of [...headerResults, ...bodyResults]) {
      expect({ status: result.status, body: result.body }).toEqual({ status: 408, body: envelope });
    }
    for (const { closedAfterMs } of headerResults) {
      expect(closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - SLACK_MS);
      expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + TIMEOUT_CHECK_INTERVAL_MS + SLACK_MS);
    }
    for (const { closedAfterMs } of bodyResults) {
      expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - SLACK_MS);
      expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + TIMEOUT_CHECK_INTERVAL_MS + SLACK_MS);
    }
    const control = await sendRaw(
      port,
      'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(control?.status).toBe(200);
  }, 30_000);
});
