import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { apiData, signAccessToken } from './api';
import { log } from './util';

export interface Product {
  id: string;
  sku: string;
  unitPrice: number;
}

export interface CartLine {
  product_id: string;
  quantity: number;
}

export interface GuestCart {
  sessionId: string;
  cartId: string;
}

export interface LookupOrder {
  email: string;
  orderNumber: string;
}

/** Large enough for every order of the run (the API's maximum stock). */
export const PRODUCT_STOCK = 1_000_000_000;
const CHUNK = 10_000;

export async function loginAdmin(baseUrl: string, email: string, password: string): Promise<string> {
  const data = await apiData<{ token: string }>(baseUrl, 'POST', '/api/v1/auth/login', 200, {
    body: { email, password },
  });
  return data.token;
}

/** One product through the admin API, as a shop would create it. */
export async function createProduct(
  baseUrl: string,
  adminToken: string,
  product: { sku: string; name: string; unitPrice: number; stock: number },
): Promise<Product> {
  const data = await apiData<{ product: { id: string } }>(baseUrl, 'POST', '/api/v1/admin/products', 201, {
    token: adminToken,
    body: { sku: product.sku, name: product.name, unit_price: product.unitPrice, stock: product.stock },
  });
  return { id: data.product.id, sku: product.sku, unitPrice: product.unitPrice };
}

/** Products through the admin API, as a shop would create them. */
export async function createProducts(baseUrl: string, adminToken: string, count: number): Promise<Product[]> {
  const products: Product[] = [];
  for (let i = 0; i < count; i++) {
    products.push(
      await createProduct(baseUrl, adminToken, {
        sku: `BENCH-${String(i + 1).padStart(3, '0')}`,
        name: `Bench product ${i + 1}`,
        unitPrice: 500 + 137 * i,
        stock: PRODUCT_STOCK,
      }),
    );
  }
  return products;
}

/** Three distinct products per cart, spread over the catalog; `variant` changes the quantities. */
export function cartLines(index: number, products: readonly Product[], variant = 0): CartLine[] {
  return [0, 7, 13].map((offset, line) => ({
    product_id: products[(index + offset) % products.length].id,
    quantity: 1 + ((index + line + variant) % 3),
  }));
}

/**
 * `count` guest sessions, each with a cart (by default three lines: `cartLines`; `linesOf` gives other
 * lines), written in bulk (the shape the API writes: a session row, its cart, the lines). Sessions
 * expire in 30 days.
 */
export async function seedGuestCarts(
  pool: Pool,
  products: readonly Product[],
  count: number,
  firstIndex = 0,
  linesOf: (index: number) => CartLine[] = (index) => cartLines(index, products),
): Promise<GuestCart[]> {
  const carts: GuestCart[] = [];
  for (let start = 0; start < count; start += CHUNK) {
    const size = Math.min(CHUNK, count - start);
    const { rows } = await pool.query<{ id: string; guest_session_id: string }>(
      `with s as (
         insert into guest_sessions (id, created_at, last_activity_at, expires_at)
         select gen_random_uuid(), now(), now(), now() + interval '30 days' from generate_series(1, $1::int)
         returning id
       )
       insert into carts (id, guest_session_id, created_at, updated_at)
       select gen_random_uuid(), id, now(), now() from s
       returning id, guest_session_id`,
      [size],
    );
    const cartIds: string[] = [];
    const productIds: string[] = [];
    const quantities: number[] = [];
    const positions: number[] = [];
    rows.forEach((row, i) => {
      linesOf(firstIndex + start + i).forEach((line, position) => {
        cartIds.push(row.id);
        productIds.push(line.product_id);
        quantities.push(line.quantity);
        positions.push(position);
      });
      carts.push({ sessionId: row.guest_session_id, cartId: row.id });
    });
    await pool.query(
      `insert into cart_items (cart_id, product_id, quantity, added_at, updated_at)
       select c, p, q, now() + o * interval '1 millisecond', now()
       from unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[]) as t(c, p, q, o)`,
      [cartIds, productIds, quantities, positions],
    );
  }
  return carts;
}

/**
 * `count` customer accounts (copying one real argon2 hash: nobody logs in with them, tokens are signed)
 * and, for each, a user cart of two lines, one of them a product of guest cart `firstIndex + i`, so a
 * merge adds two lines and combines one.
 */
