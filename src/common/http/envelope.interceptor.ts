import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable } from 'rxjs';

/** A response that already is a complete body (spec-002 adds `message`); sent as it is. */
export class RawBody<T> {
  constructor(readonly body: T) {}
}

/** Wraps every handler result in `{success: true, data}` (contract §1). */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        map((data: unknown): unknown =>
          data instanceof RawBody ? (data.body as unknown) : { success: true, data },
        ),
      );
  }
}
