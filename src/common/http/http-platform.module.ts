import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { Clock, SystemClock } from '../util/clock';
import { EnvelopeInterceptor } from './envelope.interceptor';
import { createValidationPipe } from './validation';

/** The cross-cutting HTTP pieces every feature module relies on: envelope, validation, error model, clock. */
@Global()
@Module({
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [Clock],
})
export class HttpPlatformModule {}
