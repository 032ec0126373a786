import { applyDecorators, SetMetadata } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A response that already is a complete body (a replayed idempotent answer); sent as it is. */
export class RawBody<T> {
  constructor(readonly body: T) {}
}

export interface SuccessEnvelope<T> {
  success: true;
  message?: string;
  data: T;
}

export const ENVELOPE_MESSAGE = 'envelope:message';

/**
 * A fixed `message` beside `data` in a route's success envelope (spec 002: "Order created successfully"),
 * for the envelope hook (Fastify route config) and the idempotency interceptor (Nest metadata).
 */
export const EnvelopeMessage = (message: string): MethodDecorator =>
  applyDecorators(SetMetadata(ENVELOPE_MESSAGE, message), MergeRouteConfig({ envelopeMessage: message }));

/**
 * Fastify route config (`request.routeOptions.config`) merged into what other decorators of the route
 * set, in any order (@nestjs/platform-fastify's RouteConfig replaces it).
 */
export const MergeRouteConfig =
  (config: Record<string, unknown>): MethodDecorator =>
  (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const current = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as object | undefined;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...current, ...config }, handler);
    return descriptor;
  };

/** The one place a success body is built (contract §1). */
export function successEnvelope<T>(data: T, message?: string): SuccessEnvelope<T> {
  return message === undefined ? { success: true, data } : { success: true, message, data };
}

/**
 * Wraps a route's result in `{success: true, data}` (contract §1) as Fastify serializes it: a Fastify
 * `preSerialization` hook rather than a global Nest interceptor, which cost an rxjs pipeline and an
 * AsyncResource per request (about a tenth of a GET /health's CPU in the benchmark's profile). A RawBody
 * (an idempotent replay) is sent as it is; 400 and above already carry the error envelope (the exception
 * filter, the pre-routing handlers). Strings and buffers (Swagger's pages) never reach this hook.
 */
export function envelopeHook(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: null, payload: unknown) => void,
): void {
  if (payload instanceof RawBody) {
    done(null, payload.body);
  } else if (reply.statusCode >= 400) {
    done(null, payload);
  } else {
    const config = request.routeOptions.config as { envelopeMessage?: string };
    done(null, successEnvelope(payload, config.envelopeMessage));
  }
}
