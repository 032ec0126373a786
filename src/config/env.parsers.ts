import { isIP } from 'node:net';

/**
 * The small typed parsers the variable table (env.variables.ts) is written with. A parser gets the trimmed,
 * non-empty value of one variable and returns the typed value or a Problem: what the value must be, which
 * parseEnv prefixes with the variable's name ("PORT must be an integer from 0 to 65535 (got "abc")").
 */
export class Problem {
  constructor(readonly mustBe: string) {}
}

/** The trimmed value of a variable, undefined when unset or blank. */
export type ReadEnv = (name: string) => string | undefined;

/** One environment variable: how it is parsed, its default, and how README and `.env.example` show it. */
export interface Variable<T> {
  readonly name: string;
  readonly parse: Parser<T>;
  /** parsed like a given value; a function when it depends on another variable; none → undefined */
  readonly default?: string | ((read: ReadEnv) => string);
  /** README's meaning column (Markdown); none → shown in the previous variable's row */
  readonly description?: string;
  /** after the default in README's default column: `(24 h)`, `(no admin)` */
  readonly defaultNote?: string;
  /** the commented-out value `.env.example` shows for a variable without a fixed default */
  readonly example?: string;
  /** not in contract §2 */
  readonly addition?: true;
  /** never has a default, never shown with a real value */
  readonly secret?: true;
}

export interface Parser<T> {
  (raw: string): T | Problem;
  /** an integer parser's bounds, checked against the variable's description (env.docs.spec.ts) */
  readonly bounds?: readonly [number, number];
  /** an enumeration's values, checked against the variable's description (env.docs.spec.ts) */
  readonly values?: readonly string[];
}

/** Any string, as given. */
export const text: Parser<string> = (raw) => raw;

/** A string of min (to max) characters: a secret's length is checked, its value never echoed. */
export function secret(min: number, max?: number): Parser<string> {
  return (raw) => {
    if (raw.length >= min && (max === undefined || raw.length <= max)) return raw;
    return new Problem(
      max === undefined ? `at least ${min} characters long` : `${min} to ${max} characters long`,
    );
  };
}

/**
 * A Bearer token (RFC 6750's b64token: letters, digits, `-._~+/`, trailing `=`) of min to max characters;
 * like a secret, its value is never echoed.
 */
export function bearerToken(min: number, max: number): Parser<string> {
  const length = secret(min, max);
  return (raw) =>
    /^[\w.~+/-]+=*$/.test(raw)
      ? length(raw)
      : new Problem(`${min} to ${max} characters of letters, digits, -._~+/ and trailing = (a Bearer token)`);
}

export function int(min: number, max: number): Parser<number> {
  const parse = (raw: string): number | Problem => {
    const value = Number(raw);
    if (/^-?\d+$/.test(raw) && value >= min && value <= max) return value;
    return new Problem(`an integer from ${min} to ${max} (got "${raw}")`);
  };
  return Object.assign(parse, { bounds: [min, max] as const });
}

const YES = ['true', '1', 'yes', 'on'];
const NO = ['false', '0', 'no', 'off'];

/** A switch, case-insensitive; `yes`/`no` narrow the accepted words. */
export function bool(yes = YES, no = NO): Parser<boolean> {
  return (raw) => {
    const value = raw.toLowerCase();
    if (yes.includes(value)) return true;
    if (no.includes(value)) return false;
    return new Problem(`one of ${[...yes, ...no].join(', ')} (got "${value}")`);
  };
}

/** One of `values`, case-insensitive (the value is lower-cased). */
export function oneOf<const V extends string>(values: readonly V[]): Parser<V> {
  const parse = (raw: string): V | Problem => {
    const value = raw.toLowerCase();
    if ((values as readonly string[]).includes(value)) return value as V;
    return new Problem(`one of ${values.join(', ')} (got "${value}")`);
  };
  return Object.assign(parse, { values });
}

/** A URL with one of `protocols` (`'redis:'`), kept as given. */
export function url(protocols: string[]): Parser<string> {
  return (raw) => {
    try {
      if (protocols.includes(new URL(raw).protocol)) return raw;
    } catch {
      // not a URL: the same problem as a wrong protocol
    }
    return new Problem(`a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  };
}

/** A value matching `pattern` after `normalise` (`what` names the shape: "an email address"). */
export function matching(
  pattern: RegExp,
  what: string,
  normalise: (raw: string) => string = (raw) => raw,
): Parser<string> {
  return (raw) => {
    const value = normalise(raw);
    return pattern.test(value) ? value : new Problem(`${what} (got "${value}")`);
  };
}

export const upperCase = (raw: string): string => raw.toUpperCase();
export const lowerCase = (raw: string): string => raw.toLowerCase();

/** false, true, a hop count, or a comma-separated list of IPs/CIDRs (Fastify's trustProxy). */
export const trustProxy: Parser<boolean | number | string[]> = (raw) => {
  if (raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => {
    const [address, bits, ...rest] = entry.split('/');
    if (rest.length > 0 || isIP(address) === 0) return true;
    return bits !== undefined && !/^\d{1,3}$/.test(bits);
  });
  if (bad.length === 0) return entries;
  return new Problem(
    `true, false, a hop count or a comma-separated list of IPs/CIDRs (bad: ${bad.join(', ')})`,
  );
};

/**
 * An http(s) address, optionally with a path (`https://example.com/shop`), that mail links are built
 * under, without its trailing slash; no query, fragment or credentials, since links append their own path
 * and query.
 */
export const storefrontUrl: Parser<string> = (raw) => {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = new URL('invalid:');
  }
  const { protocol, search, hash, username, password } = parsed;
  if (['http:', 'https:'].includes(protocol) && search + hash + username + password === '') {
    return parsed.href.replace(/\/+$/, '');
  }
  return new Problem(`an http:// or https:// address without query, fragment or credentials (got "${raw}")`);
};

/** `*` → any origin (true); otherwise a comma-separated list. */
export const corsOrigins: Parser<true | string[]> = (raw) => {
  if (raw === '*') return true;
  return raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
};
