import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { Clock, SystemClock } from '../util/clock';
import { createValidationPipe } from './validation';

/**
 * The cross-cutting HTTP pieces every feature module relies on: validation, error model, clock (the
 * success envelope is a Fastify hook: envelope.ts, registered by configureApp).
 */
@Global()
@Module({
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [Clock],
})
export class HttpPlatformModule {}
