import { Injectable, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../logging/safe-error';

/**
 * Whether the process has been told to stop; GET /health answers 503 `stopping` from then on.
 *
 * Why the app drains itself: in Kubernetes or ECS, SIGTERM and the load balancer's deregistration start at
 * the same moment, and the balancer keeps sending requests until its health check has failed often enough
 * (or the endpoint update has reached every proxy). Closing the listener at once would refuse or reset
 * those requests. So on SIGTERM the instance keeps serving for SHUTDOWN_DRAIN_SECONDS while it tells
 * everyone it is leaving: /health answers 503 so the health check takes it out of rotation, and every
 * response carries `Connection: close` so keep-alive clients (balancers, proxies) open their next request
 * elsewhere. Only then does app.close() run (in-flight requests finish, then the modules' shutdown hooks).
 */
@Injectable()
export class ShutdownDrain {
  private stopping = false;

  get draining(): boolean {
    return this.stopping;
  }

  /** From now on: /health 503 and `Connection: close` on every response of `app`. */
  begin(app: NestFastifyApplication): void {
    if (this.stopping) return;
    this.stopping = true;
    // a 'request' listener added only now costs nothing before; prepended so the header is set before
    // Fastify answers (writeHead keeps headers set on the raw response)
    app
      .getHttpAdapter()
      .getInstance()
      .server.prependListener('request', (_request, response) => response.setHeader('connection', 'close'));
  }
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * SIGTERM: drain for `drainSeconds` (ShutdownDrain above), then stop. SIGINT (Ctrl-C in a terminal, where
 * no load balancer is waiting) stops at once. Stopping is app.close(): stop taking connections (idle
 * keep-alive ones are closed), let in-flight requests finish, run the modules' shutdown hooks (scheduler,
 * mail dispatcher, database last); then one log line and exit. A second signal while stopping is ignored,
 * as Nest's own shutdown hooks do.
 */
export function stopOnSignals(app: NestFastifyApplication, drainSeconds: number): void {
  const logger = new Logger('Bootstrap');
  const drain = app.get(ShutdownDrain);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const started = performance.now();
    drain.begin(app);
    const drainMs = signal === 'SIGTERM' ? drainSeconds * 1000 : 0;
    if (drainMs > 0) await sleep(drainMs);
    try {
      await app.close();
    } catch (error) {
      logger.error({ msg: `shutdown on ${signal} failed`, err: describeError(error, { stack: true }) });
      process.exit(1);
    }
    const drained = signal === 'SIGTERM' ? ` (drained ${drainMs} ms first)` : '';
    logger.log(`stopped on ${signal} in ${Math.round(performance.now() - started)} ms${drained}`);
    process.exit(0);
  };
  for (const signal of SIGNALS) process.on(signal, (received) => void stop(received));
}
