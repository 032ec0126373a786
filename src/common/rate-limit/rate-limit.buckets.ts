/**
 * Rate-limit buckets (contract §10): every route counts against exactly one bucket, and the routes of a
 * bucket share one counter per client (guest lookup GET and POST count together).
 */
export const RATE_LIMIT_BUCKETS = {
  default: { limit: 120, description: 'everything else' },
  guestCart: { limit: 20, description: 'guest cart create/update/read' },
  lookup: { limit: 5, description: 'guest order lookup' },
  guestOrder: { limit: 3, description: 'guest order creation' },
  merge: { limit: 10, description: 'cart merge, per user' },
  auth: { limit: 5, description: 'convert-guest, register, login' },
} as const;

export type RateLimitBucket = keyof typeof RATE_LIMIT_BUCKETS;

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Buckets counted per authenticated user instead of per client IP. */
export const PER_USER_BUCKETS: ReadonlySet<RateLimitBucket> = new Set(['merge']);
