import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError, errorEnvelope } from '../errors/app-error';

/**
 * Errors raised before a request reaches the router, answered with the contract's envelope (§1) instead of
 * Node's or Fastify's own bodies: Node's HTTP parser rejecting the bytes (a header section over Node's
 * `maxHeaderSize`, a malformed request line or header, a request that took too long), and Fastify's router
 * rejecting the URL (a bad %-escape, a path parameter over `maxParamLength`).
 */

/** Node's parser (llhttp) error, as the envelope's error. */
export function clientErrorFor(code: string | undefined): AppError {
  if (code === 'HPE_HEADER_OVERFLOW')
    return new AppError('HEADERS_TOO_LARGE', 'Request headers are too large');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new AppError('REQUEST_TIMEOUT', 'The request was not received in time');
  // HPE_INVALID_METHOD, HPE_INVALID_VERSION, HPE_INVALID_HEADER_TOKEN, HPE_UNEXPECTED_CONTENT_LENGTH, …
  return new AppError('VALIDATION_FAILED', 'Malformed HTTP request');
}

/** The error Fastify's router hands `frameworkErrors`, as the envelope's error. */
export function frameworkErrorFor(code: string | undefined): AppError {
  if (code === 'FST_ERR_BAD_URL') return new AppError('VALIDATION_FAILED', 'Malformed request URL');
  // every path parameter is an id of a few dozen characters: a longer one is as malformed as a bad UUID
  if (code === 'FST_ERR_MAX_PARAM_LENGTH')
    return new AppError('VALIDATION_FAILED', 'A path parameter is too long');
  return new AppError('INTERNAL_ERROR', 'An unexpected error occurred');
}

/**
 * Fastify's `frameworkErrors` option: onRequest hooks do not run for these, so the request id and the
 * security headers are set here as on every other reply.
 */
export function frameworkErrorHandler(
  securityHeaders: Readonly<Record<string, string>>,
  corsOrigins: true | readonly string[],
) {
  return (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    const appError = frameworkErrorFor(error.code);
    void reply
      .status(appError.status)
      .headers(securityHeaders)
      .headers(corsHeadersFor(request.headers.origin, corsOrigins))
      .header('x-request-id', request.id)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorEnvelope(appError));
  };
}

/** What the app's CORS answers on routed requests (app.setup.ts), for the few the router refuses first. */
export const CORS_EXPOSED_HEADERS = ['Retry-After', 'X-Request-Id'];

/**
 * A router error comes before the CORS hook runs; without these a storefront on another origin could
 * not read the envelope (its fetch would fail as a network error). Same origins as app.setup.ts's CORS.
 */
function corsHeadersFor(
  origin: string | undefined,
  allowed: true | readonly string[],
): Record<string, string> {
  if (origin === undefined || (allowed !== true && !allowed.includes(origin))) return {};
  return {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
  };
}

interface ServerSocket extends Duplex {
  /** the response Node is writing on this connection, if any (Node's own clientError check uses it) */
  _httpMessage?: { headersSent?: boolean } | null;
}

/**
 * Fastify's `clientErrorHandler` (Node's 'clientError' event): there is no request object, so the response
 * is written on the socket as bytes, with a fresh request id that the debug log line carries too. Only the
 * parser's error code is logged: the bytes a client sent can hold anything.
 */
export function clientErrorHandler(logger: Logger, securityHeaders: Readonly<Record<string, string>>) {
  return (error: Error & { code?: string }, socket: Duplex): void => {
    // a reset connection has nobody to answer (Node's and Fastify's default handlers skip it too)
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const appError = clientErrorFor(error.code);
    const reqId = randomUUID();
    logger.debug({ reqId, errorCode: appError.code, parserCode: error.code }, 'client error before routing');
    const response = (socket as ServerSocket)._httpMessage;
    // a response already under way on this connection cannot be followed by another status line
    if (socket.writable && response?.headersSent !== true) {
      const body = JSON.stringify(errorEnvelope(appError));
      const headers: Record<string, string | number> = {
        ...securityHeaders,
        'x-request-id': reqId,
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      };
      const head = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\r\n');
      const status = appError.status;
      // end, then destroy once written: the connection is not reused after a parser error
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n\r\n${body}`, () =>
        socket.destroy(),
      );
      return;
    }
    socket.destroy();
  };
}
