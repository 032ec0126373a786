import { Transactional } from '@nestjs-cls/transactional';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { errorSummary } from '../../common/logging/safe-error';
import { AppMetrics } from '../../common/metrics/app-metrics';
import { Clock } from '../../common/util/clock';
import { isGuestEmail } from '../../common/util/guest-email';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { OrderItemRow, OrderRow } from '../../database/schema';
import { CartService } from '../cart/cart.service';
import { CatalogService } from '../catalog/catalog.service';
import { MailService } from '../mail/mail.service';
import { ConfirmationContext } from '../mail/mail-content';
import { MailRequest } from '../mail/mail.types';
import { OrderRecords, OrderWithItems } from '../orders/order-records.service';
import { ChargeResult, PAYMENT_PROVIDER, PaymentProvider } from './payment/payment-provider';

export const LOOKUP_PATH = '/api/v1/orders/guest-lookup/';

export interface PlacedOrder extends OrderWithItems {
  emailQueued: boolean;
}

/** Why an order ended `payment_failed` (kept on the order for audit). */
export type PaymentFailure = 'declined' | 'provider_unavailable' | 'no_charge';

/**
 * Steps 2 and 3 of an order (contract §6): the charge, outside any transaction and with a timeout, then
 * one transaction that either completes the order (`paid`, history, confirmation mail, empty cart) or
 * releases it (`payment_failed`, stock back). Completing and releasing move only an order still
 * `awaiting_payment`, so a request, a retry and the reconciler can race on one order and one of them wins.
 */
@Injectable()
export class PaymentSettlement {
  private readonly logger = new Logger(PaymentSettlement.name);

  constructor(
    private readonly records: OrderRecords,
    private readonly catalog: CatalogService,
    private readonly carts: CartService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @Inject(PAYMENT_PROVIDER) readonly provider: PaymentProvider,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    private readonly metrics: AppMetrics,
  ) {}

  /** Charges an order awaiting payment and settles it; throws the contract's error when it is not paid. */
  async pay(taken: OrderWithItems, token: string): Promise<PlacedOrder> {
    const result = await this.charge(taken.order, token);
    if (result === undefined) {
      // no definite answer: the order stays awaiting payment for a retry with its key or the reconciler
      throw this.unavailable();
    }
    switch (result.outcome) {
      case 'paid': {
        const placed = await this.completeOrRefund(taken, result.chargeId);
        this.metrics.checkoutOutcome('paid');
        return placed;
      }
      case 'declined':
        await this.release(taken, 'declined');
        this.metrics.checkoutOutcome('declined');
        throw new AppError('PAYMENT_DECLINED', `Payment declined: ${result.reason}`);
      case 'unavailable':
        await this.release(taken, 'provider_unavailable');
        throw this.unavailable();
    }
  }

  /** A checkout's step 1 refused for stock is one of the outcomes monitoring counts (contract §12). */
  countRefusal(error: unknown): never {
    if (error instanceof AppError && error.code === 'INSUFFICIENT_STOCK') {
      this.metrics.checkoutOutcome('insufficient_stock');
    }
    throw error;
  }

  /**
   * Step 3, paid: undefined when the order had already left `awaiting_payment`. One statement, atomic
   * on its own: the order moves to `paid` with its history entry and, only if it moved, the cart's lines
   * go and the confirmation mail is queued (database/dependent-write.ts). The cart is locked first, as
   * step 1 locks it before the order: a step 1 of the same cart in progress finishes first (and is
   * refused by this order's pending_cart_id), and none can read the lines while they are being ordered.
   */
  async complete(taken: OrderWithItems, chargeId: string): Promise<PlacedOrder | undefined> {
    const cartId = taken.order.pendingCartId;
    const mail = this.mail.queueWhen(confirmation(taken.order, taken.items));
    const order = await this.records.markPaid(
      taken.order,
      { provider: this.provider.name, chargeId },
      this.clock.now(),
      {
        lockFirst: cartId === null ? [] : [this.carts.lockFirst(cartId)],
        whenSettled: [
          ...(cartId === null ? [] : this.carts.emptyWhen(cartId)),
          ...(mail === undefined ? [] : [mail]),
        ],
      },
    );
    if (order === undefined) return undefined;
    if (mail !== undefined) this.mail.queued();
    return { order, items: taken.items, emailQueued: mail !== undefined };
  }

