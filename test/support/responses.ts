/** Kept for the suites that import the checks from here; the checks live in matchers.ts. */
export { expectError, quantities } from './matchers';
