import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import {
  adminToken,
  CARD,
  CreatedProduct,
  guestOrderBody,
  registerUser,
  RegisteredUser,
  SHIPPING,
  uniqueEmail,
} from '../support/factories';
import { createTestApp, HttpResult, RequestOptions, TestApp } from '../support/test-app';
import { Recorder } from './support/recorder';
import { rowsOf, shop, Shop } from './support/shop';

jest.setTimeout(180_000);

/**
 * Property-based fuzzing of every endpoint listed in /docs-json. The seed is fixed so a failure is
 * reproducible: fast-check prints the seed, the path and the shrunk counterexample; FUZZ_SEED and
 * FUZZ_RUNS override them (e.g. FUZZ_RUNS=500 for a long session).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Operation {
  method: Method;
  template: string;
  params: string[];
}

interface Fixture {
  product: CreatedProduct;
  inactive: CreatedProduct;
  user: RegisteredUser;
  admin: string;
  sessionId: string;
  order: { id: string; order_number: string; email: string };
}

/** Every table a request may write; compared before and after each refused (4xx) request. */
const TABLES = [
  'products',
  'users',
  'email_verification_tokens',
  'guest_sessions',
  'carts',
  'cart_items',
  'orders',
  'order_items',
  'order_status_history',
  'mail_outbox',
  'cart_merge_logs',
  'guest_conversions',
  'cleanup_runs',
  'idempotency_keys',
] as const;

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '💩',
  '\u202e',
  'Ω'.repeat(300),
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '\r\n',
  'GC-',
  'GC-0000000000',
  '00000000-0000-0000-0000-000000000000',
  'NaN',
  '-1',
  '1e309',
  'null',
  'x'.repeat(1_000),
  'guest_x@checkout.guest',
  'A@B.C',
];

/** Path segments sent as they are (not encoded again). */
const NASTY_SEGMENTS = [
  '%00',
  '%',
  '%zz',
  '..',
  '%2e%2e%2f',
  '%F0%9F%92%A9',
  'GC-%00',
  'GC-0000000000',
  'gc-0000000000',
  '0'.repeat(300),
  'null',
  '%ff%fe',
  encodeURIComponent("' OR 1=1 --"),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
];

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '[1,2',
  'nul',
  '\ufeff{}',
  '{"a":1}{"b":2}',
  '{"a":NaN}',
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/vnd.api+json',
  '*/*',
  '',
  'application/json, text/plain',
];

const MUTATIONS = [
  'delete',
  'replace',
  'nasty',
  'nul',
  'wrap-array',
  'unknown-key',
  'type-swap',
  'long-string',
] as const;

type BodyRecipe =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; raw: string }
  | { kind: 'mutation'; target: number; op: (typeof MUTATIONS)[number]; value: unknown; nasty: string };

type ParamRecipe = { kind: 'valid' } | { kind: 'segment'; value: string };

type AuthRecipe = { kind: 'none' } | { kind: 'user' } | { kind: 'admin' } | { kind: 'header'; value: string };

interface Recipe {
  params: ParamRecipe[];
  query: [string, string][] | null;
  auth: AuthRecipe;
  contentType: string | null;
  idempotencyKey: string | null;
  body: BodyRecipe;
}

const rec = new Recorder('fuzz');

const paramArb: fc.Arbitrary<ParamRecipe> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'valid' as const }) },
  { weight: 1, arbitrary: fc.uuid().map((value) => ({ kind: 'segment' as const, value })) },
  {
    weight: 1,
    arbitrary: fc.uuid().map((value) => ({ kind: 'segment' as const, value: value.toUpperCase() })),
  },
  {
    weight: 2,
    arbitrary: fc
      .string({ unit: 'binary', maxLength: 40 })
      .map((value) => ({ kind: 'segment' as const, value: encode(value) })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...NASTY_SEGMENTS).map((value) => ({ kind: 'segment' as const, value })),
  },
);

const queryArb: fc.Arbitrary<[string, string][] | null> = fc.option(
  fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'limit',
          'cursor',
          'email',
          'order_number',
          'token',
          'session_id',
          '__proto__',
          'email[]',
        ),
        fc.string({ maxLength: 8 }),
      ),
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.constantFrom(...NASTY_STRINGS),
        fc.integer().map(String),
      ),
    ),
    { maxLength: 4 },
  ),
  { freq: 2 },
);

