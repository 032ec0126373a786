import { randomUUID } from 'node:crypto';
import { ADMIN, TestApp } from './test-app';

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

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

export async function registerUser(t: TestApp, email = uniqueEmail()): Promise<RegisteredUser> {
  const password = 'a-good-password';
  const res = await t.request('POST', '/api/v1/auth/register', { body: { email, password } });
  if (res.status !== 201) throw new Error(`registerUser failed: ${res.raw}`);
  return { id: res.body.data.user.id, email, password, token: res.body.data.token };
}
