import { Writable } from 'node:stream';
import { CARD, CUSTOMER, SHIPPING } from '../../support/factories';

/**
 * A log destination for createTestApp's `logStream` option: keeps every line the app's pino logger writes
 * (set LOG_LEVEL in the app's env; tests default to silent). Lines are kept as written, so a check sees
 * exactly what an operator's log pipeline would.
 */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  private partial = '';

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) if (line !== '') this.lines.push(line);
    done();
  }

  /** The lines as JSON objects (pino writes one object per line). */
  parsed(from = 0): Record<string, unknown>[] {
    return this.lines.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/**
 * Customer data a test put into the app, by label: `{ 'email of buyer 3': 'zq…@example.com', … }`. A value
 * is searched in every spelling below; a RegExp is for data a test makes up inline (uniqueEmail()).
 */
export type CustomerSeeds = Record<string, string | RegExp>;

/**
 * The customer data test/support/factories.ts puts into every guest order and sign-up: any address
 * uniqueEmail() makes (…@example.com), the shipping street and city, the phone, the names and the
 * card token. For fault tests that order through the factories and keep no list of what they sent.
 */
export const FACTORY_CUSTOMER_DATA: CustomerSeeds = {
  'an @example.com email (uniqueEmail)': /(@|%40)example\.com/i,
  'first name': new RegExp(`\\b${CUSTOMER.first_name}\\b`),
  'last name': new RegExp(`\\b${CUSTOMER.last_name}\\b`),
  phone: CUSTOMER.phone,
  street: SHIPPING.line1,
  city: SHIPPING.city,
  'card token': CARD.token,
};

/** Every spelling of a value a log line could carry: as is, lower-cased, URL- and JSON-encoded. */
function spellings(value: string): string[] {
  return [
    ...new Set([
      value.toLowerCase(),
      encodeURIComponent(value).toLowerCase(),
      JSON.stringify(value).slice(1, -1).toLowerCase(),
    ]),
  ];
}

/**
 * The seeded values found in `lines` (case-insensitive, in any spelling above), one entry per label and
 * line, each with a short excerpt of the offending line so a failure shows where the value came from.
 */
export function customerDataIn(lines: readonly string[], seeds: CustomerSeeds): string[] {
  const searched = Object.entries(seeds).map(([label, value]) => ({
    label,
    find:
      value instanceof RegExp
        ? (line: string) => {
            const match = new RegExp(value.source, value.flags.replace('g', '')).exec(line);
            return match === null ? undefined : { at: match.index, length: match[0].length };
          }
        : (line: string) => {
            const lower = line.toLowerCase();
            for (const form of spellings(value)) {
              const at = lower.indexOf(form);
              if (at !== -1) return { at, length: form.length };
            }
            return undefined;
          },
  }));
  const found: string[] = [];
  lines.forEach((line, index) => {
    for (const { label, find } of searched) {
      const hit = find(line);
      if (hit === undefined) continue;
      const excerpt = line.slice(Math.max(0, hit.at - 120), hit.at + hit.length + 40);
      found.push(`line ${index}: ${label} in …${excerpt}…`);
    }
  });
  return found;
}

/**
 * Fails with the list of findings when any seeded value appears in any line (contract §12: logs never
 * contain customer data, error logs and stack traces included). Text values shorter than 6 characters
 * are refused: they would match unrelated text (give a RegExp with word boundaries instead).
 */
export function assertNoCustomerData(lines: readonly string[], seeds: CustomerSeeds): void {
  const tooShort = Object.entries(seeds).filter(([, value]) => typeof value === 'string' && value.length < 6);
  if (tooShort.length > 0) {
    throw new Error(`seeds too short to search for: ${tooShort.map(([label]) => label).join(', ')}`);
  }
  const found = customerDataIn(lines, seeds);
  // only the first findings: 400 orders can leak thousands of times, and the first ones tell the story
  expect({ linesSearched: lines.length, customerDataFound: found.slice(0, 20), total: found.length }).toEqual(
    {
      linesSearched: lines.length,
      customerDataFound: [],
      total: 0,
    },
  );
}
