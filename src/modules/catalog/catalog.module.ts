import { Module } from '@nestjs/common';
import { AdminProductsController } from './admin-products.controller';
import { CatalogService } from './catalog.service';
import { ProductsController } from './products.controller';
import { ProductsRepository } from './products.repository';

@Module({
  controllers: [ProductsController, AdminProductsController],
  providers: [CatalogService, ProductsRepository],
  exports: [CatalogService],
})
export class CatalogModule {}
