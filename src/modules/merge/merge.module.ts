import { Module } from '@nestjs/common';
import { CartModule } from '../cart/cart.module';
import { GuestSessionModule } from '../guest-session/guest-session.module';
import { MergeController } from './merge.controller';
import { MergeLogsRepository } from './merge-logs.repository';
import { MergeService } from './merge.service';

@Module({
  imports: [CartModule, GuestSessionModule],
  controllers: [MergeController],
  providers: [MergeService, MergeLogsRepository],
  exports: [MergeService],
})
export class MergeModule {}
