import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RawBody } from '../../common/http/envelope.interceptor';
import { StoredResponse } from './idempotency.service';
import { AppError } from '../../common/errors/app-error';

/** The optional `Idempotency-Key` header (contract §6): 1–255 visible ASCII characters. */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const value = context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)) {
      throw AppError.validation([
        { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-255 visible ASCII characters' },
      ]);
    }
    return value;
  },
);

export const IDEMPOTENCY_HEADER_DOC = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'same key + same body within 24 h → the first response again; another body → 422; while running → 409',
};

/** Sends a (possibly replayed) response with its own status and exact body. */
export function sendStored(reply: FastifyReply, response: StoredResponse): RawBody<unknown> {
  void reply.status(response.status);
  return new RawBody(response.body);
}
