import type { MailLocale } from '../../config/env.schema';
import { MailTemplate } from './mail.types';

/**
 * What a template is rendered from: the outbox row's context turned into what a shopper reads (contract
 * §11) — money formatted for the locale and currency, links into the storefront. Pure, unit-tested beside.
 *
 * The outbox keeps a mail's context as JSON and renders it when the mail is sent, so a context written by
 * an older version must still render: money that is already a string (older confirmations stored
 * "12.34 USD") is shown as it is, and keys that are no longer used (`lookupPath`) are ignored.
 */
export interface MailSettings {
  locale: MailLocale;
  /** the store currency, used when a context does not name its own */
  currency: string;
  /** STOREFRONT_URL without a trailing slash */
  storefrontUrl: string;
}

/** The contexts the services queue (all money in minor units). */
export interface VerificationContext {
  firstName: string | null;
  token: string;
  expiresInHours: number;
  /** guest orders that are linked to the account once the address is verified */
  pendingOrders: number;
}

export interface ConfirmationContext {
  firstName: string;
  orderNumber: string;
  currency: string;
  items: { sku: string; name: string; quantity: number; unitPrice: number; lineTotal: number }[];
  subtotal: number;
  total: number;
}

export interface VerificationView {
  firstName: string;
  token: string;
  verifyUrl: string;
  verifyPageUrl: string;
  expiresInHours: number;
  pendingOrders: number;
  onePendingOrder: boolean;
}

export interface ConfirmationView {
  firstName: string;
  orderNumber: string;
  lookupUrl: string;
  items: { sku: string; name: string; quantity: number; unitPrice: string; lineTotal: string }[];
  subtotal: string;
  total: string;
}

export const VERIFY_EMAIL_PAGE = 'verify-email';
export const ORDER_LOOKUP_PAGE = 'orders/lookup';

/** The view a template renders, for the mail's template. */
export function mailView(
  template: MailTemplate,
  context: unknown,
  settings: MailSettings,
): VerificationView | ConfirmationView {
  switch (template) {
    case 'email-verification':
      return verificationView(record(context), settings);
    case 'order-confirmation':
      return confirmationView(record(context), settings);
  }
}

export function verificationView(context: Record<string, unknown>, settings: MailSettings): VerificationView {
  const token = text(context.token);
  const pendingOrders = Math.max(0, Math.trunc(num(context.pendingOrders) ?? 0));
  return {
    firstName: text(context.firstName),
    token,
    verifyUrl: storefrontLink(settings.storefrontUrl, VERIFY_EMAIL_PAGE, { token }),
    verifyPageUrl: storefrontLink(settings.storefrontUrl, VERIFY_EMAIL_PAGE, {}),
    expiresInHours: num(context.expiresInHours) ?? 24,
    pendingOrders,
    onePendingOrder: pendingOrders === 1,
  };
}

export function confirmationView(context: Record<string, unknown>, settings: MailSettings): ConfirmationView {
  const currency = isCurrencyCode(context.currency) ? context.currency : settings.currency;
  const money = (value: unknown) => formatMoney(value, currency, settings.locale);
  const orderNumber = text(context.orderNumber);
  const items = Array.isArray(context.items) ? context.items.map(record) : [];
  return {
    firstName: text(context.firstName),
    orderNumber,
    // contract §11: the order number only; the page asks for the email, which never goes into a URL
    lookupUrl: storefrontLink(settings.storefrontUrl, ORDER_LOOKUP_PAGE, { order_number: orderNumber }),
    items: items.map((item) => ({
      sku: text(item.sku),
      name: text(item.name),
      quantity: num(item.quantity) ?? 0,
      unitPrice: money(item.unitPrice),
      lineTotal: money(item.lineTotal),
    })),
    subtotal: money(context.subtotal),
    total: money(context.total),
  };
}

/** `{storefront}/{page}?{query}`, every query value percent-encoded. */
export function storefrontLink(storefrontUrl: string, page: string, query: Record<string, string>): string {
  const url = new URL(`${storefrontUrl}/${page}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.href;
}

/**
 * An amount in minor units as the locale writes it in `currency` (`$1,234.50`, `1234,50 €`): divided
 * by 10^(the currency's decimals), so JPY has none and KWD three. A string is an amount an older
 * version already formatted and is shown as it is.
 */
export function formatMoney(value: unknown, currency: string, locale: MailLocale): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'number' || !Number.isFinite(value)) return '';
  const { format, divisor } = moneyFormat(locale, currency);
  return format.format(value / divisor);
}

// An Intl.NumberFormat costs far more to build than to use (it was 7 % of the app's CPU under the
// benchmark's order load, built per amount); one per locale and currency, a handful in all.
const moneyFormats = new Map<string, { format: Intl.NumberFormat; divisor: number }>();

function moneyFormat(locale: MailLocale, currency: string): { format: Intl.NumberFormat; divisor: number } {
  const key = `${locale} ${currency}`;
  let cached = moneyFormats.get(key);
  if (cached === undefined) {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    cached = { format, divisor: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) };
    moneyFormats.set(key, cached);
  }
  return cached;
}

function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Z]{3}$/.test(value);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
