import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiErrors } from '../swagger/api-responses';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IDEMPOTENCY_SCOPE, IdempotencyAttempt, IdempotentRequest } from './idempotency.types';

/**
 * Makes a route honour the optional `Idempotency-Key` header (contract §6). `scope` names the route's
 * key space; an authenticated caller gets their own (`scope:userId`).
 */
export function Idempotent(scope: string): MethodDecorator {
  return applyDecorators(
    SetMetadata(IDEMPOTENCY_SCOPE, scope),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Optional, 1–255 visible ASCII characters. Same key + same body within 24 h → the first response again (same status and body, no second order); another body → 422 IDEMPOTENCY_KEY_REUSED; while the first is running → 409 REQUEST_IN_PROGRESS. After a 5xx, retry with the same key: an order already taken is finished, never placed twice.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    }),
    ApiErrors('IDEMPOTENCY_KEY_REUSED', 'REQUEST_IN_PROGRESS'),
  );
}

/** The idempotency attempt of this request, for the handler to hand to its service. */
export const CurrentIdempotency = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyAttempt | undefined =>
    context.switchToHttp().getRequest<IdempotentRequest>().idempotency,
);
