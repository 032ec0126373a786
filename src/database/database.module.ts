import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterDrizzleOrm } from '@nestjs-cls/transactional-adapter-drizzle-orm';
import { ClsModule } from 'nestjs-cls';
import { DatabaseCoreModule } from './database-core.module';
import { DRIZZLE } from './database.tokens';

/**
 * nestjs-cls registers a global guard and a global interceptor even when neither is mounted (a no-op
 * guard, a pass-through interceptor): every request of every route paid for Nest's interceptor pipeline
 * (rxjs, an AsyncResource) for nothing. Transactions open their own CLS context (@Transactional), so
 * the module is used without those two providers.
 */
function withoutGlobalEnhancers(module: DynamicModule): DynamicModule {
  const enhancers: unknown[] = [APP_GUARD, APP_INTERCEPTOR];
  return {
    ...module,
    providers: module.providers?.filter(
      (provider) => !('provide' in provider && enhancers.includes(provider.provide)),
    ),
    // ClsModule.forRoot declares them in the ClsRootModule it imports
    imports: module.imports?.map((imported) =>
      typeof imported === 'object' && 'module' in imported ? withoutGlobalEnhancers(imported) : imported,
    ),
  };
}

@Module({
  imports: [
    DatabaseCoreModule,
    withoutGlobalEnhancers(
      ClsModule.forRoot({
        global: true,
        // transactions open their own CLS context; no per-request middleware needed
        middleware: { mount: false },
        plugins: [
          new ClsPluginTransactional({
            imports: [DatabaseCoreModule],
            // no default options: with them nestjs-cls warns on every nested @Transactional; the empty
            // options object it passes instead is dropped in database.ts (server default: read committed)
            adapter: new TransactionalAdapterDrizzleOrm({ drizzleInstanceToken: DRIZZLE }),
          }),
        ],
      }),
    ),
  ],
})
export class DatabaseModule {}
