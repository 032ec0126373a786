import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { CartRow } from '../../../database/schema';
import {
  COUNT,
  CURRENCY,
  LINE_MONEY,
  MAX_CART_UNITS,
  MONEY,
  QUANTITY,
  STOCK,
  TOTAL_MONEY,
} from '../../../common/swagger/bounds';
import { PricedCart, PricedItem } from '../cart-rules';

export class CartItemDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty({ example: 'TSHIRT-BLK-M' }) sku!: string;
  @ApiProperty({ example: 'Black T-shirt, M' }) name!: string;
  @ApiProperty(QUANTITY) quantity!: number;
  @ApiProperty({ ...MONEY, description: 'current catalog price, minor units' }) unit_price!: number;
  @ApiProperty({ ...LINE_MONEY, description: 'unit_price × quantity, minor units' }) line_total!: number;
  @ApiProperty({ description: 'false when the product is inactive or has less stock than quantity' })
  available!: boolean;
  @ApiProperty({ ...STOCK, description: 'units that can be bought now (0 for an inactive product)' })
  available_quantity!: number;
}

export class CartDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: [CartItemDto] }) items!: CartItemDto[];
  @ApiProperty({ ...COUNT, maximum: MAX_CART_UNITS, description: 'total units over all lines' })
  item_count!: number;
  @ApiProperty({ ...TOTAL_MONEY, description: 'sum of line_total over all lines, minor units' })
  subtotal!: number;
  @ApiProperty(CURRENCY) currency!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

/** A priced cart in the contract's casing (§4): the one mapping of every cart the API shows. */
export function toCartResponse(
  cart: Pick<CartRow, 'id' | 'updatedAt'>,
  priced: PricedCart,
  currency: string,
): CartDto {
  return {
    id: cart.id,
    items: priced.items.map(toCartItemResponse),
    item_count: priced.itemCount,
    subtotal: priced.subtotal,
    currency,
    updated_at: cart.updatedAt.toISOString(),
  };
}

function toCartItemResponse(item: PricedItem): CartItemDto {
  return {
    product_id: item.productId,
    sku: item.sku,
    name: item.name,
    quantity: item.quantity,
    unit_price: item.unitPrice,
    line_total: item.lineTotal,
    available: item.available,
    available_quantity: item.availableQuantity,
  };
}

export class CartEnvelopeDto {
  @ApiProperty({ type: CartDto }) cart!: CartDto;
}

export class SetCartItemDto {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 1_000_000,
    example: 2,
    description: 'new quantity of the line; 0 removes it; above MAX_LINE_QUANTITY → 422 CART_LIMIT_EXCEEDED',
  })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  quantity!: number;
}
