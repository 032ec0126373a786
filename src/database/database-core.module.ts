import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { describeError } from '../common/logging/safe-error';
import { APP_CONFIG, ResolvedAppConfig } from '../config/app-config';
import { Database, openDatabase } from './database';
import { DATABASE, DRIZZLE } from './database.tokens';
import { join } from 'node:path';

/** Opens the database (PGlite or PostgreSQL), applies migrations, and closes it last on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [APP_CONFIG],
      useFactory: async (config: ResolvedAppConfig): Promise<Database> => {
        const logger = new Logger('Database');
        const database = openDatabase({
          url: config.databaseUrl,
          dataDir: join(config.dataDir, 'pglite'),
          poolSize: config.dbPoolSize,
          onPoolError: (error) =>
            logger.warn({ msg: 'idle database connection lost', err: describeError(error) }),
        });
        await database.migrate();
        logger.log(
          database.kind === 'pglite' ? `embedded PGlite at ${config.dataDir}/pglite` : 'PostgreSQL server',
        );
        return database;
      },
    },
    { provide: DRIZZLE, inject: [DATABASE], useFactory: (database: Database) => database.db },
  ],
  exports: [DATABASE, DRIZZLE],
})
export class DatabaseCoreModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  // Runs after Nest has closed the HTTP server, so in-flight requests finish before the pool goes.
  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
