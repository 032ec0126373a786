import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';

/** `Authorization: Bearer <token>`, the scheme in any case (RFC 9110 §11.1: schemes are case-insensitive). */
const BEARER = /^bearer +(\S+) *$/i;

/**
 * GET /metrics (contract §2, §12): without METRICS_TOKEN the route answers 404 as an unknown route does;
 * with it, only `Authorization: Bearer <METRICS_TOKEN>` passes (401 otherwise). The token is compared
 * in constant time: both sides are hashed to one length first, so neither its content nor its length leaks.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(APP_CONFIG) config: ResolvedAppConfig) {
    this.expected = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  }

  canActivate(context: ExecutionContext): boolean {
    // the exception filter answers it exactly as the router's not-found handler
    if (this.expected === undefined) throw new NotFoundException();
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const token = BEARER.exec(header ?? '')?.[1];
    if (token === undefined || !timingSafeEqual(digest(token), this.expected)) {
      throw new AppError('UNAUTHENTICATED', 'GET /metrics needs the Bearer token METRICS_TOKEN');
    }
    return true;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
