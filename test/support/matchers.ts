import { HttpResult } from './test-app';

/** The shapes the contract pins down (§1, §4, §6), declared once for every suite. */

/** Any UUID (contract §1: ids are UUIDs). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A version-4 UUID, as a guest session id is (contract §4: UUID v4 from a CSPRNG). */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** `GC-` and 10 Crockford base32 characters (contract §6). */
export const ORDER_NUMBER = /^GC-[0-9A-HJKMNP-TV-Z]{10}$/;
/** An ISO 8601 timestamp in UTC (contract §1). */
export const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Asymmetric matchers for `toEqual` shapes. */
export const anyUuid = (): unknown => expect.stringMatching(UUID);
export const anyOrderNumber = (): unknown => expect.stringMatching(ORDER_NUMBER);
export const anyIsoTime = (): unknown => expect.stringMatching(ISO_UTC);

/** The success envelope (contract §1): `status` and `{success: true, data}`; returns `data`. */
export function expectSuccess<T>(res: { status: number; body: { data: T } }, status: 200 | 201 = 200): T {
  expect({ status: res.status, success: (res.body as { success?: unknown }).success }).toEqual({
    status,
    success: true,
  });
  return res.body.data;
}

/** The error envelope: `status`, `code`, a message and, when given, exactly these `details`. */
export function expectError(res: HttpResult, status: number, code: string, details?: unknown): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.success).toBe(false);
  expect(res.body.error.message).toEqual(expect.any(String));
  if (details !== undefined) expect(res.body.error.details).toEqual(details);
}

/** 429 RATE_LIMITED without details, with a Retry-After of 1 to 60 seconds (contract §10). */
export function expectRateLimited(res: HttpResult): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ success: false, error: { code: 'RATE_LIMITED', message: expect.any(String) } });
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

/** A cart's lines as `[product_id, quantity]` pairs, in the cart's order. */
export function quantities(cart: { items: { product_id: string; quantity: number }[] }): [string, number][] {
  return cart.items.map((item) => [item.product_id, item.quantity]);
}

/** The line of `productId` in a cart, if any. */
export function itemOf<T extends { product_id: string }>(
  cart: { items: T[] },
  productId: string,
): T | undefined {
  return cart.items.find((item) => item.product_id === productId);
}

/** Rows sorted by product id, as stored-state reads of cart lines are compared. */
export function byProduct<T extends { productId: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.productId.localeCompare(b.productId));
}

/** No password and no argon2 hash in a response (contract §3: a user never carries its password hash). */
export function expectNoPasswordLeak(res: HttpResult): void {
  expect(res.raw).not.toMatch(/password/i);
  expect(res.raw).not.toContain('$argon2');
}
