import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, Observable } from 'rxjs';
import { ENVELOPE_MESSAGE, RawBody, successEnvelope } from './envelope';

/** Wraps every handler result in `{success: true, data}` (contract §1); a RawBody is sent as it is. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const message = this.reflector.get<string | undefined>(ENVELOPE_MESSAGE, context.getHandler());
    return next
      .handle()
      .pipe(
        map((data: unknown): unknown =>
          data instanceof RawBody ? (data.body as unknown) : successEnvelope(data, message),
        ),
      );
  }
}
