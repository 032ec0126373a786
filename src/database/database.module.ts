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
          // no default options: with them nestjs-cls warns on every nested @Transactional; the empty
          // options object it passes instead is dropped in database.ts (server default: read committed)
          adapter: new TransactionalAdapterDrizzleOrm({ drizzleInstanceToken: DRIZZLE }),
        }),
      ],
    }),
  ],
})
export class DatabaseModule {}
