import { ERROR_STATUS, ErrorCode, ErrorStatusOverrides, RETRY_AFTER_SECONDS } from './error-codes';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface StockProblem {
  product_id: string;
  requested: number;
  available: number;
}

/**
 * The one error type services throw: a code from the catalogue, a message and details. Its HTTP status and
 * headers come from the catalogue (error-codes.ts), never from the thrower; the exception filter renders it.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly object[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  /** The catalogue's status for this code (a route may answer another: see httpStatusOf). */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  static validation(problems: FieldProblem[], message = 'Request validation failed'): AppError {
    return new AppError('VALIDATION_FAILED', message, problems);
  }
}

export interface ErrorEnvelope {
  success: false;
  error: { code: ErrorCode; message: string; details?: readonly object[] };
}

/**
 * The one place an error body is built (contract §1); the exception filter and idempotency use it. A route
 * whose fields are camelCase (`/api/orders`, @MergeRouteConfig camelCaseDetails) gets its details' keys in camelCase.
 */
export function errorEnvelope(error: AppError, route?: ErrorStatusOverrides): ErrorEnvelope {
  const body: ErrorEnvelope = { success: false, error: { code: error.code, message: error.message } };
  if (error.details !== undefined)
    body.error.details = route?.camelCaseDetails === true ? camelCaseKeys(error.details) : error.details;
  return body;
}

function camelCaseKeys(details: readonly object[]): object[] {
  return details.map((entry) =>
    Object.fromEntries(
      Object.entries(entry).map(([key, value]) => [
        key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase()),
        value,
      ]),
    ),
  );
}

/** The status a route answers for an error: its own override (contract §9) or the catalogue's. */
export function httpStatusOf(error: AppError, route: ErrorStatusOverrides | undefined): number {
  return route?.errorStatus?.[error.code] ?? error.status;
}

/** The headers the catalogue gives a code (Retry-After). */
export function headersOf(error: AppError): Record<string, string> {
  const seconds = RETRY_AFTER_SECONDS[error.code];
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}
