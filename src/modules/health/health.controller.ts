import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOperation,
  ApiProperty,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppError } from '../../common/errors/app-error';
import { RETRY_AFTER_SECONDS } from '../../common/errors/error-codes';
import { RawBody, successEnvelope, SuccessEnvelope } from '../../common/http/envelope';
import { ShutdownDrain } from '../../common/http/shutdown-drain';
import { NoRateLimit } from '../../common/rate-limit/rate-limit.decorator';
import {
  ApiEnvelope,
  ApiErrors,
  ErrorEnvelopeDto,
  successEnvelopeSchema,
} from '../../common/swagger/api-responses';
import { Database } from '../../database/database';
import { DATABASE } from '../../database/database.tokens';

export class HealthDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ enum: ['up'], example: 'up' })
  database!: 'up';
}

/** The 503 body of an instance that got SIGTERM and is draining (shutdown-drain.ts). */
export class HealthStoppingDto {
  @ApiProperty({ enum: ['stopping'], example: 'stopping' })
  status!: 'stopping';

  @ApiProperty({ enum: ['up'], example: 'up' })
  database!: 'up';
}

@ApiTags('health')
@Controller('health')
@NoRateLimit() // load balancers poll it; a 429 would take a healthy instance out of rotation
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    private readonly drain: ShutdownDrain,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Liveness and database reachability',
    description:
      'Answers 200 when the process is up and the database answers a ping, 503 SERVICE_UNAVAILABLE when it does not. ' +
      'After SIGTERM, while the instance drains (SHUTDOWN_DRAIN_SECONDS) before it exits, 503 with `data.status: "stopping"`: ' +
      'it still serves every other route, and the load balancer should take it out of rotation. Not rate-limited: load balancers poll it.',
  })
  @ApiEnvelope(HealthDto)
  // replaces ApiErrors' 503 (applied first, below): the same status has two bodies here
  @ApiExtraModels(HealthStoppingDto)
  @ApiResponse({
    status: 503,
    description: 'or `data.status: "stopping"`: SIGTERM received, the instance drains before it exits',
    headers: {
      'Retry-After': {
        description: 'seconds to wait before retrying',
        schema: { type: 'integer', minimum: 1, maximum: 3600, example: 1 },
      },
    },
    schema: {
      oneOf: [{ $ref: getSchemaPath(ErrorEnvelopeDto) }, successEnvelopeSchema(HealthStoppingDto)],
    },
  })
  @ApiErrors('SERVICE_UNAVAILABLE')
  async check(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HealthDto | RawBody<SuccessEnvelope<HealthStoppingDto>>> {
    try {
      await this.database.ping();
    } catch {
      // same Retry-After as every other database-down answer (README: API conventions)
      throw new AppError('SERVICE_UNAVAILABLE', 'Database is unreachable');
    }
    if (this.drain.draining) {
      // a 503 with data: the envelope hook passes 4xx/5xx bodies through as they are, so it is built here;
      // Retry-After as on every 503 (the balancer retries elsewhere)
      void reply.status(503).header('retry-after', String(RETRY_AFTER_SECONDS.SERVICE_UNAVAILABLE));
      return new RawBody(successEnvelope({ status: 'stopping', database: 'up' }));
    }
    return { status: 'ok', database: 'up' };
  }
}
