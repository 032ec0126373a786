import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AuthenticatedRequest } from '../auth/jwt-auth.guard';
import { AppError, errorEnvelope, httpStatusOf } from '../errors/app-error';
import { ErrorStatusOverrides } from '../errors/error-codes';
import { ENVELOPE_MESSAGE, RawBody, successEnvelope } from '../http/envelope';
import { IdempotencyService } from './idempotency.service';
import { IDEMPOTENCY_SCOPE, IdempotentRequest } from './idempotency.types';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs an `@Idempotent` route under its Idempotency-Key: replays a stored answer, or runs the handler and
 * keeps what it answered (success, or a 4xx). A failure without an answer to keep (5xx, lost connection)
 * releases the key so that a retry resumes at once. Keeping an answer is best effort: when that write is
 * lost, the retry resumes and the handler answers again from what it committed.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<IdempotentRequest & AuthenticatedRequest>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw AppError.validation([
        { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-255 visible ASCII characters' },
      ]);
    }
    const route = this.reflector.get<string>(IDEMPOTENCY_SCOPE, context.getHandler());
    const scope = request.user === undefined ? route : `${route}:${request.user.id}`;
    const message = this.reflector.get<string | undefined>(ENVELOPE_MESSAGE, context.getHandler());
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return from(this.run(scope, header, request, reply, next, message));
  }

  private async run(
    scope: string,
    key: string,
    request: IdempotentRequest,
    reply: FastifyReply,
    next: CallHandler,
    message: string | undefined,
  ): Promise<RawBody<unknown>> {
    const start = await this.idempotency.begin(scope, key, request.body);
    if (start.kind === 'replay') {
      void reply.status(start.response.status);
      return new RawBody(start.response.body);
    }
    request.idempotency = { ref: `${scope}:${key}`, resumed: start.resumed };
    let data: unknown;
    try {
      data = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      const status = error instanceof AppError ? httpStatusOf(error, routeConfig(request)) : 500;
      if (error instanceof AppError && status < 500) {
        await this.keep(scope, key, status, errorEnvelope(error, routeConfig(request)));
      } else {
        await this.release(scope, key);
      }
      throw error;
    }
    const body = successEnvelope(data, message);
    await this.keep(scope, key, reply.statusCode, body);
    return new RawBody(body);
  }

  /** The attempt ended without an answer to keep: free the key so that a retry resumes at once. */
  private async release(scope: string, key: string): Promise<void> {
    if (!(await withRetries(() => this.idempotency.release(scope, key)))) this.warn();
  }

  /**
   * Keeps the answer. When that write is lost even after retries, the key is released instead, so that a
   * retry resumes and rebuilds the same answer from what was committed rather than waiting for the lock.
   */
  private async keep(scope: string, key: string, status: number, body: unknown): Promise<void> {
    if (await withRetries(() => this.idempotency.complete(scope, key, { status, body }))) return;
    await this.release(scope, key);
  }

  private warn(): void {
    this.logger.warn(
      'idempotency record not updated; a retry resumes from the committed state once its lock runs out',
    );
  }
}

function routeConfig(request: IdempotentRequest): ErrorStatusOverrides | undefined {
  return request.routeOptions?.config as ErrorStatusOverrides | undefined;
}

/** A few tries with a short back-off: the failure is mostly a lost connection, and the pool hands out a new one. */
async function withRetries(write: () => Promise<void>, tries = 5): Promise<boolean> {
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      await write();
      return true;
    } catch {
      if (attempt < tries) await sleep(50 * attempt);
    }
  }
  return false;
}
