import { Transform } from 'class-transformer';
import { normalizeEmail } from './guest-email';

/** Trims and lower-cases an email field before validation; non-strings are left for the validator to refuse. */
export const NormalizeEmail = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value));

/** Trims a string field; non-strings are left for the validator to refuse. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Lower-cases an id so `ABC…` and `abc…` name the same row (UUIDs are case-insensitive). */
export const LowerCaseId = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value));
