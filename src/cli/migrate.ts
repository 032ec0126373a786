import { join } from 'node:path';
import { loadAppConfig } from '../config/app-config';
import { openDatabase } from '../database/database';
import { ConfigModule } from '@nestjs/config';

/** `npm run db:migrate`: applies pending migrations to the configured database and exits. */
async function main(): Promise<void> {
  await ConfigModule.forRoot(); // loads .env like the app does
  const config = loadAppConfig(process.env);
  const database = openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
  try {
    await database.migrate();
    process.stdout.write(`migrations applied (${database.kind})\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
