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

export const MAX_PRICE = 100_000_000;
export const MAX_STOCK = 1_000_000_000;

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
  @ApiProperty({ description: 'minor units (cents)', example: 1999 }) unit_price!: number;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: 42 }) stock!: number;
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

  @ApiProperty({ example: 'Black T-shirt, M' })
  @Trim()
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'Organic cotton' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiProperty({ description: 'minor units (cents)', example: 1999 })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  unit_price!: number;

  @ApiProperty({ example: 42 })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock!: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class UpdateProductDto {
  @ApiPropertyOptional()
  @PresentOrAbsent()
  @Trim()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @PresentOrAbsent()
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiPropertyOptional({ description: 'minor units (cents)' })
  @PresentOrAbsent()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  unit_price?: number;

  @ApiPropertyOptional()
  @PresentOrAbsent()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock?: number;

  @ApiPropertyOptional()
  @PresentOrAbsent()
  @IsBoolean()
  is_active?: boolean;
}
