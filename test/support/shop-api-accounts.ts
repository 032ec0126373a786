import type {
  ApiResult,
  AuthResult,
  Cart,
  CartEnvelope,
  ProductEnvelope,
  ProductPage,
  UserEnvelope,
  VerifyEmailResult,
} from './api-types';
import {
  adminToken,
  createProduct,
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

/** The transport of ShopApi and the endpoints of catalog and accounts (contract §3). */
export class AccountsApi {
  /** `defaults` apply to every request of this client, e.g. a suite that sends every path with the slash. */
  constructor(
    readonly t: TestApp,
    protected readonly defaults: Send = {},
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
}
