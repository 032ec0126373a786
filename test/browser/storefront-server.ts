import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface StorefrontServer {
  /** e.g. http://127.0.0.1:41234: an origin other than the API's (another port) */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** A second tiny HTTP server, the storefront's origin: it serves test/browser/storefront.html and nothing else. */
export async function startStorefront(): Promise<StorefrontServer> {
  const page = readFileSync(join(__dirname, 'storefront.html'));
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://storefront').pathname;
    if (request.method === 'GET' && path === '/storefront.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(page);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
