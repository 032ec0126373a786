import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldProblem } from '../errors/app-error';

/** Flattens class-validator's tree into the contract's `[{field, message}]` list (contract §1). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent === '' ? error.property : `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: rewrite(message, field),
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function rewrite(message: string, field: string): string {
  // class-validator words unknown fields as "property x should not exist"
  return message.startsWith('property ') && message.endsWith(' should not exist')
    ? `${field} is not an allowed field`
    : message;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => AppError.validation(flattenValidationErrors(errors)),
  });
}
