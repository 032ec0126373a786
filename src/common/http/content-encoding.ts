import type { FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify';
import { AppError } from '../errors/app-error';

const BODILESS = new Set(['GET', 'HEAD']);

/**
 * Request bodies are never decoded: a `Content-Encoding` other than `identity` is refused with 415
 * (RFC 9110 §15.5.16) on every method that carries a body (the ones the OpenAPI document lists 415 for; a GET
 * or HEAD has none to decode), instead of reading compressed bytes as JSON or, as before (issue 14),
 * accepting a plain body that claims to be gzip. `Accept-Encoding: identity` tells the client what works
 * (RFC 7694). A preParsing hook: it runs after every onRequest hook (CORS included), before the body is read.
 */
export const refuseContentEncoding: preParsingHookHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
  payload,
  done,
) => {
  const encoding = request.headers['content-encoding'];
  if (encoding === undefined || BODILESS.has(request.method) || /^\s*(identity)?\s*$/i.test(encoding)) {
    done(null, payload);
    return;
  }
  void reply.header('accept-encoding', 'identity');
  done(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding is not supported; send the body as is'));
};
