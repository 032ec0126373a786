import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../../common/auth/auth.decorators';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { GuestStatsDto } from './dto/guest-stats.dto';
import { GuestStatsService } from './guest-stats.service';

@ApiTags('admin')
@Controller('api/v1/admin/guest-stats')
@Auth('admin')
export class GuestStatsController {
  constructor(private readonly stats: GuestStatsService) {}

  @Get()
  @ApiOperation({
    summary: 'Guest checkout counts and the last cleanup run (admin)',
    description:
      'Counts of sessions, guest carts, guest orders, conversions, merges, the mail outbox (pending, oldest pending age, dead letters) and what the last cleanup deleted.',
  })
  @ApiEnvelope(GuestStatsDto)
  @ApiErrors('RATE_LIMITED')
  get(): Promise<GuestStatsDto> {
    return this.stats.stats();
  }
}
