import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  request,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { sleep } from './processes';

/** What one client request became: the backend that answered it, its status, and the backends tried. */
export interface Forwarded {
  method: string;
  path: string;
  backend: number;
  status: number;
  /** backends that refused (or reset) the request before it got an answer, in order */
  skipped: { backend: number; code: string }[];
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host'];

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

/**
 * The load balancer of the multi-instance test: round-robin over the app instances, one new upstream
 * connection per request, the client's socket address appended to X-Forwarded-For (the instances trust
 * this proxy's address only: TRUST_PROXY=127.0.0.1).
 *
 * Like a real load balancer (nginx `proxy_next_upstream error`, Envoy `retry_on: connect-failure,reset`,
 * HAProxy `retry-on conn-failure`) it tries the next backend when one refuses the connection (an instance
 * that is restarting), and when the connection is reset before any answer for a request that is safe to
 * send twice: a GET, or a POST carrying an Idempotency-Key. Anything else gets 502 (the test counts it).
 * drain() takes a backend out of the rotation before it is stopped, as a deploy deregisters an instance
 * from its load balancer (Kubernetes endpoints and a preStop delay, an ALB deregistration delay); the
 * requests it already has are left to finish.
 */
export class RoundRobinProxy {
  readonly log: Forwarded[] = [];
  private server: Server | undefined;
  private next = 0;
  private readonly drained = new Set<number>();
  /** requests sent to each backend and not answered yet */
  private readonly pending: number[];
  port = 0;

  constructor(private readonly backends: readonly number[]) {
    this.pending = backends.map(() => 0);
  }

  /** No new request goes to `backend`; resolves once the ones it has were answered. */
  async drain(backend: number, timeoutMs = 10_000): Promise<void> {
    this.drained.add(backend);
    const deadline = Date.now() + timeoutMs;
    while (this.pending[backend] > 0 && Date.now() < deadline) await sleep(10);
  }

  /** Back in the rotation (at once, also while it still refuses connections: the proxy skips it then). */
  restore(backend: number): void {
    this.drained.delete(backend);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void this.forward(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const entry: Forwarded = { method: req.method!, path: req.url!, backend: -1, status: 502, skipped: [] };
    const retriable = req.method === 'GET' || req.headers['idempotency-key'] !== undefined;
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress]
      .filter(Boolean)
      .join(', ');
    const headers = { ...withoutHopByHop(req.headers), 'x-forwarded-for': forwardedFor };
    // every backend twice at most: during a rolling restart one instance at a time is away
    for (let attempt = 0; attempt < this.backends.length * 2; attempt++) {
      const backend = this.pick();
      this.pending[backend]++;
      try {
        const answer = await this.send(this.backends[backend], req.method!, req.url!, headers, body);
        this.pending[backend]--;
        entry.backend = backend;
        entry.status = answer.status;
        res.writeHead(answer.status, withoutHopByHop(answer.headers));
        res.end(answer.body);
        this.log.push(entry);
        return;
      } catch (error) {
        this.pending[backend]--;
        const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
        entry.skipped.push({ backend, code });
        if (code !== 'ECONNREFUSED' && !retriable) break;
      }
    }
    this.log.push(entry);
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ success: false, error: { code: 'BAD_GATEWAY', message: 'no backend answered' } }),
    );
  }

  /** The next backend in turn that is not drained (all of them when every one is). */
  private pick(): number {
    for (let tries = 0; tries < this.backends.length; tries++) {
      const backend = this.next++ % this.backends.length;
      if (!this.drained.has(backend)) return backend;
    }
    return this.next++ % this.backends.length;
  }

  private send(
    port: number,
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          headers: { ...headers, 'content-length': body.length },
          agent: false,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
