import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../../common/idempotency/idempotency.module';
import { AuthModule } from '../auth/auth.module';
import { CheckoutModule } from '../checkout/checkout.module';
import { CompatOrdersController } from './compat-orders.controller';
import { CompatOrdersService } from './compat-orders.service';

/** spec 002's `POST /api/orders`, an adapter on checkout (contract §9). */
@Module({
  imports: [CheckoutModule, AuthModule, IdempotencyModule],
  controllers: [CompatOrdersController],
  providers: [CompatOrdersService],
})
export class CompatModule {}
