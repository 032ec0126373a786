import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks every response of the e2e and reliability tests against the OpenAPI document the app serves at
 * /docs-json (the document clients generate from): the status must be documented for the operation of
 * the request's path template and method, and the body must match that status's schema. ajv (with
 * ajv-formats for uuid/date-time/email) validates; OpenAPI 3.0's `nullable` is one of ajv's keywords.
 *
 * Requests outside the document, decided here in one place:
 * - Swagger's own pages (/docs, /docs-json and the UI's assets) are not part of the API they describe;
 *   they are served by @nestjs/swagger and skipped.
 * - A path or method no operation has (the 404/405 tests) must still answer the error envelope of
 *   contract §1 with a 400, 404, 405, 413, 415 or 431: it is validated against the document's
 *   ErrorEnvelopeDto.
 */

interface Operation {
  responses: Record<
    string,
    { content?: Record<string, { schema?: object }>; headers?: Record<string, { schema?: object }> }
  >;
}

interface Route {
  template: string;
  pattern: RegExp;
  methods: Record<string, Operation>;
}

export interface ResponseToCheck {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: unknown;
  raw: string;
}

const DOCUMENT_ID = 'openapi.json';
const SWAGGER_OWN = /^\/docs(?:-json|-yaml)?(?:\/.*)?$/;
// Fastify's not-found handler is a route too: it reads (and may refuse: 413, 415) a body before answering 404
const UNROUTED_STATUSES = new Set([400, 404, 405, 413, 415, 431]);

export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly routes: Route[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: { paths: Record<string, Record<string, Operation>>; components?: object }) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // only `components` is added: its schemas compile when a response schema refers to them
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: document.components ?? {} });
    this.routes = Object.entries(document.paths).map(([template, methods]) => ({
      template,
      pattern: new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
      ),
      methods,
    }));
    this.routes.sort((a, b) => parameterCount(a.template) - parameterCount(b.template));
  }

  /** Throws with path, method, status and ajv's errors when the response is not what the document says. */
  check(response: ResponseToCheck): void {
    const path = normalisePath(response.url);
    if (SWAGGER_OWN.test(path)) return;
    const method = response.method.toLowerCase();
    // a static segment wins over a parameter (`/orders/guest` is not `/orders/{order_number}`), as in the router
    const route = this.routes.find(
      (candidate) => candidate.pattern.test(path) && method in candidate.methods,
    );
    const operation = route?.methods[method];
    if (route === undefined || operation === undefined) {
      if (!UNROUTED_STATUSES.has(response.status)) {
        this.fail(response, 'no operation', `status ${response.status} for a request no operation takes`);
      }
      this.validate(response, 'no operation', 'error envelope', {
        $ref: `#/components/schemas/ErrorEnvelopeDto`,
      });
      return;
    }
    const operationName = `${method.toUpperCase()} ${route.template}`;
    const documented = operation.responses[String(response.status)] ?? operation.responses.default;
    if (documented === undefined) {
      this.fail(
        response,
        operationName,
        `status ${response.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`,
      );
    }
    // a documented header (Retry-After on 429 and 503) must be sent, and match its schema
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) this.fail(response, operationName, `header ${name} is missing`);
      const number = Number(value);
      this.validateValue(response, `${operationName} ${response.status} ${name}`, header.schema ?? {}, {
        value: Number.isNaN(number) ? value : number,
        what: `header ${name}`,
      });
    }
    // a documented text body (GET /metrics: Prometheus' text format) is checked by its media type only
    const mediaType = String(response.headers['content-type'] ?? '').split(';')[0];
    if (mediaType !== 'application/json' && documented.content?.[mediaType] !== undefined) return;
    const schema = documented.content?.['application/json']?.schema;
    if (schema === undefined) {
      if (response.raw !== '') this.fail(response, operationName, 'a body where the document declares none');
      return;
    }
    this.validate(response, operationName, String(response.status), schema);
  }

  private validateValue(
    response: ResponseToCheck,
    cacheKey: string,
    schema: object,
    target: { value: unknown; what: string },
  ): void {
    let validate = this.compiled.get(cacheKey);
    if (validate === undefined) {
      validate = this.ajv.compile(rebase(schema) as object);
      this.compiled.set(cacheKey, validate);
    }
    if (!validate(target.value)) {
      this.fail(
        response,
        cacheKey,
        `${target.what} does not match the schema:\n${describe(validate.errors ?? [])}`,
      );
    }
  }

  private validate(response: ResponseToCheck, operationName: string, key: string, schema: object): void {
    const cacheKey = `${operationName} ${key}`;
    let validate = this.compiled.get(cacheKey);
    if (validate === undefined) {
      validate = this.ajv.compile(rebase(schema) as object);
      this.compiled.set(cacheKey, validate);
    }
    if (!validate(response.body)) {
      this.fail(
        response,
        operationName,
        `body does not match the schema:\n${describe(validate.errors ?? [])}`,
      );
    }
  }

  private fail(response: ResponseToCheck, operationName: string, problem: string): never {
    throw new Error(
      `OpenAPI: ${response.method} ${response.url} → ${response.status} (${operationName}): ${problem}\n` +
        `body: ${response.raw.slice(0, 2000)}`,
    );
  }
}

function parameterCount(template: string): number {
  return template.split('{').length - 1;
}

/**
 * The path as the router sees it: dot segments resolved, no query, no trailing slash (contract §1: both
 * spellings are one route).
 */
function normalisePath(url: string): string {
  // the client resolves dot segments (`/a/b/..` is `/a`) before the request leaves, as every HTTP client does
  const path = new URL(url, 'http://localhost').pathname;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Points the document's local `#/components/...` references at the document added to ajv. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/')
        ? [key, `${DOCUMENT_ID}${inner}`]
        : [key, rebase(inner)],
    ),
  );
}

function describe(errors: ErrorObject[]): string {
  return errors
    .slice(0, 20)
    .map(
      (error) => `  ${error.instancePath || '(body)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
    )
    .join('\n');
}
