import { Module } from '@nestjs/common';
import { MetricsCoreModule } from '../../common/metrics/metrics-core.module';
import { GuestSessionModule } from '../guest-session/guest-session.module';
import { MailModule } from '../mail/mail.module';
import { MetricsController } from './metrics.controller';
import { MetricsGauges } from './metrics-gauges';
import { MetricsTokenGuard } from './metrics-token.guard';

/**
 * GET /metrics (contract §12) and the gauges it reads from the modules that own the data. The counters
 * live in MetricsCoreModule (global), where checkout and the rate-limit guard reach them.
 */
@Module({
  imports: [MetricsCoreModule, MailModule, GuestSessionModule],
  controllers: [MetricsController],
  providers: [MetricsGauges, MetricsTokenGuard],
})
export class MetricsModule {}
