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
      'Validation: [{field, message}]. Stock problems: [{product_id, requested, available}]. Unavailable products: [{product_id}].',
    type: 'array',
    items: { type: 'object', additionalProperties: true },
  })
  details?: unknown;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ example: false })
  success!: false;

  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}

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
      schema: {
        type: 'object',
        required: ['success', 'data'],
        properties: { success: { type: 'boolean', example: true }, data: { $ref: getSchemaPath(model) } },
      },
    }),
  );
}

/** Documents error responses by code; codes sharing a status are listed together. */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE'] as ErrorCode[]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({ status, description: [...new Set(list)].join(' | '), type: ErrorEnvelopeDto }),
    ),
  );
}