export async function seedUsers(
  pool: Pool,
  products: readonly Product[],
  count: number,
  passwordHash: string,
  prefix: string,
  firstIndex = 0,
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += CHUNK) {
    const size = Math.min(CHUNK, count - start);
    const { rows } = await pool.query<{ id: string; cart_id: string }>(
      `with u as (
         insert into users (email, password_hash, first_name, last_name, role)
         select $1 || g || '@example.com', $2, 'Bench', 'User', 'customer'
         from generate_series($3::int, $4::int) as g
         returning id
       )
       insert into carts (user_id, created_at, updated_at)
       select id, now() - interval '1 hour', now() - interval '1 hour' from u
       returning user_id as id, id as cart_id`,
      [prefix, passwordHash, firstIndex + start, firstIndex + start + size - 1],
    );
    const cartIds: string[] = [];
    const productIds: string[] = [];
    const quantities: number[] = [];
    rows.forEach((row, i) => {
      const index = firstIndex + start + i;
      const overlapping = cartLines(index, products)[0].product_id;
      const other = products[(index + 3) % products.length].id;
      cartIds.push(row.cart_id, row.cart_id);
      productIds.push(overlapping, other);
      quantities.push(1, 2);
      ids.push(row.id);
    });
    await pool.query(
      `insert into cart_items (cart_id, product_id, quantity, added_at, updated_at)
       select c, p, q, now() - interval '1 hour', now() - interval '1 hour'
       from unnest($1::uuid[], $2::uuid[], $3::int[]) as t(c, p, q)`,
      [cartIds, productIds, quantities],
    );
  }
  return ids;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function orderNumber(): string {
  let out = 'GC-';
  for (const byte of randomBytes(10)) out += CROCKFORD[byte & 31];
  return out;
}

/** Paid guest orders with three lines and one status-history row each, for the lookup scenario. */
export async function seedLookupOrders(
  pool: Pool,
  products: readonly Product[],
  count: number,
): Promise<LookupOrder[]> {
  const orders: LookupOrder[] = [];
  const address = JSON.stringify({
    line1: '1 Main Street',
    city: 'Springfield',
    postal_code: '62701',
    country: 'US',
  });
  for (let start = 0; start < count; start += CHUNK) {
    const size = Math.min(CHUNK, count - start);
    const numbers: string[] = [];
    const emails: string[] = [];
    const totals: number[] = [];
    const byNumber = new Map<string, number>();
    for (let i = 0; i < size; i++) {
      const index = start + i;
      const number = orderNumber();
      if (byNumber.has(number)) {
        i--;
        continue;
      }
      byNumber.set(number, index);
      numbers.push(number);
      emails.push(`bench.lookup${index}@example.com`);
      totals.push(
        cartLines(index, products).reduce(
          (sum, line) => sum + line.quantity * products.find((p) => p.id === line.product_id)!.unitPrice,
          0,
        ),
      );
    }
    const { rows } = await pool.query<{ id: string; order_number: string }>(
      `insert into orders (order_number, status, email, first_name, last_name, shipping_address, is_guest,
                           subtotal, total, currency, payment_provider, payment_reference, created_at, updated_at)
       select n, 'paid', e, 'Bench', 'Buyer', $3::jsonb, true, s, s, 'USD', 'sandbox', 'sbx_ch_bench', now(), now()
       from unnest($1::text[], $2::text[], $4::int[]) as t(n, e, s)
       returning id, order_number`,
      [numbers, emails, address, totals],
    );
    const orderIds: string[] = [];
    const productIds: string[] = [];
    const skus: string[] = [];
    const prices: number[] = [];
    const quantities: number[] = [];
    const positions: number[] = [];
    for (const row of rows) {
      const index = byNumber.get(row.order_number)!;
      cartLines(index, products).forEach((line, position) => {
        const product = products.find((p) => p.id === line.product_id)!;
        orderIds.push(row.id);
        productIds.push(product.id);
        skus.push(product.sku);
        prices.push(product.unitPrice);
        quantities.push(line.quantity);
        positions.push(position);
      });
      orders.push({ email: `bench.lookup${index}@example.com`, orderNumber: row.order_number });
    }
    await pool.query(
      `insert into order_items (order_id, product_id, sku, name, unit_price, quantity, line_total, position)
       select o, p, s, 'Bench product ' || s, u, q, u * q, pos
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::int[], $6::int[]) as t(o, p, s, u, q, pos)`,
      [orderIds, productIds, skus, prices, quantities, positions],
    );
    await pool.query(
      `insert into order_status_history (order_id, status, at) select o, 'paid', now() from unnest($1::uuid[]) as t(o)`,
      [rows.map((row) => row.id)],
    );
  }
  return orders;
}

