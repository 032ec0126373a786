import { afterFailedAttempt, backoffMs, errorKind, messageIdFor } from './delivery-policy';

describe('delivery policy (contract §11)', () => {
  it('backs off exponentially from 5 s and caps the wait at one hour', () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffMs(11)).toBe(3_600_000);
    expect(backoffMs(500)).toBe(3_600_000);
  });

  it('keeps retrying a mail younger than the maximum age, whatever its attempt count', () => {
    const windowStart = new Date('2025-01-01T00:00:00Z');
    const now = new Date(windowStart.getTime() + 167 * 3_600_000);
    expect(afterFailedAttempt({ attempt: 400, now, windowStart, maxAgeMs: 168 * 3_600_000 })).toEqual({
      deadLetter: false,
      nextAttemptAt: new Date(now.getTime() + 3_600_000),
    });
  });

  it('dead-letters a mail on a failed attempt once it is as old as the maximum age', () => {
    const windowStart = new Date('2025-01-01T00:00:00Z');
    const now = new Date(windowStart.getTime() + 168 * 3_600_000);
    expect(afterFailedAttempt({ attempt: 2, now, windowStart, maxAgeMs: 168 * 3_600_000 })).toEqual({
      deadLetter: true,
    });
  });

  it('derives the Message-ID from the outbox id and the domain of MAIL_FROM', () => {
    const id = '0b7c7a43-5b1e-4d7e-9a55-3a8c1b1f7e10';
    expect(messageIdFor(id, 'no-reply@localhost')).toBe(`<${id}@localhost>`);
    expect(messageIdFor(id, 'Shop <Orders@Shop.Example>')).toBe(`<${id}@shop.example>`);
    expect(messageIdFor(id, 'not an address')).toBe(`<${id}@localhost>`);
  });

  it('describes an error by class and codes only, never by its message', () => {
    const smtp = Object.assign(new Error('550 <jane@example.com>: mailbox unavailable'), {
      code: 'EENVELOPE',
      responseCode: 550,
    });
    expect(errorKind(smtp)).toBe('Error EENVELOPE SMTP 550');
    const query = Object.assign(new Error('Failed query: params: jane@example.com'), {
      cause: { code: '57P01' },
    });
    expect(errorKind(query)).toBe('Error SQLSTATE 57P01');
    expect(errorKind('boom')).toBe('string');
  });
});
