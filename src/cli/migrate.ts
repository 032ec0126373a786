import { join } from 'node:path';
import { errorSummary } from '../common/logging/safe-error';
import { loadAppConfigFromEnvironment } from '../config/app-config';
import { openDatabase } from '../database/database';

/** `npm run db:migrate`: applies pending migrations to the configured database and exits. */
async function main(): Promise<void> {
  const config = await loadAppConfigFromEnvironment(); // .env included, like the app
  const database = openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
  try {
    const { total, applied } = await database.migrate();
    process.stdout.write(`${database.kind}: ${total} migrations, ${applied} applied now\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  // contract §12: a failed query's message holds its params; the summary names class, SQLSTATE, constraint
  process.stderr.write(`${errorSummary(error)}\n`);
  process.exit(1);
});
