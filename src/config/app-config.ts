import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigModule } from '@nestjs/config';
import { AppConfig, parseEnv, RawEnv } from './env.schema';

/** Injection token for the frozen AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export interface ResolvedAppConfig extends AppConfig {
  readonly jwtSecret: string;
  readonly dataDir: string;
}

/**
 * Validates the environment and resolves what needs I/O: an absolute DATA_DIR and, outside production,
 * a JWT secret generated once and kept in DATA_DIR so tokens survive restarts (contract §2).
 */
export function loadAppConfig(env: RawEnv): ResolvedAppConfig {
  const config = parseEnv(env);
  const dataDir = resolve(config.dataDir);
  const jwtSecret = config.jwtSecret ?? readOrCreateSecret(dataDir);
  return Object.freeze({ ...config, dataDir, jwtSecret });
}

/**
 * The one load of a process (main.ts, src/cli): reads `.env` from the working directory into process.env
 * (variables already set win, README → Configuration), then validates it. The result is handed to
 * AppModule.forRoot; nothing parses the environment again.
 */
export async function loadAppConfigFromEnvironment(): Promise<ResolvedAppConfig> {
  await ConfigModule.forRoot();
  return loadAppConfig(process.env);
}

function readOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
