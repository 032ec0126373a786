import { DrizzleQueryError } from 'drizzle-orm';
import { DatabaseError } from 'pg';
import { AppError } from '../errors/app-error';
import { describeError, errorSummary, isDescribedError, stackFrames } from './safe-error';

const EMAIL = 'jane.customer@example.com';
const NAME = 'Zephyrine';
const STREET = '12 Marigold Lane';

/** node-postgres' error for a unique violation, with the fields the server sends. */
function uniqueViolation(): DatabaseError {
  const error = new DatabaseError(
    'duplicate key value violates unique constraint "users_email_lower_key"',
    120,
    'error',
  );
  Object.assign(error, {
    severity: 'ERROR',
    code: '23505',
    detail: `Key (lower(email))=(${EMAIL}) already exists.`,
    schema: 'public',
    table: 'users',
    constraint: 'users_email_lower_key',
  });
  return error;
}

/** Drizzle 0.45 wraps a driver error: its message and stack hold the SQL and every parameter. */
function failedInsert(cause: unknown): DrizzleQueryError {
  return new DrizzleQueryError(
    'insert into "users" ("email", "first_name", "address") values ($1, $2, $3)',
    [EMAIL, NAME, STREET],
    cause as Error,
  );
}

/** Everything a described error would put in a log line. */
const logged = (value: unknown) => JSON.stringify(value);

