import type { PlacedOrder } from '../../checkout/payment-settlement.service';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { LowerCaseId, NormalizeEmail, Trim } from '../../../common/util/transform';
import { LINE_MONEY, MONEY, QUANTITY, TOTAL_MONEY } from '../../../common/swagger/bounds';
import { COMPAT_ORDER_STATUSES, CompatOrderStatus, toCompatStatus } from '../../orders/order-status';

/** spec 002 bodies are camelCase (contract §1). Ids are this service's UUIDs, not MongoDB ids. */
export class CompatCustomerDataDto {
  @ApiProperty({ example: 'Invitado', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'guest_1752580352601_56436599_922668294_umy4h586z7_qwe@checkout.guest' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'customerData.email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: '+123456789', minLength: 3, maxLength: 32 })
  @Trim()
  @IsString()
  @Length(3, 32)
  phone!: string;
  @ApiProperty({ example: 'Calle 123', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  address!: string;
  @ApiProperty({
    description: 'the shop’s neighbourhood id (opaque to this service)',
    example: 'nb-12',
    minLength: 1,
    maxLength: 64,
  })
  @IsString()
  @Length(1, 64)
  neighborhoodId!: string;
}

export class CompatShippingAddressDto {
  @ApiProperty({ example: 'Calle 123', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  street!: string;
  @ApiProperty({
    description: 'the shop’s city id (opaque to this service)',
    example: 'city-3',
    minLength: 1,
    maxLength: 64,
  })
  @IsString()
  @Length(1, 64)
  cityId!: string;
  @ApiProperty({
    description: 'the shop’s neighbourhood id (opaque to this service)',
    example: 'nb-12',
    minLength: 1,
    maxLength: 64,
  })
  @IsString()
  @Length(1, 64)
  neighborhoodId!: string;
}

export class CompatItemDto {
  /** UUIDs are case-insensitive: lower-cased so that prices, stock and duplicates match the catalog's ids. */
  @ApiProperty({ format: 'uuid' })
  @LowerCaseId()
  @IsUUID('all', { message: 'productId must be a UUID' })
  productId!: string;
  @ApiProperty({
    ...QUANTITY,
    description: 'above MAX_LINE_QUANTITY → 422 CART_LIMIT_EXCEEDED',
  })
  @IsInt()
  @Min(1)
  quantity!: number;
  @ApiProperty({
    ...MONEY,
    description: 'the price the client showed, minor units; must equal the current price',
  })
  @IsInt()
  @Min(0)
  unitPrice!: number;
}

export class CompatCreateOrderDto {
  @ApiProperty({ type: CompatCustomerDataDto })
  // ValidateNested lets undefined, null and arrays through; the service would then throw (500)
  @IsObject({ message: 'customerData must be an object' })
  @ValidateNested()
  @Type(() => CompatCustomerDataDto)
  customerData!: CompatCustomerDataDto;

  @ApiProperty({ type: CompatShippingAddressDto })
  // ValidateNested lets undefined, null and arrays through; the service would then throw (500)
  @IsObject({ message: 'shippingAddress must be an object' })
  @ValidateNested()
  @Type(() => CompatShippingAddressDto)
  shippingAddress!: CompatShippingAddressDto;

  @ApiProperty({ type: [CompatItemDto], minItems: 1 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique((item: CompatItemDto | undefined) => item?.productId, {
    message: 'items must not repeat a productId',
  })
  @IsObject({ each: true, message: 'each item must be an object' })
  @ValidateNested({ each: true })
  @Type(() => CompatItemDto)
  items!: CompatItemDto[];

  @ApiPropertyOptional({ example: 'Leave at the door', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  notes?: string;
}

export class CompatOrderItemDto {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty({ example: 'TSHIRT-BLK-M' }) sku!: string;
  @ApiProperty({ example: 'Black T-shirt, M' }) name!: string;
  @ApiProperty(QUANTITY) quantity!: number;
  @ApiProperty({ ...MONEY, description: 'minor units' }) unitPrice!: number;
  @ApiProperty({ ...LINE_MONEY, description: 'unitPrice × quantity, minor units' }) lineTotal!: number;
}

export class CompatCustomerDto {
  @ApiProperty({ example: 'Invitado' }) name!: string;
  @ApiProperty({ example: 'guest_1752580352601@checkout.guest' }) email!: string;
  @ApiProperty({ example: '+123456789' }) phone!: string;
  @ApiProperty({ example: 'Calle 123' }) address!: string;
  @ApiProperty({ example: 'nb-12' }) neighborhoodId!: string;
}

export class CompatOrderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'GC-7K2M9QX4TB' }) orderNumber!: string;
  @ApiProperty({ type: CompatCustomerDto }) customer!: CompatCustomerDto;
  @ApiProperty({ type: [CompatOrderItemDto] }) items!: CompatOrderItemDto[];
  @ApiProperty({
    enum: COMPAT_ORDER_STATUSES,
    example: 'PENDING',
    description: 'the order status in upper case; a new spec-002 order is PENDING',
  })
  status!: CompatOrderStatus;
  @ApiProperty({ ...TOTAL_MONEY, description: 'minor units' }) total!: number;
  @ApiProperty({ nullable: true, type: String, example: 'Leave at the door' }) notes!: string | null;
}

export class CompatOrderResponseDto {
  @ApiProperty({ enum: [true], example: true }) success!: true;
  @ApiProperty({ enum: ['Order created successfully'], example: 'Order created successfully' })
  message!: string;
  @ApiProperty({ type: CompatOrderDto }) data!: CompatOrderDto;
}

export const COMPAT_SUCCESS_MESSAGE = 'Order created successfully';

/** The spec-002 answer: the customer as sent, the lines and total as the catalog priced them. */
export function toCompatOrder(dto: CompatCreateOrderDto, placed: PlacedOrder): CompatOrderDto {
  return {
    id: placed.order.id,
    orderNumber: placed.order.orderNumber,
    customer: { ...dto.customerData },
    items: placed.items.map((item) => ({
      productId: item.productId,
      sku: item.sku,
      name: item.name,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      lineTotal: item.lineTotal,
    })),
    status: toCompatStatus(placed.order.status),
    total: placed.order.total,
    notes: placed.order.notes,
  };
}
