import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { MailModule } from '../mail/mail.module';
import { CleanupService } from './cleanup.service';
import { GuestStatsController } from './guest-stats.controller';
import { GuestStatsService } from './guest-stats.service';
import { MaintenanceRepository } from './maintenance.repository';

@Module({
  imports: [ScheduleModule.forRoot(), MailModule],
  controllers: [GuestStatsController],
  providers: [CleanupService, GuestStatsService, MaintenanceRepository],
  exports: [CleanupService],
})
export class MaintenanceModule {}
