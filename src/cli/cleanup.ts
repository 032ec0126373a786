import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadAppConfigFromEnvironment } from '../config/app-config';
import { CleanupService } from '../modules/maintenance/cleanup.service';
import { fail } from './fail';

/** `npm run cleanup`: runs the scheduled cleanup once against the configured database and exits. */
async function main(): Promise<void> {
  const config = await loadAppConfigFromEnvironment();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
  });
  try {
    const result = await app.get(CleanupService).runOnce();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await app.close();
  }
}

main().catch(fail);
