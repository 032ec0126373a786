import { SetMetadata } from '@nestjs/common';

/** A response that already is a complete body (a replayed idempotent answer); sent as it is. */
export class RawBody<T> {
  constructor(readonly body: T) {}
}

export interface SuccessEnvelope<T> {
  success: true;
  message?: string;
  data: T;
}

export const ENVELOPE_MESSAGE = 'envelope:message';

/** A fixed `message` beside `data` in a route's success envelope (spec 002: "Order created successfully"). */
export const EnvelopeMessage = (message: string): MethodDecorator => SetMetadata(ENVELOPE_MESSAGE, message);

/** The one place a success body is built (contract §1). */
export function successEnvelope<T>(data: T, message?: string): SuccessEnvelope<T> {
  return message === undefined ? { success: true, data } : { success: true, message, data };
}
