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
import { ShippingAddress } from '../../../database/schema';
import { OrderDto, toOrderResponse } from '../../orders/dto/order.dto';
import type { GuestCheckout, UserCheckout } from '../checkout.service';
import { LOOKUP_PATH, PlacedOrder } from '../payment-settlement.service';

export class CustomerInfoDto {
  @ApiProperty({
    example: 'jane@example.com',
    description: 'guest-pattern addresses (spec 002) are accepted and never mailed',
  })
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Jane', minLength: 1, maxLength: 100 })
  @Trim()
  @IsString()
  @Length(1, 100)
  first_name!: string;

  @ApiProperty({ example: 'Doe', minLength: 1, maxLength: 100 })
  @Trim()
  @IsString()
  @Length(1, 100)
  last_name!: string;

  @ApiPropertyOptional({ example: '+1 555 0100', pattern: '^[+0-9 ()./-]{3,32}$' })
  @IsOptional()
  @Trim()
  @IsString()
  @Matches(/^[+0-9 ()./-]{3,32}$/, { message: 'phone must be 3-32 digits, spaces or + ( ) . / -' })
  phone?: string;
}

export class ShippingAddressDto {
  @ApiProperty({ example: '1 Main Street', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  line1!: string;

  @ApiPropertyOptional({ example: 'Apt 4', maxLength: 200 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200)
  line2?: string;

  @ApiProperty({ example: 'Springfield', minLength: 1, maxLength: 100 })
  @Trim()
  @IsString()
  @Length(1, 100)
  city!: string;

  @ApiPropertyOptional({ example: 'IL', maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  state?: string;

  @ApiProperty({ example: '62701', minLength: 1, maxLength: 20 })
  @Trim()
  @IsString()
  @Length(1, 20)
  postal_code!: string;

  @ApiProperty({
    example: 'US',
    pattern: '^[A-Za-z]{2}$',
    description: 'ISO 3166-1 alpha-2 (case-insensitive, stored upper-case)',
  })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code' })
  country!: string;
}

/** Only a provider token: any raw card field (number, cvc, …) is an unknown field and refused (400). */
export class PaymentInfoDto {
  @ApiProperty({ enum: ['card'] }) @IsIn(['card']) method!: 'card';

  @ApiProperty({
    example: 'tok_visa',
    description: 'sandbox: tok_visa pays, tok_chargeDeclined → 402, tok_unavailable → 503',
    minLength: 1,
    maxLength: 255,
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

class LookupHintDto {
  @ApiProperty({ example: '/api/v1/orders/guest-lookup/' }) path!: string;
  @ApiProperty({ enum: ['POST'], example: 'POST' }) method!: 'POST';
}

export class ConfirmationDetailsDto {
  @ApiProperty({ example: 'GC-7K2M9QX4TB' }) order_number!: string;
  @ApiProperty({ example: 'jane@example.com' }) email!: string;
  @ApiProperty({ description: 'false for guest-pattern addresses, which are never mailed' })
  email_queued!: boolean;
  @ApiProperty({ type: LookupHintDto }) lookup!: LookupHintDto;
}

export class PlacedOrderDto {
  @ApiProperty({ type: OrderDto }) order!: OrderDto;
  @ApiProperty({ type: ConfirmationDetailsDto }) confirmation_details!: ConfirmationDetailsDto;
}

export function toShippingAddress(dto: ShippingAddressDto): ShippingAddress {
  return { ...dto, country: dto.country.toUpperCase() };
}

export function toGuestCheckout(dto: CreateGuestOrderDto): GuestCheckout {
  return {
    sessionId: dto.session_id,
    customer: {
      email: dto.customer_info.email,
      firstName: dto.customer_info.first_name,
      lastName: dto.customer_info.last_name,
      phone: dto.customer_info.phone ?? null,
    },
    shippingAddress: toShippingAddress(dto.shipping_address),
    paymentToken: dto.payment_info.token,
  };
}

export function toUserCheckout(dto: CreateUserOrderDto): UserCheckout {
  return { shippingAddress: toShippingAddress(dto.shipping_address), paymentToken: dto.payment_info.token };
}

export function toPlacedOrderResponse(placed: PlacedOrder): PlacedOrderDto {
  return {
    order: toOrderResponse(placed.order, placed.items),
    confirmation_details: {
      order_number: placed.order.orderNumber,
      email: placed.order.email,
      email_queued: placed.emailQueued,
      lookup: { path: LOOKUP_PATH, method: 'POST' },
    },
  };
}
