import { isIP } from 'node:net';

/** Typed, validated configuration (contract §2). Built once at start-up; nothing else reads process.env. */
export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly databaseUrl: string | undefined;
  readonly dbPoolSize: number;
  readonly dataDir: string;
  /** undefined → generated once and kept in DATA_DIR (see loadAppConfig). */
  readonly jwtSecret: string | undefined;
  readonly jwtExpiresInSeconds: number;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly redisUrl: string | undefined;
  /** false, a hop count, or a list of trusted addresses/CIDRs (Fastify's trustProxy). */
  readonly trustProxy: boolean | number | string[];
  readonly rateLimits: boolean;
  readonly currency: string;
  readonly guestSessionTtlDays: number;
  /** contract §4: a read moves a session's expiry at most this often (writes always do) */
  readonly guestSessionTouchIntervalSeconds: number;
  readonly maxCartLines: number;
  readonly maxLineQuantity: number;
  readonly mergeStrategy: MergeStrategyName;
  readonly seedDemoCatalog: boolean;
  readonly cleanupCron: string;
  readonly corsOrigins: true | string[];
  readonly logLevel: string;
  readonly paymentProvider: PaymentProviderName;
  /** how long a checkout waits for the payment provider before leaving the order to the reconciler */
  readonly paymentTimeoutMs: number;
  /** the sandbox provider's simulated latency per call (tests, the benchmark's hot-product scenario) */
  readonly paymentSandboxLatencyMs: number;
  /** contract §11: an undelivered mail is retried this long, then dead-lettered */
  readonly mailMaxAgeHours: number;
  /** contract §2, §11: the shop's web address that customer mails link to, without a trailing slash */
  readonly storefrontUrl: string;
  /** contract §2, §11: the language of customer mails */
  readonly mailLocale: MailLocale;
}

export const MAX_CART_LINES_BOUND = 200;
export const MAX_LINE_QUANTITY_BOUND = 10_000;

