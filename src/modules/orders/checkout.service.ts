import { Transactional } from '@nestjs-cls/transactional';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { Clock } from '../../common/util/clock';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { OrderItemRow, OrderRow, ShippingAddress } from '../../database/schema';
import { CartLine } from '../cart/cart-rules';
import { CartService } from '../cart/cart.service';
import { CatalogService } from '../catalog/catalog.service';
import { MailService } from '../mail/mail.service';
import { newOrderNumber } from './order-number';
import { OrdersRepository } from './orders.repository';
import { PAYMENT_PROVIDER, PaymentProvider } from './payment/payment-provider';

export const LOOKUP_PATH = '/api/v1/orders/guest-lookup/';

export interface CheckoutInput {
  lines: readonly CartLine[];
  /** spec 002: the price the client saw; must equal the catalog's (the client's price is never used) */
  expectedPrices?: ReadonlyMap<string, number>;
  customer: { email: string; firstName: string; lastName: string; phone: string | null };
  shippingAddress: ShippingAddress;
  userId: string | null;
  isGuest: boolean;
  guestSessionId: string | null;
  /** the cart emptied by the order */
  cartId: string | null;
  /** null: no payment step, the order starts `pending` (spec 002) */
  paymentToken: string | null;
  /**
   * receives the charge reference, so refundingOnFailure() can give the money back if anything fails,
   * the commit included; null only for a checkout without a payment step (paymentToken null)
   */
  charges: string[] | null;
  notes: string | null;
}

export interface PlacedOrder {
  order: OrderRow;
  items: OrderItemRow[];
  emailQueued: boolean;
}

const MAX_NUMBER_ATTEMPTS = 5;

/**
 * The one checkout used by every entry point (guest, user, spec 002). In one transaction: price from the
 * catalog, take stock with conditional updates, charge, write order + lines + status history + the
 * confirmation mail (outbox), empty the cart. Any failure rolls all of it back (contract §6).
 */
@Injectable()
export class CheckoutService {
  private readonly logger = new Logger(CheckoutService.name);

