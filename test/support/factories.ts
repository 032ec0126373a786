import { randomUUID } from 'node:crypto';
import { guestOrderBody, uniqueEmail } from './fixtures';
import { ADMIN, HttpResult, TestApp } from './test-app';

export { CARD, CUSTOMER, guestOrderBody, MINIMAL_SHIPPING, SHIPPING, uniqueEmail } from './fixtures';

/** Data factories: every test makes its own data through the API, so tests never depend on each other. */
export interface ProductInput {
  sku?: string;
  name?: string;
  unit_price?: number;
  stock?: number;
  is_active?: boolean;
}

export interface CreatedProduct {
  id: string;
  sku: string;
  unit_price: number;
  stock: number;
}

const tokens = new WeakMap<TestApp, string>();

export async function adminToken(t: TestApp): Promise<string> {
  const cached = tokens.get(t);
  if (cached !== undefined) return cached;
  const res = await t.request('POST', '/api/v1/auth/login', { body: ADMIN });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.raw}`);
  tokens.set(t, res.body.data.token);
  return res.body.data.token as string;
}

export async function createProduct(t: TestApp, input: ProductInput = {}): Promise<CreatedProduct> {
  const res = await t.request('POST', '/api/v1/admin/products', {
    token: await adminToken(t),
    body: {
      sku: input.sku ?? `SKU-${randomUUID().slice(0, 8)}`,
      name: input.name ?? 'Test product',
      unit_price: input.unit_price ?? 1000,
      stock: input.stock ?? 10,
      ...(input.is_active === undefined ? {} : { is_active: input.is_active }),
    },
  });
  if (res.status !== 201) throw new Error(`createProduct failed: ${res.raw}`);
  return res.body.data.product as CreatedProduct;
}

export async function updateProduct(t: TestApp, id: string, patch: Record<string, unknown>): Promise<void> {
  const res = await t.request('PATCH', `/api/v1/admin/products/${id}`, {
    token: await adminToken(t),
    body: patch,
  });
  if (res.status !== 200) throw new Error(`updateProduct failed: ${res.raw}`);
}

export interface RegisteredUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

export async function registerUser(t: TestApp, email = uniqueEmail()): Promise<RegisteredUser> {
  const password = 'a-good-password';
  const res = await t.request('POST', '/api/v1/auth/register', { body: { email, password } });
  if (res.status !== 201) throw new Error(`registerUser failed: ${res.raw}`);
  return { id: res.body.data.user.id, email, password, token: res.body.data.token };
}

/** A cart line as tests write it: a product and its quantity. */
export type CartLine = [product: CreatedProduct, quantity: number];
export type Lines = CartLine[];

/** The `items` of a cart write for `lines`. */
export function cartItemsOf(lines: Lines): { product_id: string; quantity: number }[] {
  return lines.map(([product, quantity]) => ({ product_id: product.id, quantity }));
}

/**
 * How a helper sends its request. The API serves every path with and without a trailing slash
 * (contract §1); some suites send the slash throughout.
 */
export interface SendOptions {
  trailingSlash?: boolean;
  remoteAddress?: string;
}

function url(path: string, send: SendOptions): string {
  return send.trailingSlash === true ? `${path}/` : path;
}

/** A new guest session whose cart holds `lines`; returns the session id. */
export async function createGuestCart(t: TestApp, lines: Lines, send: SendOptions = {}): Promise<string> {
  const res = await t.request('POST', url('/api/v1/cart/guest', send), {
    body: { items: cartItemsOf(lines) },
    remoteAddress: send.remoteAddress,
  });
  if (res.status !== 201) throw new Error(`createGuestCart failed: ${res.status} ${res.raw}`);
  return res.body.data.session_id as string;
}

/** Sets the quantity of `product` in the cart of the user holding `token`. */
export async function putUserCartItem(
  t: TestApp,
  token: string,
  product: CreatedProduct,
  quantity: number,
  send: SendOptions = {},
): Promise<void> {
  const res = await t.request('PUT', url(`/api/v1/cart/items/${product.id}`, send), {
    token,
    body: { quantity },
    remoteAddress: send.remoteAddress,
  });
  if (res.status !== 200) throw new Error(`putUserCartItem failed: ${res.status} ${res.raw}`);
}

/** The `cart` of the user holding `token`. */
export async function readUserCart(t: TestApp, token: string, send: SendOptions = {}) {
  const res = await t.request('GET', url('/api/v1/cart', send), { token, remoteAddress: send.remoteAddress });
  if (res.status !== 200) throw new Error(`readUserCart failed: ${res.status} ${res.raw}`);
  return res.body.data.cart;
}

/** POST /api/v1/orders/guest with `body`, answered as it comes. */
export function placeGuestOrder(
  t: TestApp,
  body: unknown,
  send: SendOptions & { headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  return t.request('POST', url('/api/v1/orders/guest', send), {
    body,
    headers: send.headers,
    remoteAddress: send.remoteAddress,
  });
}

/** The 201 `data` of a guest order. */
export interface PlacedGuestOrder {
  order: {
    id: string;
    order_number: string;
    status: string;
    email: string;
    items: { product_id: string; quantity: number }[];
    total: number;
  };
  confirmation_details: { order_number: string; email: string; email_queued: boolean };
}

export interface GuestOrderOptions extends SendOptions {
  email?: string;
  /** top-level fields of the order body to replace or add (see guestOrderBody) */
  extra?: object;
}

/**
 * Fills a new guest cart with `lines` and orders it as a guest; returns the 201 `data`.
 * `trailingSlash` and `remoteAddress` are for the order request.
 */
export async function createGuestOrder(
  t: TestApp,
  lines: Lines,
  options: GuestOrderOptions = {},
): Promise<PlacedGuestOrder> {
  const sessionId = await createGuestCart(t, lines);
  const res = await placeGuestOrder(t, guestOrderBody(sessionId, options.email, options.extra), {
    trailingSlash: options.trailingSlash,
    remoteAddress: options.remoteAddress,
  });
  if (res.status !== 201) throw new Error(`createGuestOrder failed: ${res.status} ${res.raw}`);
  return res.body.data as PlacedGuestOrder;
}
