import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AppMetrics } from '../../common/metrics/app-metrics';
import { NoRateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { ApiErrors } from '../../common/swagger/api-responses';
import { MetricsTokenGuard } from './metrics-token.guard';

/** prom-client's Registry.PROMETHEUS_CONTENT_TYPE: the text exposition format 0.0.4. */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

@ApiTags('monitoring')
@Controller('metrics')
@NoRateLimit() // Prometheus scrapes on a schedule; a 429 would leave a gap in every series
export class MetricsController {
  constructor(private readonly metrics: AppMetrics) {}

  @Get()
  @UseGuards(MetricsTokenGuard)
  @Header('Content-Type', PROMETHEUS_TEXT)
  @ApiOperation({
    summary: 'Prometheus metrics (operators)',
    description:
      'The Prometheus text format (0.0.4), not an envelope: HTTP requests and durations by method, route template and status, checkout outcomes, rate-limit refusals by bucket, the mail outbox, active guest sessions, database pool connections by state, and Node process metrics. Requires `Authorization: Bearer <METRICS_TOKEN>`; answers 404 when METRICS_TOKEN is not set. Not rate-limited. Not part of the shop API: meant for a Prometheus server.',
  })
  @ApiBearerAuth('metrics')
  @ApiResponse({
    status: 200,
    description: 'Prometheus text format 0.0.4',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiErrors('UNAUTHENTICATED', 'NOT_FOUND')
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