  /** Step 3, not paid: the stock goes back and the order is kept as `payment_failed`. */
  @Transactional()
  async release(taken: OrderWithItems, reason: PaymentFailure): Promise<boolean> {
    await this.lockCart(taken);
    if (!(await this.records.markPaymentFailed(taken.order.id, reason, this.clock.now()))) return false;
    await this.catalog.restock(taken.items);
    return true;
  }

  /**
   * Step 1 locks cart → products → order; settling locks the cart first too, so that a settle and a
   * concurrent step 1 of the same cart (which waits on this order's pending_cart_id) cannot deadlock.
   */
  private async lockCart(taken: OrderWithItems): Promise<void> {
    if (taken.order.pendingCartId !== null) await this.carts.lockById(taken.order.pendingCartId);
  }

  /** The confirmation mail of a placed order, in the caller's transaction (contract §11). */
  queueConfirmation(order: OrderRow, items: readonly OrderItemRow[]): Promise<boolean> {
    return this.mail.queue(confirmation(order, items));
  }

  /** Step 2: the provider's definite answer, or undefined when there is none (timeout, lost call). */
  private async charge(order: OrderRow, token: string): Promise<ChargeResult | undefined> {
    // a plain timer, cleared: an AbortController's abort() builds a DOMException per order (2 % of the CPU)
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, this.config.paymentTimeoutMs, undefined);
    });
    try {
      return await Promise.race([
        this.provider.charge({ amount: order.total, currency: order.currency, token, reference: order.id }),
        timedOut,
      ]);
    } catch (error) {
      this.logger.warn(`charge of order ${order.id} has no answer (${errorSummary(error)})`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The charge exists: complete the order. If someone else settled it meanwhile, answer with what they
   * did; if it was released (the reconciler found no charge before this one landed), give the money back.
   */
  private async completeOrRefund(taken: OrderWithItems, chargeId: string): Promise<PlacedOrder> {
    const placed = await this.complete(taken, chargeId);
    if (placed !== undefined) return placed;
    const current = await this.records.findAnyById(taken.order.id);
    if (current?.status === 'paid')
      return { order: current, items: taken.items, emailQueued: mailed(current) };
    await this.provider.refund(chargeId).catch((error: unknown) => {
      this.logger.error(
        `refund of charge ${chargeId} for order ${taken.order.id} failed (${errorSummary(error)})`,
      );
    });
    throw this.unavailable();
  }

  /** The 503 of a payment without a definite outcome, counted (contract §12). */
  private unavailable(): AppError {
    this.metrics.checkoutOutcome('provider_unavailable');
    return providerUnavailable();
  }
}

/**
 * An order's confirmation mail (contract §11): amounts in minor units with their currency; the mail
 * formats them in MAIL_LOCALE and links to the storefront's lookup page when it is rendered.
 */
function confirmation(order: OrderRow, items: readonly OrderItemRow[]): MailRequest {
  return {
    to: order.email,
    template: 'order-confirmation',
    context: {
      firstName: order.firstName,
      orderNumber: order.orderNumber,
      currency: order.currency,
      items: items.map((item) => ({
        sku: item.sku,
        name: item.name,
        quantity: item.quantity,
        unitPrice: item.unitPrice,
        lineTotal: item.lineTotal,
      })),
      subtotal: order.subtotal,
      total: order.total,
    } satisfies ConfirmationContext,
  };
}

/** Whether a placed order's confirmation went to the outbox (guest-pattern addresses are never mailed). */
export function mailed(order: OrderRow): boolean {
  return !isGuestEmail(order.email);
}

function providerUnavailable(): AppError {
  return new AppError(
    'PAYMENT_PROVIDER_UNAVAILABLE',
    'The payment could not be completed; retry with the same Idempotency-Key to finish this order',
  );
}