const authArb: fc.Arbitrary<AuthRecipe> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'user' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'admin' as const }) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 60 }),
        fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`),
        fc.constantFrom(
          'Bearer',
          'Bearer ',
          'Basic YWRtaW46YWRtaW4=',
          'Bearer a.b.c',
          'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
          'Bearer ....',
          `Bearer ${'a'.repeat(5_000)}.b.c`,
        ),
      )
      .map((value) => ({ kind: 'header' as const, value })),
  },
);

const bodyArb: fc.Arbitrary<BodyRecipe> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 2,
    arbitrary: fc
      .anything({ maxDepth: 3, stringUnit: 'binary' })
      .map((value) => ({ kind: 'json' as const, value })),
  },
  {
    weight: 2,
    arbitrary: fc
      .object({ maxDepth: 3, stringUnit: 'binary' })
      .map((value) => ({ kind: 'json' as const, value })),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({
        target: fc.nat(),
        op: fc.constantFrom(...MUTATIONS),
        value: fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }),
        nasty: fc.constantFrom(...NASTY_STRINGS),
      })
      .map((m) => ({ kind: 'mutation' as const, ...m })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.string({ unit: 'binary', maxLength: 50 }), fc.constantFrom(...MALFORMED_JSON))
      .map((raw) => ({ kind: 'raw' as const, raw })),
  },
);

const recipeArb = (params: number): fc.Arbitrary<Recipe> =>
  fc.record({
    params: fc.array(paramArb, { minLength: params, maxLength: params }),
    query: queryArb,
    auth: authArb,
    contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { freq: 4 }),
    idempotencyKey: fc.option(
      fc.oneof(fc.string({ maxLength: 40 }), fc.constant('k'.repeat(256)), fc.uuid()),
      { freq: 4 },
    ),
    body: bodyArb,
  });

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes out as its raw UTF-8 bytes. */
function encode(value: string): string {
  return [...value]
    .map((ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        return '%ED%A0%80';
      }
    })
    .join('');
}

/** Every path to a value in a JSON body (object keys and array indices), the root excluded. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  return [];
}

function mutate(valid: Record<string, unknown>, m: Extract<BodyRecipe, { kind: 'mutation' }>): unknown {
  const body = structuredClone(valid);
  const all = paths(body);
  if (all.length === 0 || m.op === 'unknown-key') {
    const keys = ['role', 'is_admin', 'user_id', 'stock', 'status', 'price', 'unit_price', 'id'];
    body[keys[m.target % keys.length]] = m.value;
    return body;
  }
  const path = all[m.target % all.length];
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], body) as Record<
    string | number,
    unknown
  >;
  const key = path[path.length - 1];
  const current = parent[key];
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 'replace':
      parent[key] = m.value;
      break;
    case 'nasty':
      parent[key] = m.nasty;
      break;
    case 'nul':
      parent[key] =
        typeof current === 'string' ? `${current.slice(0, 1)}\u0000${current.slice(1)}` : 'a\u0000b';
      break;
    case 'wrap-array':
      parent[key] = [current];
      break;
    case 'type-swap':
      parent[key] =
        typeof current === 'number'
          ? String(current)
          : typeof current === 'string'
            ? current.length
            : typeof current === 'boolean'
              ? Number(current)
              : JSON.stringify(current);
      break;
    case 'long-string':
      parent[key] = 'x'.repeat(10_000);
      break;
  }
  return body;
}

describe(`fuzz: generated requests to every endpoint in /docs-json (seed ${SEED}, ${RUNS} runs each; FUZZ_SEED / FUZZ_RUNS override)`, () => {
  let t: TestApp;
  let s: Shop;
  let fx: Fixture;
  let operations: Operation[] = [];

  beforeAll(async () => {
    t = rec.track(await createTestApp());
    s = shop(t);
    // no background writes between the two checksums of a run
    await t.app.get(MailDispatcher).onApplicationShutdown();
    const product = await s.product({ stock: 100_000 });
    const inactive = await s.product({ stock: 5, is_active: false });
    const placed = await s.guestOrder([[product, 1]]);
    fx = {
      product,
      inactive,
      user: await registerUser(t),
      admin: await adminToken(t),
      sessionId: await s.guestCart([[product, 2]]),
      order: placed.order,
    };
    const docs = await t.request('GET', '/docs-json');
    operations = Object.entries(docs.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([template, methods]) =>
        Object.keys(methods).map((method) => ({
          method: method.toUpperCase() as Method,
          template,
          params: [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        })),
    );
  });
  beforeEach(() => rec.scenario());
  afterAll(async () => {
    rec.finish();
    await t?.close();
  });

  function validParam(op: Operation, name: string): string {
    switch (name) {
      case 'session_id':
        return fx.sessionId;
      case 'order_number':
        return fx.order.order_number;
      case 'product_id':
        return fx.product.id;
      default:
        return op.template.includes('/orders/') ? fx.order.id : fx.product.id;
    }
  }

  /** A body the endpoint would accept (fresh emails and SKUs each time), the seed of every mutation. */
  function validBody(op: Operation): Record<string, unknown> {
    const route = `${op.method} ${op.template}`;
    switch (route) {
      case 'POST /api/v1/admin/products':
        return { sku: `FZ-${randomUUID().slice(0, 8)}`, name: 'Fuzzed', unit_price: 100, stock: 3 };
      case 'PATCH /api/v1/admin/products/{id}':
        return { name: 'Renamed', stock: 100_000 };
      case 'POST /api/v1/auth/register':
        return { email: uniqueEmail('fz'), password: 'a-good-password', first_name: 'F', last_name: 'Z' };
      case 'POST /api/v1/auth/login':
        return { email: fx.user.email, password: fx.user.password };
      case 'POST /api/v1/auth/verify-email':
        return { token: randomUUID() };
      case 'POST /api/v1/auth/convert-guest':
        return { email: uniqueEmail('fzc'), password: 'a-good-password', guest_session_id: fx.sessionId };
      case 'PUT /api/v1/cart/items/{product_id}':
        return { quantity: 1 };
      case 'POST /api/v1/cart/guest':
        return { session_id: fx.sessionId, items: [{ product_id: fx.product.id, quantity: 1 }] };
      case 'POST /api/v1/cart/merge':
        return { guest_session_id: fx.sessionId };
      case 'POST /api/v1/orders/guest':
        return guestOrderBody(fx.sessionId);
      case 'POST /api/v1/orders':
        return { shipping_address: SHIPPING, payment_info: CARD };
      case 'POST /api/v1/orders/guest-lookup':
        return { email: fx.order.email, order_number: fx.order.order_number };
      case 'PATCH /api/v1/admin/orders/{id}/status':
        return { status: 'processing', carrier: 'UPS', tracking_number: '1Z' };
      case 'POST /api/orders':
        return {
          customerData: {
            name: 'Guest Fuzz',
            email: 'guest_fuzz@checkout.guest',
            phone: '+123456789',
            address: 'Calle 1',
            neighborhoodId: 'n1',
          },
          shippingAddress: { street: 'Calle 1', cityId: 'c1', neighborhoodId: 'n1' },
          items: [{ productId: fx.product.id, quantity: 1, unitPrice: fx.product.unit_price }],
        };
      default:
        return {};
    }
  }

  function toRequest(op: Operation, recipe: Recipe): { url: string; options: RequestOptions } {
    let index = 0;
    let url = op.template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const param = recipe.params[index++];
      return param.kind === 'valid' ? validParam(op, name) : param.value;
    });
    if (recipe.query !== null && recipe.query.length > 0) {
      url += `?${recipe.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`;
    }
    const headers: Record<string, string> = {};
    if (recipe.auth.kind === 'user') headers.authorization = `Bearer ${fx.user.token}`;
    if (recipe.auth.kind === 'admin') headers.authorization = `Bearer ${fx.admin}`;
    if (recipe.auth.kind === 'header') headers.authorization = recipe.auth.value;
    if (recipe.idempotencyKey !== null) headers['idempotency-key'] = recipe.idempotencyKey;
    const options: RequestOptions = { headers };
    const body = recipe.body;
    if (body.kind === 'raw') options.rawBody = body.raw;
    if (body.kind === 'json' && body.value !== undefined) options.rawBody = JSON.stringify(body.value);
    if (body.kind === 'mutation') options.rawBody = JSON.stringify(mutate(validBody(op), body));
    if (options.rawBody !== undefined) headers['content-type'] = 'application/json';
    if (recipe.contentType !== null) headers['content-type'] = recipe.contentType;
    return { url, options };
  }

  /** One md5 per table, in one round trip. */
  async function checksum(): Promise<Record<string, string>> {
    const columns = TABLES.map(
      (table) =>
        `(select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ${table} x) as ${table}`,
    ).join(', ');
    const [row] = rowsOf<Record<string, string>>(await t.database.db.execute(sql.raw(`select ${columns}`)));
    return row;
  }

  /** The contract's error envelope: exactly {success: false, error: {code, message, details?}}. */
  function envelopeProblems(res: HttpResult): string[] {
    const body = res.body as { success?: unknown; error?: Record<string, unknown> } | undefined;
    const problems: string[] = [];
    if (body === undefined || typeof body !== 'object') return [`not JSON: ${res.raw.slice(0, 100)}`];
    if (JSON.stringify(Object.keys(body)) !== '["success","error"]')
      problems.push(`keys ${Object.keys(body).join(',')}`);
    if (body.success !== false) problems.push('success is not false');
    const error = body.error ?? {};
    const extra = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
    if (extra.length > 0) problems.push(`error has ${extra.join(',')}`);
    if (typeof error.code !== 'string' || !/^[A-Z_]+$/.test(error.code))
      problems.push(`code ${String(error.code)}`);
    if (typeof error.message !== 'string' || error.message === '') problems.push('message is not a string');
    if (!String(res.headers['content-type']).startsWith('application/json'))
      problems.push('not application/json');
    return problems;
  }

  /** Sends one generated request and throws when an expectation fails; returns the status. */
  async function check(op: Operation, recipe: Recipe): Promise<number> {
    const { url, options } = toRequest(op, recipe);
    const before = await checksum();
    const res = await t.request(op.method, url, options);
    const after = await checksum();
    const failure = (what: string) =>
      new Error(
        `${what}\n${op.method} ${url}\nheaders ${JSON.stringify(options.headers)}\nbody ${String(options.rawBody).slice(0, 300)}\n→ ${res.status} ${res.raw.slice(0, 300)}`,
      );
    if (res.status >= 500) throw failure('a 5xx');
    if (res.status >= 400) {
      const problems = envelopeProblems(res);
      if (problems.length > 0) throw failure(`a malformed error envelope: ${problems.join('; ')}`);
      // a refused request writes nothing; with an Idempotency-Key its 4xx answer is stored (contract §6)
      const changed = TABLES.filter((table) => before[table] !== after[table]).filter(
        (table) => !(table === 'idempotency_keys' && recipe.idempotencyKey !== null),
      );
      if (changed.length > 0) throw failure(`a ${res.status} that changed ${changed.join(', ')}`);
    } else if (res.body?.success !== true) {
      throw failure('a success without {success: true}');
    }
    return res.status;
  }

  it('lists every endpoint of the contract in /docs-json', () => {
    const listed = operations.map((op) => `${op.method} ${op.template}`);
    expect(listed).toEqual(
      expect.arrayContaining([
        'POST /api/v1/cart/guest',
        'GET /api/v1/cart/guest/{session_id}',
        'POST /api/v1/cart/merge',
        'POST /api/v1/orders/guest',
        'GET /api/v1/orders/guest-lookup',
        'POST /api/v1/orders/guest-lookup',
        'POST /api/v1/auth/convert-guest',
        'POST /api/orders',
      ]),
    );
    expect(listed.length).toBeGreaterThanOrEqual(24);
  });

  it('never answers 5xx, always answers errors in the envelope, and writes nothing on a 4xx, on every endpoint', async () => {
    // Each endpoint is explored for all its runs (a failure does not stop the exploration, so one bug
    // cannot hide another); then every kind of failure found is replayed from the same seed and shrunk
    // by fast-check to a small counterexample.
    const failures: Record<string, string> = {};
    const table: Record<string, unknown>[] = [];
    const kindOf = (error: unknown) => (error as Error).message.split('\n')[0];
    for (const [i, op] of operations.entries()) {
      const endpoint = `${op.method} ${op.template}`;
      const seed = SEED + i;
      const statuses: Record<string, number> = {};
      const kinds = new Map<string, string>();
      await fc.assert(
        fc.asyncProperty(recipeArb(op.params.length), async (recipe) => {
          try {
            const family = `${Math.floor((await check(op, recipe)) / 100)}xx`;
            statuses[family] = (statuses[family] ?? 0) + 1;
          } catch (error) {
            statuses.failed = (statuses.failed ?? 0) + 1;
            if (!kinds.has(kindOf(error))) kinds.set(kindOf(error), (error as Error).message);
          }
        }),
        { numRuns: RUNS, seed },
      );
      for (const [kind, example] of kinds) {
        const shrunk = await fc.check(
          fc.asyncProperty(recipeArb(op.params.length), async (recipe) => {
            try {
              await check(op, recipe);
            } catch (error) {
              if (kindOf(error) === kind) throw error;
            }
          }),
          { numRuns: RUNS, seed, interruptAfterTimeLimit: 15_000 },
        );
        failures[`${endpoint}: ${kind}`] = shrunk.failed
          ? `${(fc.defaultReportMessage(shrunk) ?? '').split('\n\nHint')[0]}\n${String((shrunk.errorInstance as Error | undefined)?.message)}`
          : example;
      }
      table.push({ endpoint, seed, runs: RUNS, ...statuses });
    }
    console.table(table);
    expect(failures).toEqual({});
  });

  it('survives hostile bodies (deep nesting, prototype keys, odd numbers, non-objects) on every endpoint that takes one', async () => {
    const bodies = [
      `{"items":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
      `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`,
      `{"items":${'['.repeat(500)}${']'.repeat(500)}}`,
      '{"__proto__":{"role":"admin","isAdmin":true}}',
      '{"constructor":{"prototype":{"role":"admin"}}}',
      '{"quantity":1e400}',
      '{"quantity":-0}',
      '{"quantity":123456789012345678901234567890}',
      '{"email":"a@example.com","email":"b@example.com"}',
      '\ufeff{"a":1}',
      '',
      'null',
      '[]',
      '"text"',
      '1',
      'true',
      `{"x":"${'y'.repeat(70_000)}"}`,
    ];
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.method !== 'GET' && o.method !== 'DELETE')) {
      for (const raw of bodies) {
        try {
          await check(op, {
            params: op.params.map(() => ({ kind: 'valid' })),
            query: null,
            auth: { kind: op.template.includes('/admin/') ? 'admin' : 'user' },
            contentType: 'application/json',
            idempotencyKey: null,
            body: { kind: 'raw', raw },
          });
        } catch (error) {
          const [kind, request, , , answer] = (error as Error).message.split('\n');
          failures.push(
            `${kind}: ${request} with ${raw.slice(0, 24)}… (${raw.length} bytes) ${answer.slice(0, 60)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 400 when a nested object of a valid body is missing, null, an array or a scalar', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.method !== 'GET' && o.method !== 'DELETE')) {
      const valid = validBody(op);
      const objects = paths(valid).filter((path) => {
        const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], valid);
        return value !== null && typeof value === 'object';
      });
      for (const path of objects) {
        for (const replacement of [undefined, null, [], 'x', 1, [{}]]) {
          const body = structuredClone(valid);
          const parent = path
            .slice(0, -1)
            .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], body) as Record<
            string,
            unknown
          >;
          parent[path[path.length - 1]] = replacement;
          const url = op.template.replace(/\{(\w+)\}/g, (_, name: string) => validParam(op, name));
          const res = await t.request(op.method, url, {
            body,
            token: op.template.includes('/admin/') ? fx.admin : fx.user.token,
          });
          if (res.status >= 500)
            failures.push(
              `${op.method} ${op.template} ${path.join('.')}=${JSON.stringify(replacement)} → ${res.status}`,
            );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('never answers 5xx to the NUL character in any string field of a valid body', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.method !== 'GET' && o.method !== 'DELETE')) {
      const valid = validBody(op);
      const all = paths(valid);
      for (const [target, path] of all.entries()) {
        const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], valid);
        if (typeof value !== 'string') continue;
        try {
          await check(op, {
            params: op.params.map(() => ({ kind: 'valid' })),
            query: null,
            auth: { kind: op.template.includes('/admin/') ? 'admin' : 'user' },
            contentType: null,
            idempotencyKey: null,
            body: { kind: 'mutation', target, op: 'nul', value: null, nasty: '' },
          });
        } catch (error) {
          const answer = (error as Error).message.split('\n')[4] ?? '';
          failures.push(`${op.method} ${op.template} ${path.join('.')} ${answer.slice(0, 40)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('produced no error body with a stack trace, SQL or file path, 5xx ones included', () => {
    expect(rec.leaks).toEqual([]);
  });
});
