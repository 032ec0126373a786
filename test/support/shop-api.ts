import type {
  ApiResult,
  AuthResult,
  Cart,
  CartEnvelope,
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
  ProductEnvelope,
  ProductPage,
  UserEnvelope,
  VerifyEmailResult,
} from './api-types';
import {
  adminToken,
  cartItemsOf,
  createGuestCart,
  createGuestOrder,
  createProduct,
  GuestOrderOptions,
  Lines,
  ProductInput,
  putUserCartItem,
  registerUser,
  RegisteredUser,
  updateProduct,
} from './factories';
import { RequestOptions, TestApp } from './test-app';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How one request is sent. The API serves every path with and without a trailing slash (contract §1);
 * `key` is the Idempotency-Key of an order-creating request (contract §6).
 */
export interface Send {
  trailingSlash?: boolean;
  remoteAddress?: string;
  token?: string;
  key?: string;
  headers?: Record<string, string>;
}

/**
 * The one test client of the API: a method per endpoint, each answering the endpoint's envelope typed
 * from the generated OpenAPI types (api-types.ts). It sends through TestApp.request (app.inject), so every
 * response is still checked against the OpenAPI document, client IPs can be set per request (rate limits)
 * and no port is opened; client-journey.e2e-spec.ts drives the generated openapi-fetch client over real
 * HTTP instead. Requests answer as they come: a test asserts the status; the `new…`/`…Of` helpers that
 * build test data assert it themselves.
 */
export class ShopApi {
  /** `defaults` apply to every request of this client, e.g. a suite that sends every path with the slash. */
  constructor(
    readonly t: TestApp,
    private readonly defaults: Send = {},
  ) {}

  /** Any request, typed by the caller: for the endpoints below with unusual paths or bodies. */
  send<T>(method: Method, path: string, options: Send = {}, body?: unknown): Promise<ApiResult<T>> {
    const send = { ...this.defaults, ...options };
    const headers: Record<string, string> = { ...send.headers };
    if (send.key !== undefined) headers['Idempotency-Key'] = send.key;
    const request: RequestOptions = { body, token: send.token, headers, remoteAddress: send.remoteAddress };
    const [pathname, query] = path.split('?');
    const slashed = send.trailingSlash === true && !pathname.endsWith('/') ? `${pathname}/` : pathname;
    const url = query === undefined ? slashed : `${slashed}?${query}`;
    return this.t.request(method, url, request);
  }

  // §3 catalog and accounts

  /** GET /api/v1/products with `query` (e.g. `?limit=2`). */
  listProducts(query = '', send: Send = {}): Promise<ApiResult<ProductPage>> {
    return this.send('GET', `/api/v1/products${query}`, send);
  }

  getProduct(id: string, send: Send = {}): Promise<ApiResult<ProductEnvelope>> {
    return this.send('GET', `/api/v1/products/${id}`, send);
  }

  /** POST /api/v1/admin/products as the holder of `token`. */
  postProduct(
    token: string | undefined,
    body: unknown,
    send: Send = {},
  ): Promise<ApiResult<ProductEnvelope>> {
    return this.send('POST', '/api/v1/admin/products', { ...send, token }, body);
  }

  /** PATCH /api/v1/admin/products/{id} as the holder of `token`. */
  patchProduct(
    token: string | undefined,
    id: string,
    body: unknown,
    send: Send = {},
  ): Promise<ApiResult<ProductEnvelope>> {
    return this.send('PATCH', `/api/v1/admin/products/${id}`, { ...send, token }, body);
  }

  /** A new product through the admin API (test data). */
  product(input: ProductInput = {}) {
    return createProduct(this.t, input);
  }

  /** A new customer through register (test data). */
  user(email?: string): Promise<RegisteredUser> {
    return registerUser(this.t, email);
  }

  /** A new customer whose cart holds `lines` (test data). */
  async userWith(lines: Lines, send: Send = {}): Promise<RegisteredUser> {
    const user = await registerUser(this.t);
    for (const [product, quantity] of lines)
      await putUserCartItem(this.t, user.token, product, quantity, send);
    return user;
  }

  /** Changes a product through the admin API and expects 200 (test data). */
  updateProduct(id: string, patch: Record<string, unknown>): Promise<void> {
    return updateProduct(this.t, id, patch);
  }

  /** Sets each of `lines` in the cart of `token`'s user, expecting 200 each time (test data). */
  async addToUserCart(token: string, lines: Lines, send: Send = {}): Promise<void> {
    for (const [product, quantity] of lines) {
      await putUserCartItem(this.t, token, product, quantity, { ...this.defaults, ...send });
    }
  }

  adminToken(): Promise<string> {
    return adminToken(this.t);
  }

  register(body: unknown, send: Send = {}): Promise<ApiResult<AuthResult>> {
    return this.send('POST', '/api/v1/auth/register', send, body);
  }

  login(body: unknown, send: Send = {}): Promise<ApiResult<AuthResult>> {
    return this.send('POST', '/api/v1/auth/login', send, body);
  }

  me(token?: string, send: Send = {}): Promise<ApiResult<UserEnvelope>> {
    return this.send('GET', '/api/v1/auth/me', { ...send, token });
  }

  verifyEmail(body: unknown, send: Send = {}): Promise<ApiResult<VerifyEmailResult>> {
    return this.send('POST', '/api/v1/auth/verify-email', send, body);
  }

  userCart(token: string | undefined, send: Send = {}): Promise<ApiResult<CartEnvelope>> {
    return this.send('GET', '/api/v1/cart', { ...send, token });
  }

  /** Reads the cart of `token`'s user, expects 200 and returns the cart. */
  async userCartOf(token: string, send: Send = {}): Promise<Cart> {
    const res = await this.userCart(token, send);
    expect(res.status).toBe(200);
    return res.body.data.cart;
  }

  putUserItem(
    token: string | undefined,
    productId: string,
    quantity: unknown,
    send: Send = {},
  ): Promise<ApiResult<CartEnvelope>> {
    return this.send('PUT', `/api/v1/cart/items/${productId}`, { ...send, token }, { quantity });
  }

  deleteUserItem(
    token: string | undefined,
    productId: string,
    send: Send = {},
  ): Promise<ApiResult<CartEnvelope>> {
    return this.send('DELETE', `/api/v1/cart/items/${productId}`, { ...send, token });
  }

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
