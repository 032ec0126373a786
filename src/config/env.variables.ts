import {
  bool,
  corsOrigins,
  int,
  lowerCase,
  matching,
  oneOf,
  secret,
  storefrontUrl,
  text,
  trustProxy,
  upperCase,
  url,
  Variable,
} from './env.parsers';
import {
  LOG_LEVELS,
  MAIL_LOCALES,
  MAX_CART_LINES_BOUND,
  MAX_LINE_QUANTITY_BOUND,
  MERGE_STRATEGIES,
  PAYMENT_PROVIDERS,
} from './env.values';

/** Every environment variable the app reads (contract §2), in README's order; AppConfig's fields are its keys. */
export const ENV_VARIABLES = {
  port: {
    name: 'PORT',
    parse: int(0, 65535),
    default: '3000',
    description: 'HTTP port (the server binds `0.0.0.0`)',
  },
  databaseUrl: {
    name: 'DATABASE_URL',
    parse: url(['postgres:', 'postgresql:']),
    description:
      '`postgres://…` or `postgresql://…` → PostgreSQL server; unset → embedded PGlite under `DATA_DIR/pglite`',
    example: 'postgres://user:password@127.0.0.1:5432/shop',
  },
  dbPoolSize: {
    name: 'DB_POOL_SIZE',
    parse: int(1, 200),
    default: '10',
    description: 'maximum connections in the PostgreSQL pool, 1–200 (ignored with PGlite)',
    addition: true,
  },
  dataDir: {
    name: 'DATA_DIR',
    parse: text,
    default: './.data',
    description: 'embedded database (`pglite/`), dev mail files (`mail/`), generated JWT key (`jwt-secret`)',
  },
  /** undefined → generated once and kept in DATA_DIR (see loadAppConfig). */
  jwtSecret: {
    name: 'JWT_SECRET',
    parse: secret(32),
    description: 'HS256 signing key, at least 32 characters; required when `NODE_ENV=production`',
    defaultNote: '→ generated once and kept in `DATA_DIR/jwt-secret`',
    example: 'change-me-to-at-least-32-random-characters',
    secret: true,
  },
  jwtExpiresInSeconds: {
    name: 'JWT_EXPIRES_IN_SECONDS',
    parse: int(60, 30 * 86_400),
    default: '86400',
    description: 'access-token lifetime, 60 s – 30 days',
    defaultNote: '(24 h)',
    addition: true,
  },
  adminEmail: {
    name: 'ADMIN_EMAIL',
    parse: matching(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address', lowerCase),
    description:
      'admin account created at start-up when no account has this email (an existing account is left as it is); both or neither; password 8–128 characters',
    defaultNote: '(no admin)',
    example: 'admin@example.com',
  },
  adminPassword: {
    name: 'ADMIN_PASSWORD',
    parse: secret(8, 128),
    example: 'change-me-please',
    secret: true,
  },
  smtpUrl: {
    name: 'SMTP_URL',
    parse: url(['smtp:', 'smtps:']),
    description:
      '`smtp://user:pass@host:port` (or `smtps://`) for outgoing mail; unset → every mail is written as an `.eml` file under `DATA_DIR/mail/`',
    example: 'smtp://user:pass@127.0.0.1:587',
  },
  mailFrom: {
    name: 'MAIL_FROM',
    parse: text,
    default: 'no-reply@localhost',
    description: 'sender address',
  },
  redisUrl: {
    name: 'REDIS_URL',
    parse: url(['redis:', 'rediss:']),
    description:
      '`redis://` / `rediss://`: rate-limit counters shared across instances; unset → in-process memory',
    example: 'redis://127.0.0.1:6379',
  },
  /** false, a hop count, or a list of trusted addresses/CIDRs (Fastify's trustProxy). */
  trustProxy: {
    name: 'TRUST_PROXY',
    parse: trustProxy,
    default: 'false',
    description:
      '`true`, `false`, a hop count, or a comma-separated list of IPs/CIDRs: take the client IP from `X-Forwarded-For` (Fastify `trustProxy`); otherwise the socket address',
  },
  rateLimits: {
    name: 'RATE_LIMITS',
    parse: bool(['on', 'true', '1'], ['off', 'false', '0']),
    default: 'on',
    description: '`on` / `off` (`true`/`false`, `1`/`0` also accepted); off only for benchmarks',
  },
  currency: {
    name: 'CURRENCY',
    parse: matching(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD', upperCase),
    default: 'USD',
    description: 'store currency, ISO 4217 (upper-cased)',
  },
  guestSessionTtlDays: {
    name: 'GUEST_SESSION_TTL_DAYS',
    parse: int(1, 3650),
    default: '30',
    description: 'inactivity before a guest session expires, 1–3650',
  },
  /** contract §4: a read moves a session's expiry at most this often (writes always do) */
  guestSessionTouchIntervalSeconds: {
    name: 'GUEST_SESSION_TOUCH_INTERVAL_SECONDS',
    parse: int(0, 86_400),
    default: '60',
    description: "a read moves a session's expiry at most this often (writes always do), 0–86400",
  },
  // the bounds keep every total exact (contract §6: 64-bit money): the largest unit price (100,000,000) ×
  // 10,000 × 200 lines is below Number.MAX_SAFE_INTEGER
  maxCartLines: {
    name: 'MAX_CART_LINES',
    parse: int(1, MAX_CART_LINES_BOUND),
    default: '50',
    description:
      'lines per cart and per spec-002 order, 1–200 (bounds that keep every total exact, see [Orders](#orders))',
  },
  maxLineQuantity: {
    name: 'MAX_LINE_QUANTITY',
    parse: int(1, MAX_LINE_QUANTITY_BOUND),
    default: '99',
    description: 'units per line, 1–10000',
  },
  mergeStrategy: {
    name: 'MERGE_STRATEGY',
    parse: oneOf(MERGE_STRATEGIES),
    default: 'sum',
    description: '`sum` \\| `guest` \\| `user` \\| `newest`',
  },
  seedDemoCatalog: {
    name: 'SEED_DEMO_CATALOG',
    parse: bool(),
    default: (read) => (read('DATABASE_URL') === undefined ? 'true' : 'false'),
    description:
      'put the demo catalog into an empty `products` table at start-up (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`)',
    defaultNote: 'without `DATABASE_URL`, `false` with it',
  },
  cleanupCron: {
    name: 'CLEANUP_CRON',
    parse: matching(/^(\S+\s+){4,5}\S+$/, 'a cron expression with 5 or 6 fields'),
    default: '0 * * * *',
    description: 'schedule of the cleanup job, cron with 5 or 6 fields',
    defaultNote: '(hourly)',
    addition: true,
  },
  corsOrigins: {
    name: 'CORS_ORIGINS',
    parse: corsOrigins,
    default: '*',
    description:
      "comma-separated allowed origins; unset or `*` → any origin (the request's origin is echoed back)",
    defaultNote: '(any)',
    addition: true,
  },
  paymentProvider: {
    name: 'PAYMENT_PROVIDER',
    parse: oneOf(PAYMENT_PROVIDERS),
    default: 'sandbox',
    description: 'payment provider implementation; `sandbox` is the only built-in one',
    addition: true,
  },
  /** how long a checkout waits for the payment provider before leaving the order to the reconciler */
  paymentTimeoutMs: {
    name: 'PAYMENT_TIMEOUT_MS',
    parse: int(100, 120_000),
    default: '10000',
    description:
      "how long checkout waits for the provider's answer (100–120000); without an answer the order stays `awaiting_payment` for the reconciler or a retry with the same key",
    addition: true,
  },
  /** the sandbox provider's simulated latency per call (tests, the benchmark's hot-product scenario) */
  paymentSandboxLatencyMs: {
    name: 'PAYMENT_SANDBOX_LATENCY_MS',
    parse: int(0, 60_000),
    default: '0',
    description: "the sandbox provider's simulated latency per call (0–60000), for tests and the benchmark",
    addition: true,
  },
  /** contract §11: an undelivered mail is retried this long, then dead-lettered */
  mailMaxAgeHours: {
    name: 'MAIL_MAX_AGE_HOURS',
    parse: int(1, 24 * 365),
    default: '168',
    description: 'how long an undelivered mail keeps being retried before it is dead-lettered',
    defaultNote: '(7 days)',
  },
  /** contract §2, §11: the shop's web address that customer mails link to, without a trailing slash */
  storefrontUrl: {
    name: 'STOREFRONT_URL',
    parse: storefrontUrl,
    default: 'http://localhost:3000',
    description:
      "the shop's web address (`http://` or `https://`, a path allowed, no query) that customer mails link to: `{STOREFRONT_URL}/verify-email?token=…` and `{STOREFRONT_URL}/orders/lookup?order_number=…` (see [Email](#email-outbox))",
  },
  /** contract §2, §11: the language of customer mails */
  mailLocale: {
    name: 'MAIL_LOCALE',
    parse: oneOf(MAIL_LOCALES),
    default: 'en',
    description:
      'language of customer mails: `en` or `es` (money is formatted for this language and `CURRENCY`)',
  },
  logLevel: {
    name: 'LOG_LEVEL',
    parse: oneOf(LOG_LEVELS),
    default: (read) => (read('NODE_ENV') === 'test' ? 'silent' : 'info'),
    description: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
    defaultNote: '(`silent` when `NODE_ENV=test`)',
    addition: true,
  },
  nodeEnv: {
    name: 'NODE_ENV',
    parse: text,
    default: 'development',
    description:
      '`production` makes `JWT_SECRET` mandatory; `development` on a terminal prints pretty single-line logs (pino-pretty, a dev dependency) instead of JSON',
    addition: true,
  },
} as const satisfies Record<string, Variable<unknown>>;
