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
  /** when the answer (or the 502) was sent, ms since the epoch */
  at: number;
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
 * Like one too, it checks every backend's GET /health on an interval and leaves out of the rotation a
 * backend that does not answer 200 (unhealthy threshold 1) until it does again: an instance that got
 * SIGTERM answers 503 while it drains (SHUTDOWN_DRAIN_SECONDS) and is out before it closes its listener,
 * and a restarted one is back once it is healthy. Nothing else tells the proxy about a deploy.
 */
export class RoundRobinProxy {
  readonly log: Forwarded[] = [];
  private server: Server | undefined;
  private next = 0;
  /** backends whose last health check did not answer 200 */
  private readonly unhealthy = new Set<number>();
  private checking = false;
  private checks: Promise<void> = Promise.resolve();
  port = 0;

  constructor(
    private readonly backends: readonly number[],
    /** how often every backend's GET /health is checked */
    private readonly healthIntervalMs = 250,
  ) {}

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
    this.checking = true;
    this.checks = this.checkHealth();
  }

  async stop(): Promise<void> {
    this.checking = false;
    await this.checks;
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const entry: Forwarded = {
      method: req.method!,
      path: req.url!,
      backend: -1,
      status: 502,
      skipped: [],
      at: 0,
    };
    const retriable = req.method === 'GET' || req.headers['idempotency-key'] !== undefined;
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress]
      .filter(Boolean)
      .join(', ');
    const headers = { ...withoutHopByHop(req.headers), 'x-forwarded-for': forwardedFor };
    // every backend twice at most: during a rolling restart one instance at a time is away
    for (let attempt = 0; attempt < this.backends.length * 2; attempt++) {
      const backend = this.pick();
      try {
        const answer = await this.send(this.backends[backend], req.method!, req.url!, headers, body);
        entry.backend = backend;
        entry.status = answer.status;
        res.writeHead(answer.status, withoutHopByHop(answer.headers));
        res.end(answer.body);
        this.log.push({ ...entry, at: Date.now() });
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
        entry.skipped.push({ backend, code });
        if (code !== 'ECONNREFUSED' && !retriable) break;
      }
    }
    this.log.push({ ...entry, at: Date.now() });
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ success: false, error: { code: 'BAD_GATEWAY', message: 'no backend answered' } }),
    );
  }

  /** The next backend in turn that is healthy (any of them when none is). */
  private pick(): number {
    for (let tries = 0; tries < this.backends.length; tries++) {
      const backend = this.next++ % this.backends.length;
      if (!this.unhealthy.has(backend)) return backend;
    }
    return this.next++ % this.backends.length;
  }

  /** Every backend's GET /health (a new connection each, as requests) each interval, until stop(); 1 s to answer. */
  private async checkHealth(): Promise<void> {
    while (this.checking) {
      await Promise.all(
        this.backends.map(async (port, backend) => {
          const healthy = await Promise.race([
            this.send(port, 'GET', '/health', {}, Buffer.alloc(0)).then(
              (answer) => answer.status === 200,
              () => false,
            ),
            sleep(1_000).then(() => false),
          ]);
          if (healthy) this.unhealthy.delete(backend);
          else this.unhealthy.add(backend);
        }),
      );
      await sleep(this.healthIntervalMs);
    }
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
