import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, ResolvedAppConfig } from './app-config';

/**
 * Exposes the AppConfig parsed once by the caller (main.ts, src/cli, test/support/test-app.ts) under
 * APP_CONFIG, to every module.
 */
@Module({})
export class AppConfigModule {
  static forRoot(config: ResolvedAppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
