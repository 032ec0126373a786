import { randomBytes } from 'node:crypto';

/** Crockford's base32 alphabet: no I, L, O or U, so numbers read aloud or typed survive. */
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ORDER_NUMBER_PATTERN = /^GC-[0-9A-HJKMNP-TV-Z]{10}$/;

/**
 * `GC-` + 10 Crockford base32 characters from the CSPRNG: 50 bits, so guessing a number that exists
 * is hopeless even before the lookup's rate limit (contract §6).
 */
export function newOrderNumber(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(10);
  let out = 'GC-';
  // each byte contributes its low 5 bits: 32 values, uniform, no modulo bias
  for (const byte of bytes) out += CROCKFORD[byte & 31];
  return out;
}

/** Accepts the lower-case and the I/L/O confusions of a typed number, as Crockford intends. */
export function normalizeOrderNumber(input: string): string {
  return input.trim().toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0').replace(/^GC-?/, 'GC-');
}
