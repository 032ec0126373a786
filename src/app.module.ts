import { DynamicModule, Module } from '@nestjs/common';
import { HttpPlatformModule } from './common/http/http-platform.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { ResolvedAppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AuthModule } from './modules/auth/auth.module';
import { CartModule } from './modules/cart/cart.module';
import { CatalogModule } from './modules/catalog/catalog.module';
import { CheckoutModule } from './modules/checkout/checkout.module';
import { CompatModule } from './modules/compat/compat.module';
import { ConversionModule } from './modules/conversion/conversion.module';
import { GuestSessionModule } from './modules/guest-session/guest-session.module';
import { HealthModule } from './modules/health/health.module';
import { MailModule } from './modules/mail/mail.module';
import { MaintenanceModule } from './modules/maintenance/maintenance.module';
import { MergeModule } from './modules/merge/merge.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { OrdersModule } from './modules/orders/orders.module';

@Module({
  imports: [
    DatabaseModule,
    HttpPlatformModule,
    RateLimitModule,
    HealthModule,
    MailModule,
    CatalogModule,
    AuthModule,
    CartModule,
    GuestSessionModule,
    MergeModule,
    OrdersModule,
    CheckoutModule,
    CompatModule,
    ConversionModule,
    MaintenanceModule,
    MetricsModule,
  ],
})
export class AppModule {
  /** The app over a configuration parsed once by its caller (loadAppConfigFromEnvironment, or a test's). */
  static forRoot(config: ResolvedAppConfig): DynamicModule {
    return { module: AppModule, imports: [AppConfigModule.forRoot(config)] };
  }
}