describe('describeError', () => {
  it('names a failed query by its classes and SQLSTATE, never by its SQL, params or detail', () => {
    const error = failedInsert(uniqueViolation());
    expect(error.stack).toContain(EMAIL); // the finding: the stack's first lines carry the params

    const described = describeError(error, { reqId: 'req-1', stack: true });

    expect(described).toMatchObject({
      type: 'DrizzleQueryError',
      cause: 'DatabaseError',
      code: '23505',
      constraint: 'users_email_lower_key',
      table: 'users',
      reqId: 'req-1',
      message: 'PostgreSQL 23505: unique violation',
    });
    expect(described.stack).toMatch(/^at /);
    const text = logged(described);
    for (const secret of [EMAIL, NAME, STREET, 'Failed query', 'params', 'insert into', 'Key (']) {
      expect(text).not.toContain(secret);
    }
  });

  it('keeps a pg unique violation’s detail out, and its constraint and table in', () => {
    const described = describeError(uniqueViolation());
    expect(described).toEqual({
      type: 'DatabaseError',
      code: '23505',
      constraint: 'users_email_lower_key',
      table: 'users',
      message: 'PostgreSQL 23505: unique violation',
    });
    expect(logged(described)).not.toContain(EMAIL);
  });

  it('reports PGlite’s errors, which carry query and params on themselves, as DatabaseError without them', () => {
    // PGlite ships pg-protocol minified (class `O`) and adds the query and its params to the error
    const O = class extends Error {};
    const error = Object.assign(new O('new row for relation "orders" violates check constraint'), {
      name: 'error',
      severity: 'ERROR',
      code: '23514',
      detail: `Failing row contains (${EMAIL}, ${NAME}).`,
      constraint: 'orders_total_check',
      query: 'insert into orders values ($1, $2)',
      params: [EMAIL, NAME],
    });
    const described = describeError(error, { stack: true });
    expect(described).toMatchObject({
      type: 'DatabaseError',
      code: '23514',
      constraint: 'orders_total_check',
    });
    expect(logged(described)).not.toMatch(new RegExp(`${EMAIL}|${NAME}|insert`));
  });

  it('gives a fixed text for a terminated backend, named by the innermost cause', () => {
    const terminated = Object.assign(
      new DatabaseError('terminating connection due to administrator command', 1, 'error'),
      {
        severity: 'FATAL',
        code: '57P01',
      },
    );
    expect(describeError(failedInsert(terminated))).toMatchObject({
      code: '57P01',
      message: 'PostgreSQL 57P01: terminated by an administrator',
    });
    expect(describeError(failedInsert(new Error('Connection terminated unexpectedly')))).toEqual({
      type: 'DrizzleQueryError',
      cause: 'Error',
      message: 'Connection terminated unexpectedly',
    });
  });

  it('keeps an SMTP reply that quotes the address out, and its code and reply code in', () => {
    // what nodemailer throws when the server refuses the recipient
    const error = Object.assign(
      new Error(
        `Can't send mail - all recipients were rejected: 550 5.1.1 <${EMAIL}>: Recipient address rejected`,
      ),
      {
        code: 'EENVELOPE',
        response: `550 5.1.1 <${EMAIL}>: Recipient address rejected`,
        responseCode: 550,
        command: 'RCPT TO',
        rejected: [EMAIL],
      },
    );
    const described = describeError(error, { stack: true });
    expect(described).toMatchObject({
      type: 'Error',
      code: 'EENVELOPE',
      responseCode: 550,
      message: 'SMTP envelope refused',
    });
    expect(logged(described)).not.toContain(EMAIL);
    expect(logged(described)).not.toContain('rejected');
  });

  it('withholds a plain error’s message and keeps its stack frames', () => {
    const error = new Error(`could not ship to ${STREET} for ${EMAIL}`);
    const described = describeError(error, { stack: true });
    expect(described).toMatchObject({ type: 'Error', message: expect.stringMatching(/withheld/) });
    expect(described.stack?.split('\n').every((line) => line.startsWith('at '))).toBe(true);
    expect(described.stack).toContain('safe-error.spec.ts');
    expect(logged(described)).not.toMatch(new RegExp(`${EMAIL}|${STREET}`));
  });

  it('keeps no stack unless asked, and names AppErrors by their code', () => {
    expect(describeError(new AppError('PAYMENT_PROVIDER_UNAVAILABLE', `card of ${EMAIL}`))).toEqual({
      type: 'AppError',
      code: 'PAYMENT_PROVIDER_UNAVAILABLE',
      message: 'PAYMENT_PROVIDER_UNAVAILABLE (status 503)',
    });
  });

  it('describes values that are not errors by their type only', () => {
    expect(describeError(EMAIL)).toEqual({ type: 'string', message: expect.stringMatching(/withheld/) });
    expect(describeError(undefined)).toEqual({
      type: 'undefined',
      message: expect.stringMatching(/withheld/),
    });
    expect(describeError({ message: EMAIL, code: 'ECONNREFUSED' })).toEqual({
      type: 'Object',
      code: 'ECONNREFUSED',
      message: 'connection refused',
    });
  });

  it('does not take a five-letter library code for a SQLSTATE', () => {
    expect(describeError(Object.assign(new Error('x'), { code: 'EAUTH' }))).toMatchObject({
      code: 'EAUTH',
      message: 'SMTP authentication failed',
    });
  });

  it('refuses constraint, table and column values that are not identifiers', () => {
    const error = Object.assign(new Error('x'), {
      code: '23505',
      severity: 'ERROR',
      constraint: EMAIL,
      table: 'a b',
    });
    expect(describeError(error)).toEqual({
      type: 'DatabaseError',
      code: '23505',
      message: 'PostgreSQL 23505: unique violation',
    });
  });

  it('marks what it made, so serializers can pass it on', () => {
    expect(isDescribedError(describeError(new Error('x')))).toBe(true);
    expect(isDescribedError({ type: 'Error', message: 'x' })).toBe(false);
  });
});

describe('stackFrames', () => {
  it('drops a message of several lines, even one whose lines look like frames', () => {
    const message = `Failed query: select 1\nparams: ${EMAIL},\n    at ${STREET} (x.ts:1:2)`;
    const stack = `Error: ${message}\n    at run (/app/src/a.ts:10:5)\n    at async main (node:internal/x:2:3)`;
    expect(stackFrames(stack, message)).toBe(
      'at run (/app/src/a.ts:10:5)\nat async main (node:internal/x:2:3)',
    );
  });

  it('keeps only frame-shaped lines when the message is not in the stack any more', () => {
    const stack = `Error: Can't send mail\n    at send (/app/mail.js:3:4)`;
    expect(stackFrames(stack, `Can't send mail: 550 <${EMAIL}>`)).toBe('at send (/app/mail.js:3:4)');
  });
});

describe('errorSummary', () => {
  it('writes one line with classes, code, text and schema names', () => {
    expect(errorSummary(failedInsert(uniqueViolation()))).toBe(
      'DrizzleQueryError (DatabaseError): PostgreSQL 23505: unique violation [users_email_lower_key users]',
    );
    expect(errorSummary(Object.assign(new Error(EMAIL), { code: 'ECONNREFUSED' }))).toBe(
      'Error ECONNREFUSED: connection refused',
    );
  });
});
