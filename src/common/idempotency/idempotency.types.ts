import type { FastifyRequest } from 'fastify';

export const IDEMPOTENCY_SCOPE = 'idempotency:scope';

/** What the handler of an idempotent route learns about the attempt (undefined without a key). */
export interface IdempotencyAttempt {
  /** `scope:key`, unique per caller: a resource made by this request can carry it */
  ref: string;
  /** an earlier attempt with this key ended without an answer: resume its work, do not repeat it */
  resumed: boolean;
}

export interface IdempotentRequest extends FastifyRequest {
  idempotency?: IdempotencyAttempt;
}
