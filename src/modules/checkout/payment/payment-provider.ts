/** What checkout asks a payment provider to do (contract §6). Card data never reaches this service. */
export interface ChargeRequest {
  amount: number;
  currency: string;
  /** a provider token made by the frontend (e.g. tok_visa) */
  token: string;
  /**
   * our order id, the provider's idempotency reference: charging the same reference twice returns the
   * first charge, so a retry or a reconciler can never charge a customer twice
   */
  reference: string;
}

/**
 * A definite answer. A provider that cannot give one (timeout, lost connection) throws instead: the
 * charge may or may not exist, and only asking for it by reference later can tell.
 */
export type ChargeResult =
  | { outcome: 'paid'; chargeId: string }
  | { outcome: 'declined'; reason: string }
  /** the provider refused to work (outage): nothing was charged */
  | { outcome: 'unavailable'; reason: string };

export interface ChargeRecord {
  chargeId: string;
  amount: number;
  currency: string;
}

export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** The charge made for a reference, if any; throws when the provider cannot be asked. */
  findCharge(reference: string): Promise<ChargeRecord | undefined>;
  /** Gives a charge back (an order released while its charge landed late). */
  refund(chargeId: string): Promise<void>;
}

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');