export const PAYMENT_PROVIDERS = ['sandbox'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

export const MERGE_STRATEGIES = ['sum', 'guest', 'user', 'newest'] as const;
export type MergeStrategyName = (typeof MERGE_STRATEGIES)[number];

export const MAIL_LOCALES = ['en', 'es'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

export type RawEnv = Record<string, string | undefined>;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Parses and validates the environment. Pure: collects every problem, naming each bad variable,
 * and throws one ConfigValidationError listing them all.
 */
export function parseEnv(env: RawEnv): AppConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (
    name: string,
    fallback: boolean,
    yes = ['true', '1', 'yes', 'on'],
    no = ['false', '0', 'no', 'off'],
  ) => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (yes.includes(raw)) return true;
    if (no.includes(raw)) return false;
    problems.push(`${name} must be one of ${[...yes, ...no].join(', ')} (got "${raw}")`);
    return fallback;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      problems.push(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      return undefined;
    }
  };

  const nodeEnv = read('NODE_ENV') ?? 'development';
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);

  const jwtSecret = read('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters long');
  }
  if (nodeEnv === 'production' && jwtSecret === undefined) {
    problems.push('JWT_SECRET is required when NODE_ENV=production');
  }

  const adminEmail = read('ADMIN_EMAIL')?.toLowerCase();
  const adminPassword = read('ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(adminEmail)) {
    problems.push(`ADMIN_EMAIL must be an email address (got "${adminEmail}")`);
  }
  if (adminPassword !== undefined && (adminPassword.length < 8 || adminPassword.length > 128)) {
    problems.push('ADMIN_PASSWORD must be 8 to 128 characters long');
  }

  const currency = (read('CURRENCY') ?? 'USD').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency))
    problems.push(`CURRENCY must be an ISO 4217 code such as USD (got "${currency}")`);

  const mergeStrategy = (read('MERGE_STRATEGY') ?? 'sum').toLowerCase();
  if (!(MERGE_STRATEGIES as readonly string[]).includes(mergeStrategy)) {
    problems.push(`MERGE_STRATEGY must be one of ${MERGE_STRATEGIES.join(', ')} (got "${mergeStrategy}")`);
  }

  const logLevel = (read('LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info')).toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const paymentProvider = (read('PAYMENT_PROVIDER') ?? 'sandbox').toLowerCase();
  if (!(PAYMENT_PROVIDERS as readonly string[]).includes(paymentProvider)) {
    problems.push(
      `PAYMENT_PROVIDER must be one of ${PAYMENT_PROVIDERS.join(', ')} (got "${paymentProvider}")`,
    );
  }

  const storefrontUrl = parseStorefrontUrl(read('STOREFRONT_URL'), problems);

  const mailLocale = (read('MAIL_LOCALE') ?? 'en').toLowerCase();
  if (!(MAIL_LOCALES as readonly string[]).includes(mailLocale)) {
    problems.push(`MAIL_LOCALE must be one of ${MAIL_LOCALES.join(', ')} (got "${mailLocale}")`);
  }

  const cleanupCron = read('CLEANUP_CRON') ?? '0 * * * *';
  if (!/^(\S+\s+){4,5}\S+$/.test(cleanupCron)) {
    problems.push(`CLEANUP_CRON must be a cron expression with 5 or 6 fields (got "${cleanupCron}")`);
  }

  const config: AppConfig = {
    nodeEnv,
    port: int('PORT', 3000, 0, 65535),
    databaseUrl,
    dbPoolSize: int('DB_POOL_SIZE', 10, 1, 200),
    dataDir: read('DATA_DIR') ?? './.data',
    jwtSecret,
    jwtExpiresInSeconds: int('JWT_EXPIRES_IN_SECONDS', 86_400, 60, 30 * 86_400),
    adminEmail,
    adminPassword,
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: read('MAIL_FROM') ?? 'no-reply@localhost',
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    trustProxy: parseTrustProxy(read('TRUST_PROXY'), problems),
    rateLimits: bool('RATE_LIMITS', true, ['on', 'true', '1'], ['off', 'false', '0']),
    currency,
    guestSessionTtlDays: int('GUEST_SESSION_TTL_DAYS', 30, 1, 3650),
    guestSessionTouchIntervalSeconds: int('GUEST_SESSION_TOUCH_INTERVAL_SECONDS', 60, 0, 86_400),
    // bounds keep every total exact (contract §6: 64-bit money): the largest unit price (100,000,000) ×
    // 10,000 × 200 lines is below Number.MAX_SAFE_INTEGER
    maxCartLines: int('MAX_CART_LINES', 50, 1, MAX_CART_LINES_BOUND),
    maxLineQuantity: int('MAX_LINE_QUANTITY', 99, 1, MAX_LINE_QUANTITY_BOUND),
    mergeStrategy: mergeStrategy as MergeStrategyName,
    seedDemoCatalog: bool('SEED_DEMO_CATALOG', databaseUrl === undefined),
    cleanupCron,
    corsOrigins: parseCorsOrigins(read('CORS_ORIGINS')),
    logLevel,
    paymentProvider: paymentProvider as PaymentProviderName,
    paymentTimeoutMs: int('PAYMENT_TIMEOUT_MS', 10_000, 100, 120_000),
    paymentSandboxLatencyMs: int('PAYMENT_SANDBOX_LATENCY_MS', 0, 0, 60_000),
    mailMaxAgeHours: int('MAIL_MAX_AGE_HOURS', 168, 1, 24 * 365),
    storefrontUrl,
    mailLocale: mailLocale as MailLocale,
  };
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return Object.freeze(config);
}

function parseTrustProxy(raw: string | undefined, problems: string[]): boolean | number | string[] {
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => {
    const [address, bits, ...rest] = entry.split('/');
    if (rest.length > 0 || isIP(address) === 0) return true;
    return bits !== undefined && !/^\d{1,3}$/.test(bits);
  });
  if (bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be true, false, a hop count or a comma-separated list of IPs/CIDRs (bad: ${bad.join(', ')})`,
    );
    return false;
  }
  return entries;
}

/**
 * An http(s) address, optionally with a path (`https://example.com/shop`), that mail links are built
 * under; no query, fragment or credentials, since links append their own path and query.
 */
function parseStorefrontUrl(raw: string | undefined, problems: string[]): string {
  const fallback = 'http://localhost:3000';
  if (raw === undefined) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = new URL('invalid:');
  }
  if (
    !['http:', 'https:'].includes(parsed.protocol) ||
    parsed.search !== '' ||
    parsed.hash !== '' ||
    parsed.username !== '' ||
    parsed.password !== ''
  ) {
    problems.push(
      `STOREFRONT_URL must be an http:// or https:// address without query, fragment or credentials (got "${raw}")`,
    );
    return fallback;
  }
  return parsed.href.replace(/\/+$/, '');
}

function parseCorsOrigins(raw: string | undefined): true | string[] {
  if (raw === undefined || raw === '*') return true;
  return raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
}
