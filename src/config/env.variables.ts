import {
  bearerToken,
  bool,
  corsOrigins,
  int,
  lowerCase,
  matching,
  oneOf,
  secret,
  text,
  trustProxy,
  url,
  Variable,
} from './env.parsers';
import { LOG_LEVELS } from './env.values';
import { SHOP_VARIABLES } from './env.variables.shop';

/**
 * Every environment variable the app reads (contract §2), in README's order; AppConfig's fields are its
 * keys. The process's own are here, the shop's in env.variables.shop.ts (one table, two files).
 */
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
  /** contract §2: off behind a transaction-mode connection pooler that cannot keep named statements */
  dbPreparedStatements: {
    name: 'DB_PREPARED_STATEMENTS',
    parse: bool(['on', 'true', '1'], ['off', 'false', '0']),
    default: 'on',
    description:
      '`on`/`off`: named prepared statements (off behind a connection pooler that cannot keep them, e.g. PgBouncer in transaction mode)',
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
  corsOrigins: {
    name: 'CORS_ORIGINS',
    parse: corsOrigins,
    default: '*',
    description:
      "comma-separated allowed origins; unset or `*` → any origin (the request's origin is echoed back)",
    defaultNote: '(any)',
    addition: true,
  },
  rateLimits: {
    name: 'RATE_LIMITS',
    parse: bool(['on', 'true', '1'], ['off', 'false', '0']),
    default: 'on',
    description: '`on` / `off` (`true`/`false`, `1`/`0` also accepted); off only for benchmarks',
  },
  /** contract §2, §12: GET /metrics answers only this Bearer token; unset → /metrics is off (404) */
  metricsToken: {
    name: 'METRICS_TOKEN',
    parse: bearerToken(16, 256),
    description:
      'Bearer token that `GET /metrics` requires (16–256 characters: letters, digits, `-._~+/`, trailing `=`); unset → `/metrics` is off (404). See [Metrics](#metrics)',
    defaultNote: '(metrics off)',
    example: 'change-me-to-a-long-random-token',
    secret: true,
  },
  /** SIGTERM only (shutdown-drain.ts): the load balancer takes the instance out while it still serves */
  shutdownDrainSeconds: {
    name: 'SHUTDOWN_DRAIN_SECONDS',
    parse: int(0, 300),
    default: '5',
    description:
      'on SIGTERM, seconds the instance keeps serving while the load balancer takes it out (`GET /health` answers 503 `stopping`, every response carries `Connection: close`), then it closes; 0–300. SIGINT stops at once. How to pick it: `docs/operations.md` §4',
    addition: true,
  },
  ...SHOP_VARIABLES,
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
