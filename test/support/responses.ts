import { HttpResult } from './test-app';

/** Checks and summaries of API responses. */

/** The error envelope: `status`, `code`, a message and, when given, exactly these `details`. */
export function expectError(res: HttpResult, status: number, code: string, details?: unknown): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.success).toBe(false);
  expect(res.body.error.message).toEqual(expect.any(String));
  if (details !== undefined) expect(res.body.error.details).toEqual(details);
}

/** A cart's lines as `[product_id, quantity]` pairs, in the cart's order. */
export function quantities(cart: { items: { product_id: string; quantity: number }[] }): [string, number][] {
  return cart.items.map((item) => [item.product_id, item.quantity]);
}
