import { PageQueryDto } from '../../../common/http/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { ProductRow } from '../../../database/schema';
import { Trim } from '../../../common/util/transform';
import { CURRENCY, MAX_STOCK, MAX_UNIT_PRICE, MONEY, STOCK } from '../../../common/swagger/bounds';

export const MAX_PRICE = MAX_UNIT_PRICE;

/**
 * Validates a field whenever it is present: unlike IsOptional, null is checked (and refused), so a PATCH
 * cannot write null into a NOT NULL column (that was a 500; contract §1: wrong types are a 400).
 */
const PresentOrAbsent = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

export class ProductDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'TSHIRT-BLK-M' }) sku!: string;
  @ApiProperty({ example: 'Black T-shirt, M' }) name!: string;
  @ApiProperty({ example: 'Organic cotton' }) description!: string;
  @ApiProperty({ ...MONEY, description: 'minor units (cents)' }) unit_price!: number;
  @ApiProperty(CURRENCY) currency!: string;
  @ApiProperty(STOCK) stock!: number;
  @ApiProperty() is_active!: boolean;
}

export function toProductResponse(row: ProductRow, currency: string): ProductDto {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    unit_price: row.unitPrice,
    currency,
    stock: row.stock,
    is_active: row.isActive,
  };
}

export class ProductEnvelopeDto {
  @ApiProperty({ type: ProductDto }) product!: ProductDto;
}

export class ProductPageDto {
  @ApiProperty({ type: [ProductDto] }) items!: ProductDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'pass as `cursor` to get the next page; null on the last page',
  })
  next_cursor!: string | null;
}

export class ListProductsQueryDto extends PageQueryDto {}

export class CreateProductDto {
  @ApiProperty({ example: 'TSHIRT-BLK-M', pattern: '^[A-Za-z0-9._-]{1,64}$' })
  @Trim()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'sku must be 1-64 letters, digits, dots, dashes or underscores',
  })
  sku!: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Black T-shirt, M' })
  @Trim()
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ maxLength: 5000, example: 'Organic cotton' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiProperty({ ...MONEY, description: 'minor units (cents)' })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  unit_price!: number;

  @ApiProperty(STOCK)
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock!: number;

  @ApiPropertyOptional({ type: Boolean, description: 'true when absent: the product is listed at once' })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class UpdateProductDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Black T-shirt, M' })
  @PresentOrAbsent()
  @Trim()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 5000, example: 'Organic cotton' })
  @PresentOrAbsent()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiPropertyOptional({ ...MONEY, description: 'minor units (cents)' })
  @PresentOrAbsent()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  unit_price?: number;

  @ApiPropertyOptional({
    ...STOCK,
    description:
      'the new stock. Send `expected_stock` with it (the stock you read): without it a sale made since your read is overwritten',
  })
  @PresentOrAbsent()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock?: number;

  @ApiPropertyOptional({
    ...STOCK,
    description:
      'only with `stock`: the stock you read. The change (every field of this request) applies only if the stock is still this value, else 409 STOCK_CHANGED with the current stock and nothing changes',
  })
  @PresentOrAbsent()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  expected_stock?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: -MAX_STOCK,
    maximum: MAX_STOCK,
    example: 12,
    description:
      'instead of `stock`: units to add (received goods) or, negative, remove (a count correction), applied to the stock as it is; below zero → 409 INSUFFICIENT_STOCK and nothing changes',
  })
  @PresentOrAbsent()
  @IsInt()
  @Min(-MAX_STOCK)
  @Max(MAX_STOCK)
  stock_delta?: number;

  @ApiPropertyOptional({ type: Boolean, example: false })
  @PresentOrAbsent()
  @IsBoolean()
  is_active?: boolean;
}
