/** Every error code the API answers with, and its HTTP status (contract §1). */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_TOKEN: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  PAYMENT_DECLINED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  GUEST_SESSION_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  MAIL_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  SKU_TAKEN: 409,
  EMAIL_ALREADY_REGISTERED: 409,
  INSUFFICIENT_STOCK: 409,
  /** an admin's stock change whose expected_stock is no longer the stock (issue 14) */
  STOCK_CHANGED: 409,
  GUEST_CART_ALREADY_MERGED: 409,
  REQUEST_IN_PROGRESS: 409,
  INVALID_STATUS_TRANSITION: 409,
  PRICE_MISMATCH: 409,
  CONFLICT: 409,
  MAIL_NOT_RETRYABLE: 409,
  REQUEST_TIMEOUT: 408,
  GUEST_SESSION_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  PRODUCT_UNAVAILABLE: 422,
  CART_LIMIT_EXCEEDED: 422,
  CART_EMPTY: 422,
  GUEST_EMAIL_NOT_ALLOWED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  ORDER_TOTAL_TOO_LARGE: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  PAYMENT_PROVIDER_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The `Retry-After` (seconds) a code always answers with; RATE_LIMITED's comes from the limiter's window
 * (the guard sets it on the reply), so it is not listed here.
 */
export const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = {
  REQUEST_IN_PROGRESS: 1,
  SERVICE_UNAVAILABLE: 1,
  PAYMENT_PROVIDER_UNAVAILABLE: 5,
};

/** A route's own statuses for codes the contract answers differently there (§9), set with @MergeRouteConfig (common/http/envelope.ts). */
export interface ErrorStatusOverrides {
  errorStatus?: Partial<Record<ErrorCode, number>>;
  /** field names inside `error.details` in camelCase (contract §1: the casing of `/api/orders`) */
  camelCaseDetails?: boolean;
}
