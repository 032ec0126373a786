import { Module } from '@nestjs/common';
import { GuestSessionService } from './guest-session.service';
import { GuestSessionsRetentionRepository } from './guest-sessions-retention.repository';
import { GuestSessionsRepository } from './guest-sessions.repository';

/** Guest sessions only: creation, sliding expiry, the 404/410 rules, cleanup (a session's cart is cart/'s). */
@Module({
  providers: [GuestSessionService, GuestSessionsRepository, GuestSessionsRetentionRepository],
  exports: [GuestSessionService],
})
export class GuestSessionModule {}
