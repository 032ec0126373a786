import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerStorageService } from '@nestjs/throttler';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { RATE_LIMIT_WINDOW_MS } from './rate-limit.buckets';
import { RateLimitGuard, THROTTLERS } from './rate-limit.guard';
import { ResilientThrottlerStorage } from './resilient-storage';

/** Contract §10: limits per bucket, counters in Redis when REDIS_URL is set, else in memory. */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedAppConfig) => ({
        throttlers: THROTTLERS.map((t) => ({ ...t, ttl: RATE_LIMIT_WINDOW_MS })),
        setHeaders: false,
        storage:
          config.redisUrl === undefined
            ? new ThrottlerStorageService()
            : new ResilientThrottlerStorage(config.redisUrl),
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
