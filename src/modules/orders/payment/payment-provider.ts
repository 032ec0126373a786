/** What checkout asks a payment provider to do (contract §6). Card data never reaches this service. */
export interface ChargeRequest {
  amount: number;
  currency: string;
  /** a provider token made by the frontend (e.g. tok_visa) */
  token: string;
  /** our order number, for the provider's records */
  reference: string;
}

export type ChargeResult =
  | { outcome: 'paid'; reference: string }
  | { outcome: 'declined'; reason: string }
  | { outcome: 'unavailable'; reason: string };

export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Gives money back when an order could not be kept after a successful charge. */
  refund(reference: string): Promise<void>;
}

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');