/**
 * `count` sessions that expired ten days ago, each with an (empty) cart as every API-created session
 * has, inserted with generate_series in chunks.
 */
export async function insertExpiredSessions(
  pool: Pool,
  count: number,
  onProgress: (done: number) => void,
): Promise<void> {
  const chunk = 250_000;
  for (let done = 0; done < count; done += chunk) {
    const size = Math.min(chunk, count - done);
    await pool.query(
      `with s as (
         insert into guest_sessions (id, created_at, last_activity_at, expires_at)
         select gen_random_uuid(), now() - interval '40 days', now() - interval '40 days', now() - interval '10 days'
         from generate_series(1, $1::int)
         returning id, created_at
       )
       insert into carts (id, guest_session_id, created_at, updated_at)
       select gen_random_uuid(), id, created_at, created_at from s`,
      [size],
    );
    onProgress(done + size);
  }
}

/**
 * The sessions' expiry counts as just slid (last_activity_at = now): GET guest cart slides it at most once a
 * minute per session, as an UPDATE of its own, so a measured run of reads started from this does only
 * reads for a minute, whatever happened before it (the usual read, the one the targets are about).
 */
export async function markSessionsTouched(pool: Pool, sessions: readonly GuestCart[]): Promise<void> {
  await pool.query('update guest_sessions set last_activity_at = now() where id = any($1::uuid[])', [
    sessions.map((session) => session.sessionId),
  ]);
}

// Pools of fresh entries for merge and order (each request consumes one).

export interface MergeEntry {
  sessionId: string;
  token: string;
}

export interface OrderEntry {
  sessionId: string;
  email: string;
}

/** `count` merges: a guest cart each and a user with a cart of their own and a signed token. */
export async function mergeEntries(
  pool: Pool,
  jwtSecret: string,
  products: readonly Product[],
  count: number,
  passwordHash: string,
  label: string,
  firstIndex: number,
): Promise<MergeEntry[]> {
  const carts = await seedGuestCarts(pool, products, count, firstIndex);
  const users = await seedUsers(pool, products, count, passwordHash, `bench.${label}.`, firstIndex);
  return carts.map((cart, i) => ({
    sessionId: cart.sessionId,
    token: signAccessToken(users[i], jwtSecret),
  }));
}

/** `count` guest orders: a guest cart each (`linesOf` its lines) and an email of its own. */
export async function orderEntries(
  pool: Pool,
  products: readonly Product[],
  count: number,
  label: string,
  firstIndex: number,
  linesOf?: (index: number) => CartLine[],
): Promise<OrderEntry[]> {
  const carts = await seedGuestCarts(pool, products, count, firstIndex, linesOf);
  return carts.map((cart, i) => ({
    sessionId: cart.sessionId,
    email: `bench.${label}.${firstIndex + i}@example.com`,
  }));
}

/**
 * The seeded database brought to a steady state before anything is measured, as a shop's tables are:
 * vacuumed and analyzed (otherwise the first run's reads set every bulk-inserted row's hint bits, and
 * autovacuum's first pass over the fresh tables lands inside whichever run is under way), from a clean
 * checkpoint.
 */
export async function settleAfterSeed(pool: Pool): Promise<void> {
  log('vacuum analyze and checkpoint after the seed');
  await pool.query('vacuum analyze');
  await checkpoint(pool);
}

/** CHECKPOINT needs a superuser or pg_checkpoint (PostgreSQL 15+); without either the run goes on. */
export async function checkpoint(pool: Pool): Promise<void> {
  try {
    await pool.query('checkpoint');
  } catch (error) {
    log(`  (no CHECKPOINT: ${(error as Error).message})`);
  }
}
