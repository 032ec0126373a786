import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { AdminOrdersController } from './admin-orders.controller';
import { GuestLookupController } from './guest-lookup.controller';
import { OrderRecords } from './order-records.service';
import { OrdersController } from './orders.controller';
import { GuestOrdersRepository } from './guest-orders.repository';
import { OrderPlacementRepository } from './order-placement.repository';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

/**
 * Orders once placed: the user's orders, guest lookup and tracking, admin status changes, and the order
 * records checkout writes through `OrderRecords` (this module owns the orders tables).
 */
@Module({
  imports: [CatalogModule],
  // GuestLookupController first: its static guest-lookup routes sit beside OrdersController's :order_number
  controllers: [GuestLookupController, OrdersController, AdminOrdersController],
  providers: [OrdersService, OrderRecords, OrdersRepository, OrderPlacementRepository, GuestOrdersRepository],
  exports: [OrdersService, OrderRecords],
})
export class OrdersModule {}
