import { Inject, Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import { Db } from '../../../database/db';
import { Placeholders, statement } from '../../../database/statement';
import { DRIZZLE } from '../../../database/database.tokens';
import { SandboxChargeRow, sandboxCharges } from '../../../database/schema';

/**
 * The sandbox provider's ledger. It runs on the pool, never inside the shop's transactions (the
 * provider is another system): a charge is committed on its own, as a real provider's would be.
 */
@Injectable()
export class SandboxLedgerRepository {
  constructor(@Inject(DRIZZLE) private readonly db: Db) {}

  /** The charge of `reference`: a new one, or the one made before (idempotent by reference). */
  async charge(
    reference: string,
    chargeId: string,
    amount: number,
    currency: string,
  ): Promise<SandboxChargeRow> {
    const [charge] = await SandboxLedgerRepository.chargeOnce.runOn(this.db, {
      reference,
      chargeId,
      amount,
      currency,
    });
    return charge;
  }

  /** One per order: prepared. A conflicting reference 'updates' to itself and returns the first charge. */
  static readonly chargeOnce = statement(
    'sandbox_charge',
    (db, p: Placeholders<{ reference: string; chargeId: string; amount: number; currency: string }>) =>
      db
        .insert(sandboxCharges)
        .values({ reference: p.reference, chargeId: p.chargeId, amount: p.amount, currency: p.currency })
        .onConflictDoUpdate({ target: sandboxCharges.reference, set: { reference: sql`excluded.reference` } })
        .returning(),
  );

  async find(reference: string): Promise<SandboxChargeRow | undefined> {
    const [row] = await this.db.select().from(sandboxCharges).where(eq(sandboxCharges.reference, reference));
    return row;
  }

  async refund(chargeId: string, at: Date): Promise<void> {
    await this.db.update(sandboxCharges).set({ refundedAt: at }).where(eq(sandboxCharges.chargeId, chargeId));
  }
}
