import { CROCKFORD, newOrderNumber, normalizeOrderNumber, ORDER_NUMBER_PATTERN } from './order-number';

describe('order numbers', () => {
  it('are GC- and 10 Crockford base32 characters', () => {
    for (let i = 0; i < 200; i++) expect(newOrderNumber()).toMatch(ORDER_NUMBER_PATTERN);
  });

  it('use every symbol of the alphabet and no other', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) for (const c of newOrderNumber().slice(3)) seen.add(c);
    expect([...seen].sort().join('')).toBe([...CROCKFORD].sort().join(''));
  });

  it('do not repeat across many draws', () => {
    const numbers = new Set(Array.from({ length: 10_000 }, () => newOrderNumber()));
    expect(numbers.size).toBe(10_000);
  });

  it('map each random byte to one symbol', () => {
    const fixed = () => Buffer.from([0, 1, 31, 32, 33, 255, 10, 20, 30, 17]);
    expect(newOrderNumber(fixed)).toBe('GC-01Z01ZAMYH');
  });

  it('normalise typed numbers', () => {
    expect(normalizeOrderNumber(' gc-abcdefghjk ')).toBe('GC-ABCDEFGHJK');
    expect(normalizeOrderNumber('GC-0OIL1')).toBe('GC-00111');
    expect(normalizeOrderNumber('gcABCDEFGHJK')).toBe('GC-ABCDEFGHJK');
  });
});
