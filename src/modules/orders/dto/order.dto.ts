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

export class OrderItemDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty() sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ description: 'price paid per unit, minor units' }) unit_price!: number;
  @ApiProperty() line_total!: number;
}

export class OrderCustomerDto {
  @ApiProperty() first_name!: string;
  @ApiProperty() last_name!: string;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
}

export class OrderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'GC-7K2M9QX4TB' }) order_number!: string;
  @ApiProperty({ enum: ORDER_STATUSES, description: STATUS_DESCRIPTION })
  status!: OrderStatus;
  @ApiProperty() email!: string;
  @ApiProperty({ type: OrderCustomerDto }) customer!: OrderCustomerDto;
  @ApiProperty({ type: 'object', additionalProperties: true }) shipping_address!: ShippingAddress;
  @ApiProperty({ type: [OrderItemDto] }) items!: OrderItemDto[];
  @ApiProperty() subtotal!: number;
  @ApiProperty({ description: 'subtotal; no shipping or tax is charged by this service' }) total!: number;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty() is_guest!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export function toOrderResponse(order: OrderRow, items: readonly OrderItemRow[]): OrderDto {
  return {
    id: order.id,
    order_number: order.orderNumber,
    status: order.status,
    email: order.email,
    customer: { first_name: order.firstName, last_name: order.lastName, phone: order.phone },
    shipping_address: order.shippingAddress,
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

  @ApiProperty({ example: 'GC-7K2M9QX4TB' })
  @IsString()
  @Length(1, 32)
  order_number!: string;
}

class StatusHistoryEntryDto {
  @ApiProperty() status!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class TrackingInfoDto {
  @ApiProperty() status!: string;
  @ApiProperty({ type: [StatusHistoryEntryDto] }) status_history!: StatusHistoryEntryDto[];
  @ApiProperty({ nullable: true, type: String }) carrier!: string | null;
  @ApiProperty({ nullable: true, type: String }) tracking_number!: string | null;
}

export function toTrackingInfo(order: OrderRow, history: readonly OrderStatusHistoryRow[]): TrackingInfoDto {
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

  @ApiPropertyOptional({ example: 'UPS' }) @IsOptional() @Trim() @IsString() @Length(1, 100) carrier?: string;
  @ApiPropertyOptional({ example: '1Z999AA10123456784' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100)
  tracking_number?: string;
}

/** An order in a conversion or verification answer (contract §8 "order summary"). */
export class OrderSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() order_number!: string;
  @ApiProperty() status!: string;
  @ApiProperty() total!: number;
  @ApiProperty() currency!: string;
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
