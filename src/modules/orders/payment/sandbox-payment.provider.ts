import { randomUUID } from 'node:crypto';
import { ChargeRequest, ChargeResult, PaymentProvider } from './payment-provider';

/**
 * The built-in `sandbox` provider (contract §6): `tok_visa` pays, `tok_chargeDeclined` is declined,
 * `tok_unavailable` behaves like an outage; any other token is declined as unknown.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';

  charge(request: ChargeRequest): Promise<ChargeResult> {
    switch (request.token) {
      case 'tok_visa':
        return Promise.resolve({ outcome: 'paid', reference: `sbx_ch_${randomUUID().replace(/-/g, '')}` });
      case 'tok_unavailable':
        return Promise.resolve({ outcome: 'unavailable', reason: 'sandbox outage' });
      case 'tok_chargeDeclined':
        return Promise.resolve({ outcome: 'declined', reason: 'card declined' });
      default:
        return Promise.resolve({ outcome: 'declined', reason: 'unknown payment token' });
    }
  }

  refund(): Promise<void> {
    return Promise.resolve();
  }
}
