import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MergeModule } from '../merge/merge.module';
import { OrdersModule } from '../orders/orders.module';
import { ConversionController } from './conversion.controller';
import { ConversionService } from './conversion.service';
import { ConversionsRepository } from './conversions.repository';

/**
 * Conversion and verify-email live here rather than in auth/: they link orders and merge carts, and
 * the orders module already depends on auth (a module cycle otherwise).
 */
@Module({
  imports: [AuthModule, OrdersModule, MergeModule],
  controllers: [ConversionController],
  providers: [ConversionService, ConversionsRepository],
  exports: [ConversionService],
})
export class ConversionModule {}
