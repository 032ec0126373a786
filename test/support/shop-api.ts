import type {
  ApiResult,
  CompatOrder,
  ConvertGuestResult,
  GuestCart,
  GuestCartRead,
  GuestCartWrite,
  LookupResult,
  MergeResult,
  OrderEnvelope,
  OrderList,
  PlacedOrder,
} from './api-types';
import {
  adminToken,
  cartItemsOf,
  createGuestCart,
  createGuestOrder,
  GuestOrderOptions,
  Lines,
} from './factories';
import { AccountsApi, Send } from './shop-api-accounts';
import { TestApp } from './test-app';

export type { Send } from './shop-api-accounts';

/**
 * The one test client of the API: a method per endpoint, each answering the endpoint's envelope typed
 * from the generated OpenAPI types (api-types.ts). It sends through TestApp.request (app.inject), so every
 * response is still checked against the OpenAPI document, client IPs can be set per request (rate limits)
 * and no port is opened; client-journey.e2e-spec.ts drives the generated openapi-fetch client over real
 * HTTP instead. Requests answer as they come: a test asserts the status; the `new…`/`…Of` helpers that
 * build test data assert it themselves.
 */
export class ShopApi extends AccountsApi {
  // §4 guest carts

  writeGuestCart(body: unknown, send: Send = {}): Promise<ApiResult<GuestCartWrite>> {
    return this.send('POST', '/api/v1/cart/guest', send, body);
  }

  readGuestCart(sessionId: string, send: Send = {}): Promise<ApiResult<GuestCartRead>> {
    return this.send('GET', `/api/v1/cart/guest/${sessionId}`, send);
  }

  /** A new guest session whose cart holds `lines`; returns the session id (test data). */
  guestCart(lines: Lines, send: Send = {}): Promise<string> {
    return createGuestCart(this.t, lines, { ...this.defaults, ...send });
  }

  /** Replaces the content of a guest cart with `lines` and expects 200 (test data). */
  async refillGuestCart(sessionId: string, lines: Lines, send: Send = {}): Promise<void> {
    const res = await this.writeGuestCart({ session_id: sessionId, items: cartItemsOf(lines) }, send);
    expect(res.status).toBe(200);
  }

  /** Creates a guest cart from raw `items`, expects 201 and returns the cart. */
  async newGuestCart(items: unknown[], send: Send = {}): Promise<GuestCart> {
    const res = await this.writeGuestCart({ items }, send);
    expect(res.status).toBe(201);
    return res.body.data.cart;
  }

  /** Reads a guest cart, expects 200 and returns the cart. */
  async guestCartOf(sessionId: string, send: Send = {}): Promise<GuestCart> {
    const res = await this.readGuestCart(sessionId, send);
    expect(res.status).toBe(200);
    return res.body.data.cart;
  }

  // §5 merge

  merge(token: string | undefined, body: unknown, send: Send = {}): Promise<ApiResult<MergeResult>> {
    return this.send('POST', '/api/v1/cart/merge', { ...send, token }, body);
  }

  /** Merges `sessionId` into the cart of `token`'s user and expects the 200 envelope; returns `data`. */
  async mergeOk(token: string, sessionId: string, send: Send = {}): Promise<MergeResult> {
    const res = await this.merge(token, { guest_session_id: sessionId }, send);
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    return res.body.data;
  }

  // §6 orders

  placeGuestOrder(body: unknown, send: Send = {}): Promise<ApiResult<PlacedOrder>> {
    return this.send('POST', '/api/v1/orders/guest', send, body);
  }

  /** Fills a new guest cart with `lines` and orders it as a guest; returns the 201 `data` (test data). */
  guestOrder(lines: Lines, options: GuestOrderOptions = {}): Promise<PlacedOrder> {
    return createGuestOrder(this.t, lines, { ...this.defaults, ...options }) as Promise<PlacedOrder>;
  }

  placeUserOrder(token: string | undefined, body: unknown, send: Send = {}): Promise<ApiResult<PlacedOrder>> {
    return this.send('POST', '/api/v1/orders', { ...send, token }, body);
  }

  userOrders(token?: string, send: Send = {}): Promise<ApiResult<OrderList>> {
    return this.send('GET', '/api/v1/orders', { ...send, token });
  }

  userOrder(token: string, orderNumber: string, send: Send = {}): Promise<ApiResult<OrderEnvelope>> {
    return this.send('GET', `/api/v1/orders/${orderNumber}`, { ...send, token });
  }

  /** PATCH an order's status as the admin, or as the holder of `token`. */
  async setOrderStatus(orderId: string, body: object, token?: string): Promise<ApiResult<OrderEnvelope>> {
    return this.send(
      'PATCH',
      `/api/v1/admin/orders/${orderId}/status/`,
      { token: token ?? (await adminToken(this.t)) },
      body,
    );
  }

  // §7 lookup: POST with a body, or GET with the query string

  lookup(
    method: 'GET' | 'POST',
    email: string,
    orderNumber: string,
    send: Send = {},
  ): Promise<ApiResult<LookupResult>> {
    const path = '/api/v1/orders/guest-lookup/';
    if (method === 'POST') return this.send('POST', path, send, { email, order_number: orderNumber });
    const query = `email=${encodeURIComponent(email)}&order_number=${encodeURIComponent(orderNumber)}`;
    return this.send('GET', `${path}?${query}`, send);
  }

  // §8 conversion

  convertGuest(body: unknown, send: Send = {}): Promise<ApiResult<ConvertGuestResult>> {
    return this.send('POST', '/api/v1/auth/convert-guest', send, body);
  }

  // §9 spec 002

  spec002Order(body: unknown, send: Send = {}): Promise<ApiResult<CompatOrder>> {
    return this.send('POST', '/api/orders', send, body);
  }
}

export function shopApi(t: TestApp, defaults: Send = {}): ShopApi {
  return new ShopApi(t, defaults);
}
