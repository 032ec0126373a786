import { SetMetadata } from '@nestjs/common';
import { RateLimitBucket } from './rate-limit.buckets';

export const RATE_LIMIT_BUCKET = 'rate-limit:bucket';

/** Puts a route (or every route of a controller) in a rate-limit bucket; unmarked routes use `default`. */
export const RateLimit = (bucket: RateLimitBucket): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT_BUCKET, bucket);

/** Exempts a route from rate limiting (health checks from load balancers). */
export const NoRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(RATE_LIMIT_BUCKET, 'none');
