import { Module } from '@nestjs/common';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterDrizzleOrm } from '@nestjs-cls/transactional-adapter-drizzle-orm';
import { ClsModule } from 'nestjs-cls';
import { DatabaseCoreModule } from './database-core.module';
import { DRIZZLE } from './database.tokens';

@Module({
  imports: [
    DatabaseCoreModule,
    ClsModule.forRoot({
      global: true,
      // transactions open their own CLS context; no per-request middleware needed
      middleware: { mount: false },
      plugins: [
        new ClsPluginTransactional({
          imports: [DatabaseCoreModule],
          adapter: new TransactionalAdapterDrizzleOrm({
            drizzleInstanceToken: DRIZZLE,
            // Explicit: Drizzle turns an empty options object into an invalid bare `SET TRANSACTION`.
            defaultTxOptions: { isolationLevel: 'read committed' },
          }),
        }),
      ],
    }),
  ],
})
export class DatabaseModule {}
