import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { describeError } from '../common/logging/safe-error';
import { APP_CONFIG, ResolvedAppConfig } from '../config/app-config';
import { Database, openDatabase } from './database';
import { DATABASE, DRIZZLE } from './database.tokens';
import { join } from 'node:path';

/** Where the data lives, for the start-up line: never the URL's user, password or query string. */
export function describeDatabase(config: Pick<ResolvedAppConfig, 'databaseUrl' | 'dataDir'>): string {
  if (config.databaseUrl === undefined) return `embedded PGlite at ${join(config.dataDir, 'pglite')}`;
  try {
    const url = new URL(config.databaseUrl);
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    return `PostgreSQL at ${url.hostname || 'localhost'}${url.port === '' ? '' : `:${url.port}`}, database ${database}`;
  } catch {
    return 'PostgreSQL (a URL that does not parse as one)';
  }
}

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
          preparedStatements: config.dbPreparedStatements,
          onPoolError: (error) =>
            logger.warn({ msg: 'idle database connection lost', err: describeError(error) }),
        });
        const migrations = await database.migrate();
        // the one start-up line about the database (README → Start-up and logs)
        logger.log(
          `${describeDatabase(config)}: ${migrations.total} migrations, ` +
            (migrations.applied === 0 ? 'schema up to date' : `${migrations.applied} applied now`),
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
