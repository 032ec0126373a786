import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { NormalizeEmail, Trim } from '../../../common/util/transform';
import {
  OrderItemRow,
  OrderRow,
  OrderStatus,
  OrderStatusHistoryRow,
  ShippingAddress,
} from '../../../database/schema';
import { ORDER_STATUSES, SETTABLE_STATUSES, SettableStatus, STATUS_DESCRIPTION } from '../order-status';
import { CURRENCY, LINE_MONEY, MONEY, QUANTITY, TOTAL_MONEY } from '../../../common/swagger/bounds';

export class OrderItemDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty({ example: 'TSHIRT-BLK-M' }) sku!: string;
  @ApiProperty({ example: 'Black T-shirt, M' }) name!: string;
  @ApiProperty(QUANTITY) quantity!: number;
  @ApiProperty({ ...MONEY, description: 'price paid per unit, minor units' }) unit_price!: number;
  @ApiProperty({ ...LINE_MONEY, description: 'unit_price × quantity, minor units' }) line_total!: number;
}

export class OrderCustomerDto {
  @ApiProperty({ example: 'Jane' }) first_name!: string;
  @ApiProperty({ example: 'Doe' }) last_name!: string;
  @ApiProperty({ nullable: true, type: String, example: '+1 555 0100' }) phone!: string | null;
}

/** The address an order ships to; spec-002 orders carry the shop's city/neighbourhood ids instead. */
export class OrderAddressDto {
  @ApiProperty({ example: '1 Main Street' }) line1!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Apt 4' }) line2!: string | null;
  @ApiProperty({ example: 'Springfield', description: 'spec-002 orders: the shop’s city id' }) city!: string;
  @ApiProperty({ nullable: true, type: String, example: 'IL' }) state!: string | null;
  @ApiProperty({ example: '62701', description: 'empty for spec-002 orders' }) postal_code!: string;
  @ApiProperty({
    example: 'US',
    pattern: '^([A-Z]{2})?$',
    description: 'ISO 3166-1 alpha-2; empty for spec-002 orders',
  })
  country!: string;
  @ApiProperty({ nullable: true, type: String, description: 'spec-002 orders: the shop’s city id' })
  city_id!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'spec-002 orders: the shop’s neighbourhood id' })
  neighborhood_id!: string | null;
}

function toAddressResponse(address: ShippingAddress): OrderAddressDto {
  return {
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    state: address.state ?? null,
    postal_code: address.postal_code,
    country: address.country,
    city_id: address.city_id ?? null,
    neighborhood_id: address.neighborhood_id ?? null,
  };
}

export class OrderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'GC-7K2M9QX4TB' }) order_number!: string;
  @ApiProperty({ enum: ORDER_STATUSES, description: STATUS_DESCRIPTION })
  status!: OrderStatus;
  @ApiProperty({ example: 'jane@example.com' }) email!: string;
  @ApiProperty({ type: OrderCustomerDto }) customer!: OrderCustomerDto;
  @ApiProperty({ type: OrderAddressDto }) shipping_address!: OrderAddressDto;
  @ApiProperty({ type: [OrderItemDto] }) items!: OrderItemDto[];
  @ApiProperty({ ...TOTAL_MONEY, description: 'sum of line_total, minor units' }) subtotal!: number;
  @ApiProperty({ ...TOTAL_MONEY, description: 'subtotal; no shipping or tax is charged by this service' })
  total!: number;
  @ApiProperty(CURRENCY) currency!: string;
  @ApiProperty() is_guest!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

/** What an order's answer shows of its row (contract §6, §7): the lookup reads only these columns. */
export type OrderView = Pick<
  OrderRow,
  | 'id'
  | 'orderNumber'
  | 'status'
  | 'email'
  | 'firstName'
  | 'lastName'
  | 'phone'
  | 'shippingAddress'
  | 'subtotal'
  | 'total'
  | 'currency'
  | 'isGuest'
  | 'createdAt'
  | 'carrier'
  | 'trackingNumber'
>;

/** What an order's answer shows of a line. */
export type OrderLineView = Pick<
  OrderItemRow,
  'productId' | 'sku' | 'name' | 'quantity' | 'unitPrice' | 'lineTotal'
>;

export function toOrderResponse(order: OrderView, items: readonly OrderLineView[]): OrderDto {
  return {
    id: order.id,
    order_number: order.orderNumber,
    status: order.status,
    email: order.email,
    customer: { first_name: order.firstName, last_name: order.lastName, phone: order.phone },
    shipping_address: toAddressResponse(order.shippingAddress),
    items: items.map((item) => ({
      product_id: item.productId,
      sku: item.sku,
      name: item.name,
      quantity: item.quantity,
      unit_price: item.unitPrice,
      line_total: item.lineTotal,
    })),
    subtotal: order.subtotal,
    total: order.total,
    currency: order.currency,
    is_guest: order.isGuest,
    created_at: order.createdAt.toISOString(),
  };
}

export class OrderEnvelopeDto {
  @ApiProperty({ type: OrderDto }) order!: OrderDto;
}

export class OrderListDto {
  @ApiProperty({ type: [OrderDto], description: 'newest first, at most 100' }) orders!: OrderDto[];
}

export class GuestLookupDto {
  @ApiProperty({ example: 'jane@example.com' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'GC-7K2M9QX4TB', minLength: 1, maxLength: 32 })
  @IsString()
  @Length(1, 32)
  order_number!: string;
}

class StatusHistoryEntryDto {
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class TrackingInfoDto {
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty({ type: [StatusHistoryEntryDto] }) status_history!: StatusHistoryEntryDto[];
  @ApiProperty({ nullable: true, type: String, example: 'UPS' }) carrier!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '1Z999AA10123456784' })
  tracking_number!: string | null;
}

export function toTrackingInfo(
  order: Pick<OrderRow, 'status' | 'carrier' | 'trackingNumber'>,
  history: readonly Pick<OrderStatusHistoryRow, 'status' | 'at'>[],
): TrackingInfoDto {
  return {
    status: order.status,
    status_history: history.map((entry) => ({ status: entry.status, at: entry.at.toISOString() })),
    carrier: order.carrier,
    tracking_number: order.trackingNumber,
  };
}

export class GuestLookupResultDto {
  @ApiProperty({ type: OrderDto }) order!: OrderDto;
  @ApiProperty({ type: TrackingInfoDto }) tracking_info!: TrackingInfoDto;
}

export class UpdateOrderStatusDto {
  @ApiProperty({ enum: SETTABLE_STATUSES })
  @IsIn(SETTABLE_STATUSES)
  status!: SettableStatus;

  @ApiPropertyOptional({ example: 'UPS', minLength: 1, maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  carrier?: string;
  @ApiPropertyOptional({ example: '1Z999AA10123456784', minLength: 1, maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  tracking_number?: string;
}

/** An order in a conversion or verification answer (contract §8 "order summary"). */
export class OrderSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'GC-7K2M9QX4TB' }) order_number!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty(TOTAL_MONEY) total!: number;
  @ApiProperty(CURRENCY) currency!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export function toOrderSummary(order: OrderRow): OrderSummaryDto {
  return {
    id: order.id,
    order_number: order.orderNumber,
    status: order.status,
    total: order.total,
    currency: order.currency,
    created_at: order.createdAt.toISOString(),
  };
}
