/**
 * Guest-pattern emails (spec 002, contract §1): synthetic addresses made by the frontend for guest
 * checkouts. They may place any number of orders, can never register, log in or be converted, and
 * no mail is ever sent to them.
 */
const GUEST_DOMAIN = '@checkout.guest';
const GUEST_LOCAL_PREFIX = 'guest_';

/** Trims and lower-cases an address; the stored and compared form (contract §1). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isGuestEmail(email: string): boolean {
  const normalized = normalizeEmail(email);
  return normalized.endsWith(GUEST_DOMAIN) || normalized.startsWith(GUEST_LOCAL_PREFIX);
}
