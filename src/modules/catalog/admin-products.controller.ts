import { Body, Controller, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../../common/auth/auth.decorators';
import { UuidParam } from '../../common/http/params';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { CatalogService } from './catalog.service';
import { CreateProductDto, ProductEnvelopeDto, UpdateProductDto } from './dto/product.dto';

@ApiTags('admin')
@Controller('api/v1/admin/products')
@Auth('admin')
export class AdminProductsController {
  constructor(private readonly catalog: CatalogService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a product (admin)',
    description:
      '`unit_price` is in minor units. A duplicate `sku` answers 409 SKU_TAKEN. `is_active` is true when absent.',
  })
  @ApiEnvelope(ProductEnvelopeDto, 201)
  @ApiErrors('VALIDATION_FAILED', 'SKU_TAKEN', 'RATE_LIMITED')
  async create(@Body() dto: CreateProductDto): Promise<ProductEnvelopeDto> {
    return { product: await this.catalog.create(dto) };
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a product (admin); any subset of the fields',
    description:
      'Only the fields sent change; null is refused (400). Carts and merges see the new price and stock at once; placed orders keep the price they were paid at. Stock that shoppers may be buying meanwhile: send `stock` with `expected_stock` (the value you read; 409 STOCK_CHANGED with the current stock if a sale came first) or `stock_delta` (relative, never below zero: 409 INSUFFICIENT_STOCK). A refused request changes nothing.',
  })
  @ApiEnvelope(ProductEnvelopeDto)
  @ApiErrors('VALIDATION_FAILED', 'PRODUCT_NOT_FOUND', 'STOCK_CHANGED', 'INSUFFICIENT_STOCK', 'RATE_LIMITED')
  async update(@UuidParam('id') id: string, @Body() dto: UpdateProductDto): Promise<ProductEnvelopeDto> {
    return { product: await this.catalog.update(id, dto) };
  }
}