  constructor(
    private readonly catalog: CatalogService,
    private readonly carts: CartService,
    private readonly orders: OrdersRepository,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @Inject(PAYMENT_PROVIDER) private readonly payments: PaymentProvider,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {}

  /**
   * Runs a checkout (its transaction inside `run`) and refunds every charge made in it when anything
   * fails, the commit included: a customer is never charged for an order that does not exist.
   */
  async refundingOnFailure<T>(run: (charges: string[]) => Promise<T>): Promise<T> {
    const charges: string[] = [];
    try {
      return await run(charges);
    } catch (error) {
      for (const reference of charges) {
        await this.payments.refund(reference).catch((refundError: unknown) => {
          this.logger.error(
            `refund of ${reference} failed, needs a manual refund: ${(refundError as Error).message}`,
          );
        });
      }
      throw error;
    }
  }

  @Transactional()
  async placeOrder(input: CheckoutInput): Promise<PlacedOrder> {
    if (input.paymentToken !== null && input.charges === null)
      throw new Error('a paid checkout must run inside refundingOnFailure()');
    if (input.lines.length === 0)
      throw new AppError('CART_EMPTY', 'There is nothing to order: the cart is empty');

    const reservation = await this.catalog.reserveStock(input.lines);
    if (reservation.unavailable.length > 0) {
      throw new AppError(
        'PRODUCT_UNAVAILABLE',
        'Some products are unknown or no longer sold',
        reservation.unavailable.map((product_id) => ({ product_id })),
      );
    }
    if (reservation.short.length > 0)
      throw new AppError('INSUFFICIENT_STOCK', 'Not enough stock for some products', reservation.short);
    this.checkPrices(input, reservation.reserved);

    const priced = input.lines.map((line, position) => {
      const product = reservation.reserved.get(line.productId)!;
      return { line, product, position, lineTotal: product.unitPrice * line.quantity };
    });
    const subtotal = priced.reduce((sum, p) => sum + p.lineTotal, 0);
    const orderNumber = newOrderNumber();
    const charge = await this.charge(input.paymentToken, subtotal, orderNumber);

    if (charge !== undefined) input.charges?.push(charge);
    const now = this.clock.now();
    const order = await this.insertOrder(input, {
      orderNumber,
      subtotal,
      now,
      status: charge === undefined ? 'pending' : 'paid',
      paymentReference: charge ?? null,
    });
    const items = priced.map((p) => ({
      orderId: order.id,
      productId: p.product.id,
      sku: p.product.sku,
      name: p.product.name,
      unitPrice: p.product.unitPrice,
      quantity: p.line.quantity,
      lineTotal: p.lineTotal,
      position: p.position,
    }));
    await this.orders.insertItems(items);
    await this.orders.insertHistory(order.id, order.status, now);
    if (input.cartId !== null) await this.carts.writePlannedLines(input.cartId, []);
    const emailQueued = await this.queueConfirmation(order, items);
    return { order, items, emailQueued };
  }

  /** spec 002: a client's price that is not the catalog's is refused, never used (contract §9). */
  private checkPrices(input: CheckoutInput, products: ReadonlyMap<string, { unitPrice: number }>): void {
    if (input.expectedPrices === undefined) return;
    const mismatches = input.lines.flatMap((line) => {
      const given = input.expectedPrices?.get(line.productId);
      const current = products.get(line.productId)?.unitPrice;
      return given === current
        ? []
        : [{ product_id: line.productId, given_unit_price: given, unit_price: current }];
    });
    if (mismatches.length > 0)
      throw new AppError(
        'PRICE_MISMATCH',
        'Prices have changed; reload the products and try again',
        mismatches,
      );
  }

  /** The provider's charge reference, or undefined when the order has no payment step. */
  private async charge(
    token: string | null,
    amount: number,
    orderNumber: string,
  ): Promise<string | undefined> {
    if (token === null) return undefined;
    const result = await this.payments.charge({
      amount,
      currency: this.config.currency,
      token,
      reference: orderNumber,
    });
    switch (result.outcome) {
      case 'paid':
        return result.reference;
      case 'declined':
        throw new AppError('PAYMENT_DECLINED', `Payment declined: ${result.reason}`);
      case 'unavailable':
        throw new AppError(
          'PAYMENT_PROVIDER_UNAVAILABLE',
          'The payment provider is unavailable; nothing was charged, please retry',
          undefined,
          {
            'retry-after': '5',
          },
        );
    }
  }

  private async insertOrder(
    input: CheckoutInput,
    values: {
      orderNumber: string;
      subtotal: number;
      now: Date;
      status: 'pending' | 'paid';
      paymentReference: string | null;
    },
  ): Promise<OrderRow> {
    let orderNumber = values.orderNumber;
    for (let attempt = 0; attempt < MAX_NUMBER_ATTEMPTS; attempt++) {
      const order = await this.orders.insertIfNumberFree({
        orderNumber,
        status: values.status,
        email: input.customer.email,
        firstName: input.customer.firstName,
        lastName: input.customer.lastName,
        phone: input.customer.phone,
        shippingAddress: input.shippingAddress,
        isGuest: input.isGuest,
        userId: input.userId,
        guestSessionId: input.guestSessionId,
        subtotal: values.subtotal,
        total: values.subtotal,
        currency: this.config.currency,
        paymentProvider: values.paymentReference === null ? null : this.payments.name,
        paymentReference: values.paymentReference,
        notes: input.notes,
        createdAt: values.now,
        updatedAt: values.now,
      });
      if (order !== undefined) return order;
      this.logger.warn('order number collision; drawing another');
      orderNumber = newOrderNumber();
    }
    throw new Error('could not draw a free order number');
  }

  private queueConfirmation(
    order: OrderRow,
    items: readonly { sku: string; name: string; quantity: number; unitPrice: number; lineTotal: number }[],
  ): Promise<boolean> {
    const money = (cents: number) => `${(cents / 100).toFixed(2)} ${order.currency}`;
    return this.mail.queue({
      to: order.email,
      subject: `Your order ${order.orderNumber}`,
      template: 'order-confirmation',
      context: {
        firstName: order.firstName,
        orderNumber: order.orderNumber,
        items: items.map((item) => ({
          sku: item.sku,
          name: item.name,
          quantity: item.quantity,
          unitPrice: money(item.unitPrice),
          lineTotal: money(item.lineTotal),
        })),
        subtotal: money(order.subtotal),
        total: money(order.total),
        lookupPath: LOOKUP_PATH,
      },
    });
  }
}
