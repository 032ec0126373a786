import { Transactional } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../common/errors/app-error';
import { Clock } from '../../common/util/clock';
import { normalizeEmail } from '../../common/util/guest-email';
import { OrderRow } from '../../database/schema';
import { CatalogService } from '../catalog/catalog.service';
import {
  GuestLookupResultDto,
  OrderDto,
  OrderSummaryDto,
  toOrderResponse,
  toOrderSummary,
  toTrackingInfo,
  UpdateOrderStatusDto,
} from './dto/order.dto';
import { normalizeOrderNumber } from './order-number';
import { canTransition, restocksOn } from './order-status';
import { GuestOrdersRepository } from './guest-orders.repository';
import { OrdersRepository } from './orders.repository';

const USER_ORDER_LIMIT = 100;
/** Compared against when no order has the number, so a miss costs what a wrong email costs. */
const NO_ORDER_EMAIL = 'no-order@invalid.invalid';

@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly guestOrders: GuestOrdersRepository,
    private readonly catalog: CatalogService,
    private readonly clock: Clock,
  ) {}

  async listForUser(userId: string): Promise<OrderDto[]> {
    const rows = await this.orders.findForUser(userId, USER_ORDER_LIMIT);
    return this.withItems(rows);
  }

  /** The user's own order; anyone else's answers like a missing one. */
  async getForUser(userId: string, orderNumber: string): Promise<OrderDto> {
    const order = await this.orders.findByNumber(normalizeOrderNumber(orderNumber));
    if (order === undefined || order.userId !== userId) throw orderNotFound();
    return (await this.withItems([order]))[0];
  }

  /**
   * contract §7: email + order number, or 404 with one body for every mismatch. The same work is done
   * either way: one indexed query (the order with its lines and history), then a constant-time
   * comparison of email digests.
   */
  async lookup(email: string, orderNumber: string): Promise<GuestLookupResultDto> {
    const found = await this.orders.findByNumberWithDetails(normalizeOrderNumber(orderNumber));
    const matches = sameEmail(found?.order.email ?? NO_ORDER_EMAIL, normalizeEmail(email));
    if (found === undefined || !matches) throw orderNotFound();
    return {
      order: toOrderResponse(found.order, found.items),
      tracking_info: toTrackingInfo(found.order, found.history),
    };
  }

  /** Admin status change (contract §6): only allowed transitions; cancelling puts the units back. */
  @Transactional()
  async changeStatus(orderId: string, dto: UpdateOrderStatusDto): Promise<OrderDto> {
    const order = await this.orders.lock(orderId);
    if (order === undefined) throw orderNotFound();
    if (!canTransition(order.status, dto.status)) {
      throw new AppError(
        'INVALID_STATUS_TRANSITION',
        `An order cannot go from ${order.status} to ${dto.status}`,
        [{ from: order.status, to: dto.status }],
      );
    }
    const items = await this.orders.itemsOf([order.id]);
    if (restocksOn(dto.status)) await this.catalog.restock(items);
    const now = this.clock.now();
    const updated = await this.orders.updateStatus(order.id, order.status, dto.status, now, {
      carrier: dto.carrier,
      trackingNumber: dto.tracking_number,
    });
    if (updated === undefined)
      throw new AppError('INVALID_STATUS_TRANSITION', 'The order changed meanwhile; retry');
    await this.orders.insertHistory(order.id, dto.status, now);
    return toOrderResponse(updated, items);
  }

  /**
   * The guest order a conversion names, by id or order number (contract §8): it must be an unlinked
   * guest order with this email, else the same 404 as a missing one.
   */
  async claimableGuestOrder(idOrNumber: string, email: string): Promise<OrderRow> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrNumber);
    const order = isUuid
      ? await this.orders.findById(idOrNumber)
      : await this.orders.findByNumber(normalizeOrderNumber(idOrNumber));
    const matches = sameEmail(order?.email ?? NO_ORDER_EMAIL, normalizeEmail(email));
    if (order === undefined || !matches || !order.isGuest || order.userId !== null) throw orderNotFound();
    return order;
  }

  /** Links guest orders of `email` to the user (see GuestOrdersRepository.linkGuestOrders). */
  async linkGuestOrders(
    userId: string,
    email: string,
    which: { orderIds?: readonly string[]; sessionId?: string | null; all?: boolean },
  ): Promise<OrderSummaryDto[]> {
    const linked = await this.guestOrders.linkGuestOrders(userId, normalizeEmail(email), which);
    return linked.map(toOrderSummary);
  }

  countUnlinkedGuestOrders(email: string): Promise<number> {
    return this.guestOrders.countUnlinkedGuestOrders(normalizeEmail(email));
  }

  newestGuestOrder(email: string): Promise<OrderRow | undefined> {
    return this.guestOrders.newestGuestOrderByEmail(normalizeEmail(email));
  }

  private async withItems(rows: OrderRow[]): Promise<OrderDto[]> {
    const items = await this.orders.itemsOf(rows.map((row) => row.id));
    return rows.map((row) =>
      toOrderResponse(
        row,
        items.filter((item) => item.orderId === row.id),
      ),
    );
  }

  /** Monitoring (contract §12): orders placed as a guest, linked ones included; checkout's own states never count. */
  countGuestOrders(): Promise<number> {
    return this.guestOrders.countGuestOrders();
  }
}

export function orderNotFound(): AppError {
  return new AppError('ORDER_NOT_FOUND', 'No order matches these details');
}

function sameEmail(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
