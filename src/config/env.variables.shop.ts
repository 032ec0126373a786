import { bool, int, matching, oneOf, storefrontUrl, upperCase, Variable } from './env.parsers';
import {
  MAIL_LOCALES,
  MAX_CART_LINES_BOUND,
  MAX_LINE_QUANTITY_BOUND,
  MERGE_STRATEGIES,
  PAYMENT_PROVIDERS,
} from './env.values';

/**
 * The shop's variables (contract §2): money, guest sessions, cart limits, merge, catalog seed, cleanup,
 * payment and customer mail. env.variables.ts places them in the one table, after the process's own.
 */
export const SHOP_VARIABLES = {
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
} as const satisfies Record<string, Variable<unknown>>;
