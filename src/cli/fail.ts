import { errorSummary } from '../common/logging/safe-error';
import { ConfigValidationError } from '../config/env.schema';

/**
 * Ends a command that failed: a configuration error is printed as is (it names each bad variable, as
 * `npm start` does); anything else is summarised, since a failed query's message holds its params
 * (contract §12: the summary names class, SQLSTATE, constraint).
 */
export function fail(error: unknown): never {
  const text = error instanceof ConfigValidationError ? error.message : errorSummary(error);
  process.stderr.write(`${text}\n`);
  process.exit(1);
}
