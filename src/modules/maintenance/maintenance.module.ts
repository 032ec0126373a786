import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { IdempotencyModule } from '../../common/idempotency/idempotency.module';
import { CartModule } from '../cart/cart.module';
import { ConversionModule } from '../conversion/conversion.module';
import { GuestSessionModule } from '../guest-session/guest-session.module';
import { MailModule } from '../mail/mail.module';
import { MergeModule } from '../merge/merge.module';
import { OrdersModule } from '../orders/orders.module';
import { CleanupRunsRepository } from './cleanup-runs.repository';
import { CleanupService } from './cleanup.service';
import { GuestStatsController } from './guest-stats.controller';
import { GuestStatsService } from './guest-stats.service';

/** The scheduled cleanup and the guest stats: both ask the owning modules, through their services. */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    GuestSessionModule,
    CartModule,
    IdempotencyModule,
    MailModule,
    MergeModule,
    ConversionModule,
    OrdersModule,
  ],
  controllers: [GuestStatsController],
  providers: [CleanupService, GuestStatsService, CleanupRunsRepository],
  exports: [CleanupService],
})
export class MaintenanceModule {}
