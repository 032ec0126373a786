/**
 * Writes the OpenAPI document (the same one /docs-json serves) to a file without starting the server:
 * Nest builds the module graph in preview mode (no provider is instantiated, so no database, mail or Redis).
 * Usage: ts-node --transpile-only scripts/openapi.ts [out-file]   (default: client/openapi.json, the one
 * committed copy, next to the client generated from it: scripts/generate-client.ts)
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppModule } from '../src/app.module';
import { buildOpenApiDocument, createFastifyAdapter } from '../src/app.setup';
import { createLogger } from '../src/common/logging/logger';
import { loadAppConfig } from '../src/config/app-config';

export const DOCUMENT_PATH = 'client/openapi.json';

/** The document /docs-json serves, built from an app that never listens (no database, mail or Redis). */
export async function openApiDocument(): Promise<OpenAPIObject> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gc-openapi-'));
  try {
    // the documented bounds come from the defaults of contract §2, not from this machine's .env
    const config = loadAppConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(config),
      createFastifyAdapter(config, createLogger(config)),
      { preview: true, logger: false, abortOnError: false, bodyParser: false },
    );
    const document = buildOpenApiDocument(app);
    await app.close();
    return document;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? DOCUMENT_PATH);
  writeFileSync(out, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
