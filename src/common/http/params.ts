import { Param, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { AppError } from '../errors/app-error';

const toLowerCase: PipeTransform<string, string> = { transform: (value) => value.toLowerCase() };

/**
 * A UUID path parameter, lower-cased (ids are stored lower-case); anything else is a 400 before the
 * database is touched (contract §1). The OpenAPI document says `format: uuid` for it.
 */
export const UuidParam =
  (name: string): ParameterDecorator =>
  (target, key, index) => {
    Param(
      name,
      new ParseUUIDPipe({
        version: undefined,
        exceptionFactory: () => AppError.validation([{ field: name, message: `${name} must be a UUID` }]),
      }),
      toLowerCase,
    )(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (descriptor !== undefined) {
      ApiParam({
        name,
        schema: { type: 'string', format: 'uuid', example: '3f2b8c1e-5d4a-4e7b-9c61-0a8d2e4f7b13' },
      })(target, key, descriptor);
    }
  };
