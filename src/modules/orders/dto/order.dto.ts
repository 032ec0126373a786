import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsISO31661Alpha2,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { NormalizeEmail, Trim } from '../../../common/util/transform';
import { OrderItemRow, OrderRow, OrderStatusHistoryRow, ShippingAddress } from '../../../database/schema';

export class CustomerInfoDto {
  @ApiProperty({
    example: 'jane@example.com',
    description: 'guest-pattern addresses (spec 002) are accepted and never mailed',
  })
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Jane' }) @Trim() @IsString() @Length(1, 100) first_name!: string;
  @ApiProperty({ example: 'Doe' }) @Trim() @IsString() @Length(1, 100) last_name!: string;

  @ApiPropertyOptional({ example: '+1 555 0100' })
  @IsOptional()
  @Trim()
  @IsString()
  @Matches(/^[+0-9 ()./-]{3,32}$/, { message: 'phone must be 3-32 digits, spaces or + ( ) . / -' })
  phone?: string;
}

export class ShippingAddressDto {
  @ApiProperty({ example: '1 Main Street' }) @Trim() @IsString() @Length(1, 200) line1!: string;
  @ApiPropertyOptional({ example: 'Apt 4' }) @IsOptional() @Trim() @IsString() @MaxLength(200) line2?: string;
  @ApiProperty({ example: 'Springfield' }) @Trim() @IsString() @Length(1, 100) city!: string;
  @ApiPropertyOptional({ example: 'IL' }) @IsOptional() @Trim() @IsString() @MaxLength(100) state?: string;
  @ApiProperty({ example: '62701' }) @Trim() @IsString() @Length(1, 20) postal_code!: string;

  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code' })
  country!: string;
}

/** Only a provider token: any raw card field (number, cvc, …) is an unknown field and refused (400). */
export class PaymentInfoDto {
  @ApiProperty({ enum: ['card'] }) @IsIn(['card']) method!: 'card';

  @ApiProperty({
    example: 'tok_visa',
    description: 'sandbox: tok_visa pays, tok_chargeDeclined → 402, tok_unavailable → 503',
  })
  @IsString()
  @Length(1, 255)
  token!: string;
}

export class CreateUserOrderDto {
  @ApiProperty({ type: ShippingAddressDto })
  // ValidateNested lets undefined, null and arrays through; the service would then throw (500)
  @IsObject({ message: 'shipping_address must be an object' })
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  shipping_address!: ShippingAddressDto;

  @ApiProperty({ type: PaymentInfoDto })
  // ValidateNested lets undefined, null and arrays through; the service would then throw (500)
  @IsObject({ message: 'payment_info must be an object' })
  @ValidateNested()
  @Type(() => PaymentInfoDto)
  payment_info!: PaymentInfoDto;
}

export class CreateGuestOrderDto extends CreateUserOrderDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'session_id must be a UUID' })
  session_id!: string;

  @ApiProperty({ type: CustomerInfoDto })
  // ValidateNested lets undefined, null and arrays through; the service would then throw (500)
  @IsObject({ message: 'customer_info must be an object' })
  @ValidateNested()
  @Type(() => CustomerInfoDto)
  customer_info!: CustomerInfoDto;
}

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
  @ApiProperty({ enum: ['pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled'] })
  status!: string;
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

class LookupHintDto {
  @ApiProperty({ example: '/api/v1/orders/guest-lookup/' }) path!: string;
  @ApiProperty({ example: 'POST' }) method!: string;
}

export class ConfirmationDetailsDto {
  @ApiProperty() order_number!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ description: 'false for guest-pattern addresses, which are never mailed' })
  email_queued!: boolean;
  @ApiProperty({ type: LookupHintDto }) lookup!: LookupHintDto;
}

export class PlacedOrderDto {
  @ApiProperty({ type: OrderDto }) order!: OrderDto;
  @ApiProperty({ type: ConfirmationDetailsDto }) confirmation_details!: ConfirmationDetailsDto;
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
  @ApiProperty({ enum: ['paid', 'processing', 'shipped', 'delivered', 'cancelled'] })
  @IsIn(['paid', 'processing', 'shipped', 'delivered', 'cancelled'])
  status!: 'paid' | 'processing' | 'shipped' | 'delivered' | 'cancelled';

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
