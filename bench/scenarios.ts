import type autocannon from 'autocannon';
import { EntryPool, POOL_EXHAUSTED_PATH, RoundRobin } from './load';
import { CartLine, GuestCart, LookupOrder, Product, cartLines } from './seed';

export type ScenarioKey = 'get_cart' | 'post_cart' | 'merge' | 'order' | 'lookup' | 'health';

export interface Target {
  /** minimum req/s as a share of the baseline's req/s */
  ratio: number;
  /** maximum p99 latency at 50 connections, ms */
  p99_ms: number;
}

export interface ScenarioInfo {
  key: ScenarioKey;
  name: string;
  target?: Target;
}

/** The targets of the benchmark brief. */
export const SCENARIOS: readonly ScenarioInfo[] = [
  { key: 'get_cart', name: 'GET guest cart (3 lines)', target: { ratio: 0.5, p99_ms: 10 } },
  { key: 'post_cart', name: 'POST guest cart, replace 3 lines', target: { ratio: 0.25, p99_ms: 10 } },
  { key: 'merge', name: 'merge guest cart into user cart', target: { ratio: 0.2, p99_ms: 40 } },
  { key: 'order', name: 'guest order (3 lines, tok_visa)', target: { ratio: 0.1, p99_ms: 60 } },
  { key: 'lookup', name: 'guest order lookup (POST)', target: { ratio: 0.5, p99_ms: 20 } },
  { key: 'health', name: 'GET /health' },
];

export interface MergeEntry {
  sessionId: string;
  token: string;
}

export interface OrderEntry {
  sessionId: string;
  email: string;
}

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

export function orderRequests(pool: EntryPool<OrderEntry>): autocannon.Request[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/orders/guest',
      headers: JSON_HEADERS,
      setupRequest: (request) => {
        const entry = pool.take();
        return entry === undefined ? exhausted(request) : { ...request, body: orderBody(entry) };
      },
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
