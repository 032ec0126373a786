import {
  isDatabaseUnavailable,
  isTransientConflict,
  isUniqueViolation,
  pgErrorCode,
} from './database-errors';

/** Drizzle wraps driver errors: the PostgreSQL fields sit on `cause`. */
const wrapped = (cause: object) => Object.assign(new Error('Failed query'), { cause });

describe('PostgreSQL error helpers', () => {
  it('finds the SQLSTATE through a cause chain', () => {
    expect(pgErrorCode(wrapped({ code: '23505' }))).toBe('23505');
    expect(pgErrorCode(new Error('plain'))).toBeUndefined();
    // a socket error under the driver's wrapper is not a SQLSTATE, and does not hide one further down
    expect(pgErrorCode(wrapped({ code: 'EPIPE', cause: { code: '57P01' } }))).toBe('57P01');
  });

  it('recognises a unique violation of a named constraint only', () => {
    const error = wrapped({ code: '23505', constraint: 'products_sku_key' });
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'products_sku_key')).toBe(true);
    expect(isUniqueViolation(error, 'users_email_lower_key')).toBe(false);
  });

  it.each([
    ['connection refused', { code: 'ECONNREFUSED' }],
    ['admin shutdown (pg_terminate_backend)', { code: '57P01' }],
    ['connection failure class', { code: '08006' }],
    ['pool timeout', { message: 'timeout exceeded when trying to connect' }],
    ['closed PGlite', { message: 'PGlite is closed' }],
  ])('treats %s as the database being unavailable', (_name, cause) => {
    expect(isDatabaseUnavailable(wrapped(cause))).toBe(true);
  });

  it('does not treat a constraint violation as unavailability', () => {
    expect(isDatabaseUnavailable(wrapped({ code: '23514' }))).toBe(false);
  });

  it.each(['40001', '40P01', '55P03'])('treats %s as a transient conflict', (code) => {
    expect(isTransientConflict(wrapped({ code }))).toBe(true);
  });
});
