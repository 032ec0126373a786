import { Module } from '@nestjs/common';
import { CartModule } from '../cart/cart.module';
import { GuestCartController } from './guest-cart.controller';
import { GuestCartService } from './guest-cart.service';
import { GuestSessionService } from './guest-session.service';
import { GuestSessionsRepository } from './guest-sessions.repository';

@Module({
  imports: [CartModule],
  controllers: [GuestCartController],
  providers: [GuestSessionService, GuestSessionsRepository, GuestCartService],
  exports: [GuestSessionService, GuestCartService],
})
export class GuestSessionModule {}
