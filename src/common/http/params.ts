import { Param, ParseUUIDPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';

/** A UUID path parameter; anything else is a 400 before the database is touched (contract §1). */
export const UuidParam = (name: string): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      version: undefined,
      exceptionFactory: () => AppError.validation([{ field: name, message: `${name} must be a UUID` }]),
    }),
  );
