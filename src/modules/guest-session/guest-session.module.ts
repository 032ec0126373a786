import { Module } from '@nestjs/common';
import { CartModule } from '../cart/cart.module';
import { GuestCartController } from './guest-cart.controller';
import { GuestCartService } from './guest-cart.service';
import { GuestSessionService } from './guest-session.service';
import { GuestSessionsRetentionRepository } from './guest-sessions-retention.repository';
import { GuestSessionsRepository } from './guest-sessions.repository';

@Module({
  imports: [CartModule],
  controllers: [GuestCartController],
  providers: [
    GuestSessionService,
    GuestSessionsRepository,
    GuestSessionsRetentionRepository,
    GuestCartService,
  ],
  exports: [GuestSessionService, GuestCartService],
})
export class GuestSessionModule {}
