import { Param, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { AppError } from '../errors/app-error';

const toLowerCase: PipeTransform<string, string> = { transform: (value) => value.toLowerCase() };

/**
 * A UUID path parameter, lower-cased (ids are stored lower-case); anything else is a 400 before the
 * database is touched (contract §1).
 */
export const UuidParam = (name: string): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      version: undefined,
      exceptionFactory: () => AppError.validation([{ field: name, message: `${name} must be a UUID` }]),
    }),
    toLowerCase,
  );
