import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AppError } from '../../common/errors/app-error';
import { NoRateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiEnvelope, ApiErrors } from '../../common/swagger/api-responses';
import { Database } from '../../database/database';
import { DATABASE } from '../../database/database.tokens';

export class HealthDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ enum: ['up'], example: 'up' })
  database!: 'up';
}

@ApiTags('health')
@Controller('health')
@NoRateLimit() // load balancers poll it; a 429 would take a healthy instance out of rotation
export class HealthController {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  @Get()
  @ApiOperation({
    summary: 'Liveness and database reachability',
    description:
      'Answers 200 when the process is up and the database answers a ping, 503 SERVICE_UNAVAILABLE when it does not. Not rate-limited: load balancers poll it.',
  })
  @ApiEnvelope(HealthDto)
  @ApiErrors('SERVICE_UNAVAILABLE')
  async check(): Promise<HealthDto> {
    try {
      await this.database.ping();
    } catch {
      // same Retry-After as every other database-down answer (README: API conventions)
      throw new AppError('SERVICE_UNAVAILABLE', 'Database is unreachable');
    }
    return { status: 'ok', database: 'up' };
  }
}
