import { Inject, Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import { Db } from '../../../database/db';
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
    // one statement either way: a conflicting reference 'updates' to itself and returns the first charge
    const [charge] = await this.db
      .insert(sandboxCharges)
      .values({ reference, chargeId, amount, currency })
      .onConflictDoUpdate({ target: sandboxCharges.reference, set: { reference: sql`excluded.reference` } })
      .returning();
    return charge;
  }

  async find(reference: string): Promise<SandboxChargeRow | undefined> {
    const [row] = await this.db.select().from(sandboxCharges).where(eq(sandboxCharges.reference, reference));
    return row;
  }

  async refund(chargeId: string, at: Date): Promise<void> {
    await this.db.update(sandboxCharges).set({ refundedAt: at }).where(eq(sandboxCharges.chargeId, chargeId));
  }
}
