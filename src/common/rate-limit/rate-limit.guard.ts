import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import {
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerStorage,
  getOptionsToken,
  getStorageToken,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { bearerToken, verifyAccessToken } from '../auth/access-token';
import { AppError } from '../errors/app-error';
import { AppMetrics } from '../metrics/app-metrics';
import { PER_USER_BUCKETS, RATE_LIMIT_BUCKETS, RateLimitBucket } from './rate-limit.buckets';
import { RATE_LIMIT_BUCKET } from './rate-limit.decorator';

/**
 * @nestjs/throttler with one bucket per route instead of every throttler on every route, counters shared
 * by the routes of a bucket, per-user counting for the merge, and the contract's 429 envelope with
 * Retry-After (contract §10). The client IP is Fastify's request.ip, which honours TRUST_PROXY only.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @Inject(getOptionsToken()) options: ThrottlerModuleOptions,
    @Inject(getStorageToken()) storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    private readonly metrics: AppMetrics,
  ) {
    super(options, storage, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.rateLimits || context.getType() !== 'http') return true;
    const bucket =
      this.reflector.getAllAndOverride<RateLimitBucket | 'none' | undefined>(RATE_LIMIT_BUCKET, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'default';
    if (bucket === 'none') return true;
    const throttler = this.throttlers.find((t) => t.name === bucket);
    if (throttler === undefined) return true;
    const ttl = Number(throttler.ttl);
    return this.handleRequest({
      context,
      limit: Number(throttler.limit),
      ttl,
      blockDuration: ttl,
      throttler,
      getTracker: (req: Record<string, unknown>) => this.trackerFor(bucket, req as unknown as FastifyRequest),
      generateKey: (_context, tracker, name) => `rl:${name}:${tracker}`,
    });
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    this.metrics.rateLimitRejected(bucketOfKey(detail.key));
    // the one Retry-After that is not fixed per code: the limiter's window, set on the reply here
    void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(retryAfter));
    throw new AppError('RATE_LIMITED', `Too many requests; retry in ${retryAfter} s`);
  }

  private async trackerFor(bucket: RateLimitBucket, request: FastifyRequest): Promise<string> {
    if (PER_USER_BUCKETS.has(bucket)) {
      const userId = await this.userIdFrom(request.headers.authorization);
      if (userId !== undefined) return `user:${userId}`;
    }
    return `ip:${request.ip}`;
  }

  /** The token's subject when the token verifies; the auth guard still decides about the request. */
  private async userIdFrom(header: string | undefined): Promise<string | undefined> {
    const token = bearerToken(header);
    return token === undefined ? undefined : (await verifyAccessToken(this.jwt, token))?.id;
  }
}

/** The bucket in a counter's key (`rl:<bucket>:<tracker>`, generateKey above). */
function bucketOfKey(key: string): string {
  return key.slice(3, key.indexOf(':', 3));
}

export const THROTTLERS = Object.entries(RATE_LIMIT_BUCKETS).map(([name, bucket]) => ({
  name,
  limit: bucket.limit,
}));
