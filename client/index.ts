/**
 * A typed client of this API for storefronts and tests: openapi-fetch over the types openapi-typescript
 * generates from the OpenAPI document (`npm run client:generate` writes schema.d.ts; do not edit it).
 *
 *   const api = createApiClient({ baseUrl: 'https://api.shop.example' });
 *   const { data, error, response } = await api.POST('/api/v1/cart/guest', { body: { items: [] } });
 *
 * Every answer is the contract's envelope: `data` is `{success: true, data}` on a 2xx, `error` is
 * `{success: false, error: {code, message, details?}}` otherwise.
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, operations, paths } from './schema';

export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  /** Origin the API is served from, without the /api/v1 prefix (the typed paths carry it). */
  baseUrl: string;
  /** A JWT from register, login or convert-guest: sent as `Authorization: Bearer …` on every request. */
  token?: string;
  /** Defaults to the global fetch. */
  fetch?: ClientOptions['fetch'];
}

export function createApiClient({ baseUrl, token, fetch }: ApiClientOptions): ApiClient {
  return createClient<paths>({ baseUrl, fetch, headers: token === undefined ? undefined : bearer(token) });
}

/** The Authorization header for one request: `api.GET('/api/v1/auth/me', { headers: bearer(token) })`. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/**
 * A fresh Idempotency-Key for one order attempt (contract §6). Keep it and send the same key when
 * retrying that attempt (a timeout, a 5xx, a lost connection): the order is then placed at most once.
 */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}
