import { jsonDepth } from './app.setup';
import { sanitizeUrl } from './common/logging/logger';

describe('jsonDepth', () => {
  it('counts nesting of objects and arrays', () => {
    expect(jsonDepth('{"a":[{"b":1}]}')).toBe(3);
    expect(jsonDepth('42')).toBe(0);
    expect(jsonDepth('['.repeat(40) + ']'.repeat(40))).toBe(40);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepth('{"a":"[[[{{{\\"[[["}')).toBe(1);
  });
});

describe('sanitizeUrl', () => {
  it.each([
    ['/x?email=a@b.c&order_number=GC-1', '/x?email=[REDACTED]&order_number=GC-1'],
    ['/x?EMAIL=a@b.c', '/x?EMAIL=[REDACTED]'],
    ['/x?e%6Dail=a@b.c', '/x?e%6Dail=[REDACTED]'],
    ['/x?token=t&password=p', '/x?token=[REDACTED]&password=[REDACTED]'],
    ['/x?%zz=1', '/x?[REDACTED]'],
    ['/plain', '/plain'],
  ])('sanitizes %s', (url, expected) => {
    expect(sanitizeUrl(url)).toBe(expected);
  });
});
