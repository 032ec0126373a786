import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChargeRecord, ChargeRequest, ChargeResult, PaymentProvider } from './payment-provider';
import { SandboxLedgerRepository } from './sandbox-ledger.repository';

/**
 * The built-in `sandbox` provider (contract §6): `tok_visa` pays, `tok_chargeDeclined` is declined,
 * `tok_unavailable` behaves like an outage; any other token is declined as unknown. It keeps a ledger
 * of its charges (one per reference: charging twice returns the first charge) that can be asked by
 * reference, and waits `latencyMs` per call like a remote provider (PAYMENT_SANDBOX_LATENCY_MS).
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';

  constructor(
    private readonly ledger: SandboxLedgerRepository,
    private readonly latencyMs: number,
  ) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (this.latencyMs > 0) {
      // a reference charged before is answered at once from the ledger, as a provider replays a stored
      // answer (without latency there is nothing to skip: the upsert below answers it as well)
      const earlier = await this.ledger.find(request.reference);
      if (earlier !== undefined) return { outcome: 'paid', chargeId: earlier.chargeId };
      await this.wait();
    }
    switch (request.token) {
      case 'tok_visa': {
        const chargeId = `sbx_ch_${randomUUID().replace(/-/g, '')}`;
        const charge = await this.ledger.charge(
          request.reference,
          chargeId,
          request.amount,
          request.currency,
        );
        return { outcome: 'paid', chargeId: charge.chargeId };
      }
      case 'tok_unavailable':
        return { outcome: 'unavailable', reason: 'sandbox outage' };
      case 'tok_chargeDeclined':
        return { outcome: 'declined', reason: 'card declined' };
      default:
        return { outcome: 'declined', reason: 'unknown payment token' };
    }
  }

  async findCharge(reference: string): Promise<ChargeRecord | undefined> {
    await this.wait();
    const row = await this.ledger.find(reference);
    if (row === undefined || row.refundedAt !== null) return undefined;
    return { chargeId: row.chargeId, amount: row.amount, currency: row.currency };
  }

  async refund(chargeId: string): Promise<void> {
    await this.wait();
    await this.ledger.refund(chargeId, new Date());
  }

  private async wait(): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
  }
}
