import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERROR_STATUS } from '../errors/error-codes';

/** Top-level tags, in the order Swagger UI shows them; every @ApiTags name must be one of these. */
export const API_TAGS = [
  { name: 'catalog', description: 'Products a shopper can see (active ones only).' },
  {
    name: 'guest cart',
    description: 'Carts without an account: a guest session id is the only key; replace semantics.',
  },
  { name: 'cart', description: 'The authenticated user’s cart, and merging a guest cart into it.' },
  {
    name: 'orders',
    description: 'Checkout (guest and user) in durable steps, and the user’s own orders.',
  },
  {
    name: 'guest orders',
    description: 'Tracking a guest order by email and order number, without an account.',
  },
  {
    name: 'auth',
    description: 'Accounts, tokens, email verification and guest-to-user conversion.',
  },
  { name: 'admin', description: 'Catalog, order status, mail outbox and guest statistics (role admin).' },
  {
    name: 'compatibility (spec 002)',
    description: 'POST /api/orders with spec 002’s camelCase body: guest-email orders without payment.',
  },
  { name: 'health', description: 'Liveness and database reachability for load balancers.' },
  {
    name: 'monitoring',
    description: 'Prometheus metrics for operators (Bearer METRICS_TOKEN; off without it), not the shop API.',
  },
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const BODY_METHODS = new Set<string>(['post', 'put', 'patch', 'delete']);

const ERROR_REF = { $ref: '#/components/schemas/ErrorEnvelopeDto' };

/** Errors Fastify raises while reading a body, before any handler runs (contract §1). */
const BODY_ERRORS: Record<string, ResponseObject> = {
  [ERROR_STATUS.PAYLOAD_TOO_LARGE]: {
    description: 'PAYLOAD_TOO_LARGE (body above 64 KiB)',
    content: { 'application/json': { schema: ERROR_REF } },
  },
  [ERROR_STATUS.UNSUPPORTED_MEDIA_TYPE]: {
    description:
      'UNSUPPORTED_MEDIA_TYPE (Content-Type is not application/json, or a Content-Encoding other than identity)',
    content: { 'application/json': { schema: ERROR_REF } },
  },
};

/**
 * `{nullable: true, allOf: [{$ref}]}` (what @ApiProperty({type: Dto, nullable: true}) gives) does not admit
 * null under OpenAPI 3.0.3 (nullable only widens a `type` beside it, and the referenced schema refuses null);
 * an explicit `anyOf` with a null alternative says what the server sends.
 */
function nullableReference(property: SchemaObject): SchemaObject {
  const { allOf, nullable: _nullable, type: _type, ...rest } = property;
  return { ...rest, anyOf: [...(allOf ?? []), { type: 'object', nullable: true, enum: [null] }] };
}

/**
 * What decorators cannot say per route, applied to the whole document in one place:
 * - `security: []` on public operations (Redocly's security-defined: no operation is silently public);
 * - 413 and 415 on every POST, PUT, PATCH and DELETE (Fastify parses a body there even when a route takes none);
 * - `additionalProperties: false` on every object schema: request bodies are closed because the
 *   ValidationPipe refuses unknown fields (forbidNonWhitelisted), responses because the DTO mappers build
 *   every field. A schema that sets additionalProperties itself (a map) keeps its own.
 */
export function finishDocument(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (operation === undefined) continue;
      operation.security ??= [];
      // Fastify reads a body on these methods before any handler runs, whether the route takes one or not
      if (BODY_METHODS.has(method)) {
        operation.responses = { ...operation.responses, ...BODY_ERRORS };
      }
      operation.responses = Object.fromEntries(
        Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)),
      );
    }
  }
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    if ('$ref' in schema) continue;
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (!('$ref' in property) && property.nullable === true && property.allOf?.length === 1) {
        schema.properties![name] = nullableReference(property);
      }
    }
    if (
      (schema.type === 'object' || schema.properties !== undefined) &&
      schema.additionalProperties === undefined
    )
      schema.additionalProperties = false;
  }
  return document;
}
