import { Module } from '@nestjs/common';
import { HttpPlatformModule } from './common/http/http-platform.module';
import { LoggingModule } from './common/logging/logging.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AuthModule } from './modules/auth/auth.module';
import { CartModule } from './modules/cart/cart.module';
import { CatalogModule } from './modules/catalog/catalog.module';
import { HealthModule } from './modules/health/health.module';
import { MailModule } from './modules/mail/mail.module';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    DatabaseModule,
    HttpPlatformModule,
    HealthModule,
    MailModule,
    CatalogModule,
    AuthModule,
    CartModule,
  ],
})
export class AppModule {}
