import {
  confirmationView,
  formatMoney,
  MailSettings,
  storefrontLink,
  verificationView,
} from './mail-content';

const EN: MailSettings = { locale: 'en', currency: 'USD', storefrontUrl: 'https://shop.example.com/store' };

describe('formatMoney: minor units in the locale and currency (contract §11)', () => {
  it.each<[number, string, 'en' | 'es', string]>([
    [123_450, 'USD', 'en', '$1,234.50'],
    [5, 'USD', 'en', '$0.05'],
    [0, 'EUR', 'en', '€0.00'],
    [123_450, 'EUR', 'es', '1234,50\u00a0€'],
    [12_345_678, 'EUR', 'es', '123.456,78\u00a0€'],
    [1_500, 'JPY', 'en', '¥1,500'], // no minor unit
    [1_500, 'KWD', 'en', 'KWD\u00a01.500'], // three decimals
  ])('writes %d %s in %s as %s', (minor, currency, locale, expected) => {
    expect(formatMoney(minor, currency, locale)).toBe(expected);
  });

  it('shows money an older version already formatted as it is', () => {
    expect(formatMoney('12.34 USD', 'EUR', 'es')).toBe('12.34 USD');
  });

  it('writes nothing for a missing amount', () => {
    expect(formatMoney(undefined, 'USD', 'en')).toBe('');
  });
});

describe('storefrontLink', () => {
  it('joins the page to the storefront path and percent-encodes the query', () => {
    expect(storefrontLink(EN.storefrontUrl, 'orders/lookup', { order_number: 'A B&C=D/é' })).toBe(
      'https://shop.example.com/store/orders/lookup?order_number=A+B%26C%3DD%2F%C3%A9',
    );
  });
});

describe('verificationView', () => {
  it('links to {STOREFRONT_URL}/verify-email with the token', () => {
    const view = verificationView(
      { firstName: null, token: 'abc_-1', expiresInHours: 24, pendingOrders: 1 },
      EN,
    );
    expect(view).toEqual({
      firstName: '',
      token: 'abc_-1',
      verifyUrl: 'https://shop.example.com/store/verify-email?token=abc_-1',
      verifyPageUrl: 'https://shop.example.com/store/verify-email',
      expiresInHours: 24,
      pendingOrders: 1,
      onePendingOrder: true,
    });
  });
});

describe('confirmationView', () => {
  const context = {
    firstName: 'Jane',
    orderNumber: 'GC-1',
    currency: 'EUR',
    items: [{ sku: 'MUG', name: 'Mug', quantity: 2, unitPrice: 1_000, lineTotal: 2_000 }],
    subtotal: 2_000,
    total: 2_000,
  };

  it('formats every amount in the order’s currency and links to the lookup page by order number only', () => {
    expect(confirmationView(context, EN)).toEqual({
      firstName: 'Jane',
      orderNumber: 'GC-1',
      lookupUrl: 'https://shop.example.com/store/orders/lookup?order_number=GC-1',
      items: [{ sku: 'MUG', name: 'Mug', quantity: 2, unitPrice: '€10.00', lineTotal: '€20.00' }],
      subtotal: '€20.00',
      total: '€20.00',
    });
  });

  it('uses the store currency for a context without one, and ignores keys it no longer uses', () => {
    const view = confirmationView(
      { ...context, currency: undefined, lookupPath: '/api/v1/orders/guest-lookup/' },
      EN,
    );
    expect(view.total).toBe('$20.00');
    expect(JSON.stringify(view)).not.toContain('/api/');
  });
});
