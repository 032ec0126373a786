import { join } from 'node:path';
import { loadAppConfigFromEnvironment } from '../config/app-config';
import { openDatabase } from '../database/database';
import { fail } from './fail';

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

main().catch(fail);
