import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { CleanupService } from '../modules/maintenance/cleanup.service';

/** `npm run cleanup`: runs the scheduled cleanup once against the configured database and exits. */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    const result = await app.get(CleanupService).runOnce();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
