import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/http/params';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { CatalogService } from './catalog.service';
import { ListProductsQueryDto, ProductEnvelopeDto, ProductPageDto } from './dto/product.dto';

@ApiTags('catalog')
@Controller('api/v1/products')
export class ProductsController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @ApiOperation({
    summary: 'List active products (ordered by sku, cursor-paginated)',
    description:
      'Inactive products are never listed. `limit` is 1–100 (default 20); pass `next_cursor` back as `cursor` for the next page; it is null on the last page.',
  })
  @ApiEnvelope(ProductPageDto)
  @ApiErrors('VALIDATION_FAILED', 'RATE_LIMITED')
  list(@Query() query: ListProductsQueryDto): Promise<ProductPageDto> {
    return this.catalog.listActive(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get an active product',
    description: 'An unknown or inactive product answers 404 PRODUCT_NOT_FOUND.',
  })
  @ApiEnvelope(ProductEnvelopeDto)
  @ApiErrors('VALIDATION_FAILED', 'PRODUCT_NOT_FOUND', 'RATE_LIMITED')
  async get(@UuidParam('id') id: string): Promise<ProductEnvelopeDto> {
    return { product: await this.catalog.getActive(id) };
  }
}
