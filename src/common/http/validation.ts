import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldProblem } from '../errors/app-error';

/** class-validator's constraint name for a property the DTO does not declare (forbidNonWhitelisted). */
const UNKNOWN_PROPERTY = 'whitelistValidation';

/**
 * Flattens class-validator's tree into the contract's `[{field, message}]` list (contract §1). Nested
 * fields are named by their dotted path (`customer_info.email`, `items.0.quantity`). A declared field that
 * is absent gets one entry, `<field> is required`, instead of one message per constraint it would have had
 * to meet ("must be a string", "must be longer than …"). A present value keeps them all, null included: an
 * optional field may refuse null (`session_id must be a UUID`), and a field that is optional is never
 * reported at all when it is absent.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent === '' ? error.property : `${parent}.${error.property}`;
    const constraints = error.constraints ?? {};
    if (isMissing(error)) return [{ field, message: `${field} is required` }];
    const own = Object.values(constraints).map((message) => ({ field, message: rewrite(message, field) }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** A declared property the body or query left out: class-validator reports it with every constraint. */
function isMissing(error: ValidationError): boolean {
  const constraints = Object.keys(error.constraints ?? {});
  return error.value === undefined && constraints.length > 0 && !constraints.includes(UNKNOWN_PROPERTY);
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
    // `value` tells a missing field from a wrong one; values never leave flattenValidationErrors (details
    // carry field names and fixed messages only, and the errors are not logged)
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => AppError.validation(flattenValidationErrors(errors)),
  });
}
