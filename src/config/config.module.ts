import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_CONFIG, loadAppConfig } from './app-config';

/**
 * Loads `.env` (through @nestjs/config) and exposes the validated AppConfig under APP_CONFIG.
 * Tests override APP_CONFIG with their own values.
 */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: false, cache: true })],
  providers: [{ provide: APP_CONFIG, useFactory: () => loadAppConfig(process.env) }],
  exports: [APP_CONFIG],
})
export class AppConfigModule {}
