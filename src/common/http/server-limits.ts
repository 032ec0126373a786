import type { Server } from 'node:http';

/**
 * How long a client may take and how many connections it may hold (issue 14: slow clients were kept open
 * by Node's defaults: no request timeout, headers 60 s, checked every 30 s). A timed-out request is answered
 * 408 REQUEST_TIMEOUT with the envelope (client-errors.ts) while HTTP still allows a status line; an idle
 * keep-alive connection and a connection over the cap are closed without one.
 */

/** The request line and headers: a few hundred bytes that any real client sends at once. */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * The whole request, body included (64 KiB at most): long enough for a phone on a poor network, short enough
 * that a client trickling a body a byte at a time holds its connection for seconds, not minutes. Time the
 * app spends answering is not counted (Node stops the clock once the request is received).
 */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Node checks the two timeouts above on this interval, so a slow client is cut off within
 * timeout + interval (Node's default of 30 s tripled the headers timeout).
 */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * An idle connection between requests. Above the 60 s idle timeout of the usual proxies and load balancers
 * (nginx upstream keepalive, AWS ALB), so a proxy never reuses a connection the app is just closing (a 502);
 * an idle client holds one of MAX_CONNECTIONS for at most this long.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Open connections per process; Node closes any beyond (no HTTP answer is possible before a request is
 * read). Below the common soft limit of 1024 file descriptors, so the database pool, Redis and files keep
 * theirs; a proxy in front carries many clients over a few connections.
 */
export const MAX_CONNECTIONS = 1_000;

/** Fastify's server options for the limits above (app.setup.ts createFastifyAdapter). */
export const SERVER_TIMEOUT_OPTIONS = {
  requestTimeout: REQUEST_TIMEOUT_MS,
  keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
} as const;

/** The connection cap, which Fastify has no option for. */
export function capConnections(server: Server): void {
  server.maxConnections = MAX_CONNECTIONS;
}
