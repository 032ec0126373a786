import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

export class CartItemDto {
  @ApiProperty({ format: 'uuid' }) product_id!: string;
  @ApiProperty() sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 2 }) quantity!: number;
  @ApiProperty({ description: 'current catalog price, minor units', example: 1999 }) unit_price!: number;
  @ApiProperty({ description: 'unit_price × quantity, minor units', example: 3998 }) line_total!: number;
  @ApiProperty({ description: 'false when the product is inactive or has less stock than quantity' })
  available!: boolean;
  @ApiProperty({ description: 'units that can be bought now (0 for an inactive product)' })
  available_quantity!: number;
}

export class CartDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: [CartItemDto] }) items!: CartItemDto[];
  @ApiProperty({ description: 'total units over all lines' }) item_count!: number;
  @ApiProperty({ description: 'sum of line_total over all lines, minor units' }) subtotal!: number;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class CartEnvelopeDto {
  @ApiProperty({ type: CartDto }) cart!: CartDto;
}

export class SetCartItemDto {
  @ApiProperty({ description: 'new quantity of the line; 0 removes it', minimum: 0, example: 2 })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  quantity!: number;
}
