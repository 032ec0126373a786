import { ERROR_STATUS, ErrorCode } from './error-codes';

export interface FieldProblem {
  field: string;
  message: string;
}

export interface StockProblem {
  product_id: string;
  requested: number;
  available: number;
}

/** The one error type services throw; the exception filter renders it as the contract's envelope. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** extra response headers, e.g. Retry-After */
    readonly headers?: Record<string, string>,
    /** only where the contract gives a code another status (§9: EMAIL_ALREADY_REGISTERED is 400 there) */
    status?: number,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = status ?? ERROR_STATUS[code];
  }

  static validation(problems: FieldProblem[], message = 'Request validation failed'): AppError {
    return new AppError('VALIDATION_FAILED', message, problems);
  }
}

export interface ErrorEnvelope {
  success: false;
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** The one place an error body is built (contract §1); the exception filter and idempotency use it. */
export function errorEnvelope(error: AppError): ErrorEnvelope {
  const body: ErrorEnvelope = { success: false, error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return body;
}
