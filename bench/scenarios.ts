import type autocannon from 'autocannon';
import { EntryPool, POOL_EXHAUSTED_PATH, RoundRobin } from './load';
import { CartLine, GuestCart, LookupOrder, MergeEntry, OrderEntry, Product, cartLines } from './seed';

export type ScenarioKey = 'get_cart' | 'post_cart' | 'merge' | 'order' | 'hot_product' | 'lookup' | 'health';

/** What a scenario must reach; every bound given must be met. */
export interface Target {
  /** minimum req/s as a share of the baseline's req/s (compares across machines) */
  ratio?: number;
  /** minimum req/s, absolute (a bound the design sets, e.g. by a provider's latency) */
  min_rps?: number;
  /** maximum p99 latency at 50 connections, ms */
  p99_ms?: number;
}

export interface ScenarioInfo {
  key: ScenarioKey;
  name: string;
  target?: Target;
  /** shown with the results: what the scenario loads and why its target is what it is */
  description?: string;
}

/** The payment provider's latency in the hot-product scenario, per provider call. */
export const HOT_PRODUCT_LATENCY_MS = 300;

/** The targets of the benchmark brief. */
export const SCENARIOS: readonly ScenarioInfo[] = [
  { key: 'get_cart', name: 'GET guest cart (3 lines)', target: { ratio: 0.5, p99_ms: 10 } },
  { key: 'post_cart', name: 'POST guest cart, replace 3 lines', target: { ratio: 0.25, p99_ms: 10 } },
  { key: 'merge', name: 'merge guest cart into user cart', target: { ratio: 0.2, p99_ms: 40 } },
  { key: 'order', name: 'guest order (3 lines, tok_visa)', target: { ratio: 0.1, p99_ms: 60 } },
  {
    key: 'hot_product',
    name: 'hot product: guest order, 1 product',
    target: { min_rps: 100 },
    description:
      `50 connections order the same product (1 unit, \`tok_visa\`), each request a fresh guest cart, against ` +
      `an app whose sandbox provider waits ${HOT_PRODUCT_LATENCY_MS} ms per call ` +
      `(PAYMENT_SANDBOX_LATENCY_MS). The target is absolute: ≥ 100 orders/s. With the provider called inside ` +
      `the transaction that holds the product's row lock (the design before checkout in durable steps), ` +
      `orders of one product were serialized behind each charge: about 1 / ${HOT_PRODUCT_LATENCY_MS} ms ≈ 3 ` +
      'orders/s. Now the charge runs outside any transaction, so the ceiling is the concurrency: 50 / ' +
      `${HOT_PRODUCT_LATENCY_MS} ms ≈ ${Math.floor(50_000 / HOT_PRODUCT_LATENCY_MS)} orders/s. After the run the ` +
      'stock invariant is checked (stock + units in orders not cancelled or payment_failed = initial stock), ' +
      'as is that no order is left awaiting_payment, none doubled, none lost.',
  },
  { key: 'lookup', name: 'guest order lookup (POST)', target: { ratio: 0.5, p99_ms: 20 } },
  { key: 'health', name: 'GET /health' },
];

const JSON_HEADERS = { 'content-type': 'application/json' };

/** A request for an empty pool: answers 404, so it is counted as an error. */
function exhausted(request: autocannon.Request): autocannon.Request {
  return { ...request, method: 'GET', path: POOL_EXHAUSTED_PATH, headers: {}, body: Buffer.alloc(0) };
}

export function getCartRequests(sessions: readonly GuestCart[]): autocannon.Request[] {
  const next = new RoundRobin(sessions);
  return [
    {
      method: 'GET',
      setupRequest: (request) => ({ ...request, path: `/api/v1/cart/guest/${next.take().sessionId}` }),
    },
  ];
}

/** Replaces the three lines of a session's cart; the quantities change from one call to the next. */
export function postCartBody(
  session: GuestCart,
  index: number,
  products: readonly Product[],
  call: number,
): string {
  const items: CartLine[] = cartLines(index, products, call + 1);
  return JSON.stringify({ session_id: session.sessionId, items });
}

export function postCartRequests(
  sessions: readonly GuestCart[],
  products: readonly Product[],
): autocannon.Request[] {
  let call = 0;
  return [
    {
      method: 'POST',
      path: '/api/v1/cart/guest',
      headers: JSON_HEADERS,
      setupRequest: (request) => {
        const index = call % sessions.length;
        const body = postCartBody(sessions[index], index, products, Math.floor(call / sessions.length));
        call++;
        return { ...request, body };
      },
    },
  ];
}

export function mergeRequests(pool: EntryPool<MergeEntry>): autocannon.Request[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/cart/merge',
      setupRequest: (request) => {
        const entry = pool.take();
        if (entry === undefined) return exhausted(request);
        return {
          ...request,
          headers: { ...JSON_HEADERS, authorization: `Bearer ${entry.token}` },
          body: JSON.stringify({ guest_session_id: entry.sessionId }),
        };
      },
    },
  ];
}

/** contract §6: the guest order body with the sandbox's paying token. */
export function orderBody(entry: OrderEntry): string {
  return JSON.stringify({
    session_id: entry.sessionId,
    customer_info: { email: entry.email, first_name: 'Bench', last_name: 'Buyer', phone: '+1 555 0100' },
    shipping_address: { line1: '1 Main Street', city: 'Springfield', postal_code: '62701', country: 'US' },
    payment_info: { method: 'card', token: 'tok_visa' },
  });
}

/**
 * Guest orders, one pool entry each. `onCreated`, when given, is called for every 201 (the hot-product
 * scenario counts them to check that no answered order is missing from the database).
 */
export function orderRequests(pool: EntryPool<OrderEntry>, onCreated?: () => void): autocannon.Request[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/orders/guest',
      headers: JSON_HEADERS,
      setupRequest: (request) => {
        const entry = pool.take();
        return entry === undefined ? exhausted(request) : { ...request, body: orderBody(entry) };
      },
      ...(onCreated === undefined
        ? {}
        : {
            onResponse: (status: number) => {
              if (status === 201) onCreated();
            },
          }),
    },
  ];
}

export function lookupRequests(orders: readonly LookupOrder[]): autocannon.Request[] {
  const next = new RoundRobin(orders);
  return [
    {
      method: 'POST',
      path: '/api/v1/orders/guest-lookup',
      headers: JSON_HEADERS,
      setupRequest: (request) => {
        const order = next.take();
        return { ...request, body: JSON.stringify({ email: order.email, order_number: order.orderNumber }) };
      },
    },
  ];
}

export function healthRequests(): autocannon.Request[] {
  return [{ method: 'GET', path: '/health' }];
}

export function baselineRequests(): autocannon.Request[] {
  return [{ method: 'GET', path: '/' }];
}
