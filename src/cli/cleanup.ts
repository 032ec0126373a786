import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { errorSummary } from '../common/logging/safe-error';
import { loadAppConfigFromEnvironment } from '../config/app-config';
import { CleanupService } from '../modules/maintenance/cleanup.service';

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

main().catch((error: unknown) => {
  // contract §12: a failed query's message holds its params; the summary names class, SQLSTATE, constraint
  process.stderr.write(`${errorSummary(error)}\n`);
  process.exit(1);
});
