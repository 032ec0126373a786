import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { errorSummary } from '../../common/logging/safe-error';
import { AppMetrics } from '../../common/metrics/app-metrics';
import { Clock } from '../../common/util/clock';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { OrderRecords } from '../orders/order-records.service';
import { PaymentSettlement } from './payment-settlement.service';

export const RECONCILE_INTERVAL_MS = 15_000;
const BATCH = 50;

export interface ReconcileResult {
  completed: number;
  released: number;
  /** the provider could not be asked: tried again next run */
  deferred: number;
}

/**
 * Finishes orders left `awaiting_payment` by a crash, a lost connection or a provider timeout (contract
 * §6): once an order is older than any request could still be working on it, ask the provider whether its
 * charge exists and complete or release it. Every instance runs it; completing and releasing move only an
 * order still awaiting payment, so two instances on one order settle it once.
 */
@Injectable()
export class PaymentReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PaymentReconciler.name);
  private readonly graceMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly records: OrderRecords,
    private readonly settlement: PaymentSettlement,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: ResolvedAppConfig,
    private readonly metrics: AppMetrics,
  ) {
    // a request's charge gives up after the payment timeout: twice that, and at least 30 s, is past it
    this.graceMs = Math.max(30_000, 2 * config.paymentTimeoutMs);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // runs queue up behind each other: one run at a time per instance
      this.running = this.running.then(() =>
        this.reconcileDue().catch((error: unknown) =>
          this.logger.warn(`reconciliation run failed (${errorSummary(error)})`),
        ),
      );
    }, RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One run over the orders due; tests call it directly. */
  async reconcileDue(): Promise<ReconcileResult> {
    const result: ReconcileResult = { completed: 0, released: 0, deferred: 0 };
    const due = await this.records.awaitingPaymentSince(
      new Date(this.clock.now().getTime() - this.graceMs),
      BATCH,
    );
    for (const order of due) {
      if (this.stopped) break;
      let charge;
      try {
        charge = await this.settlement.provider.findCharge(order.id);
      } catch (error) {
        result.deferred++;
        this.logger.warn(`provider not asked about order ${order.id} (${errorSummary(error)}); next run`);
        continue;
      }
      const taken = await this.records.withItems(order);
      if (charge === undefined) {
        if (await this.settlement.release(taken, 'no_charge')) result.released++;
      } else if ((await this.settlement.complete(taken, charge.chargeId)) !== undefined) {
        result.completed++;
      }
    }
    if (result.completed + result.released > 0) {
      this.metrics.checkoutOutcome('reconciled', result.completed + result.released);
      this.logger.log(`reconciled orders: ${result.completed} paid, ${result.released} released`);
    }
    return result;
  }
}
