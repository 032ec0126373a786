import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors/error-codes';

export class ErrorDetailDto {
  @ApiProperty({ enum: Object.keys(ERROR_STATUS), example: 'VALIDATION_FAILED' })
  code!: string;

  @ApiProperty({ example: 'Request validation failed' })
  message!: string;

  @ApiPropertyOptional({
    description:
      'Always a list of objects whose shape depends on the code (field names follow the endpoint’s casing): validation [{field, message}]; stock [{product_id, requested, available}]; unavailable products [{product_id}]; cart limits [{limit: max_lines | max_line_quantity, max, product_id?}]; status transitions [{from, to}]; price mismatch [{product_id, given_unit_price, unit_price}]; stock changed [{product_id, expected_stock?, stock}].',
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ field: 'items.0.quantity', message: 'quantity must not be less than 1' }],
  })
  details?: Record<string, unknown>[];
}

export class ErrorEnvelopeDto {
  @ApiProperty({ enum: [false], example: false })
  success!: false;

  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}

const RETRY_AFTER = {
  'Retry-After': {
    description: 'seconds to wait before retrying',
    schema: { type: 'integer', minimum: 1, maximum: 3600, example: 60 },
  },
};

/** Documents a `{success: true, data: <model>}` response. */
export function ApiEnvelope(
  model: Type<unknown>,
  status = 200,
  description = 'Success',
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status,
      description,
      schema: successEnvelopeSchema(model),
    }),
  );
}

/** The schema of `{success: true, data: <model>}` (the model must be registered with ApiExtraModels). */
export function successEnvelopeSchema(model: Type<unknown>) {
  return {
    type: 'object',
    required: ['success', 'data'],
    additionalProperties: false,
    properties: {
      success: { type: 'boolean', enum: [true], example: true },
      data: { $ref: getSchemaPath(model) },
    },
  };
}

/**
 * Codes any route can answer: a malformed URL (400, before routing), headers too large (431), a bug (500)
 * and an unreachable database (503). finishDocument adds 413/415 to every POST, PUT, PATCH and DELETE.
 */
const ALWAYS: ErrorCode[] = [
  'VALIDATION_FAILED',
  'HEADERS_TOO_LARGE',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
];

/** Documents error responses by code; codes sharing a status are listed together. 429 and 503 carry Retry-After. */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, ...ALWAYS]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({
        status,
        description: [...new Set(list)].join(' | '),
        type: ErrorEnvelopeDto,
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      }),
    ),
  );
}
