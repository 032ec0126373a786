/** The enumerations and bounds of the configuration, used by the variable table and by the features. */

export const MAX_CART_LINES_BOUND = 200;
export const MAX_LINE_QUANTITY_BOUND = 10_000;

export const PAYMENT_PROVIDERS = ['sandbox'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

export const MERGE_STRATEGIES = ['sum', 'guest', 'user', 'newest'] as const;
export type MergeStrategyName = (typeof MERGE_STRATEGIES)[number];

export const MAIL_LOCALES = ['en', 'es'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
