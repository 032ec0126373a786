import { mailOutbox } from '../../src/database/schema';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import { createGuestOrder, createProduct, registerUser, uniqueEmail } from '../support/factories';
import { readMail, ShopperMail } from '../support/shopper-mail';
import { TestSmtpServer } from '../support/smtp-server';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * contract §11: mails are for shoppers — multipart (text and HTML), in MAIL_LOCALE, money formatted for
 * CURRENCY, links into STOREFRONT_URL that the storefront turns into the API calls. Every mail is read
 * from a real SMTP server and parsed as a mail client would.
 */

/** Delivers what is due and reads the one mail `recipient` received. */
async function deliveredTo(t: TestApp, smtp: TestSmtpServer, recipient: string): Promise<ShopperMail> {
  await t.app.get(MailDispatcher).dispatchDue();
  const received = smtp.to(recipient);
  expect(received).toHaveLength(1);
  return readMail(received[0].raw);
}

/** Both parts are there, and neither speaks API: no path under /api/, no JSON. */
function expectShopperMail(mail: ShopperMail): void {
  expect(mail.contentType).toBe('multipart/alternative');
  expect(mail.partTypes).toEqual(['text/plain', 'text/html']);
  expect(mail.text.trim()).not.toBe('');
  expect(mail.text).not.toMatch(/<[a-z]/i);
  expect(mail.html).toMatch(/^<!doctype html>/i);
  for (const part of [mail.text, mail.html]) {
    expect(part).not.toContain('/api/');
    expect(part).not.toContain('{');
  }
}

/** The one link of the text part to `path` under the storefront; the HTML part links to the same. */
function storefrontLink(mail: ShopperMail, storefront: string, path: string): URL {
  const links = mail.textLinks.filter((link) => link.href.startsWith(`${storefront}${path}?`));
  expect(links).toHaveLength(1);
  const [link] = links;
  expect(mail.htmlLinks.map((l) => l.href)).toContain(link.href);
  return link;
}

describe('shopper mails in English (contract §11)', () => {
  const STOREFRONT = 'https://shop.example.test/store';
  const smtp = new TestSmtpServer();
  let t: TestApp;

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp({ SMTP_URL: smtp.url, STOREFRONT_URL: `${STOREFRONT}/` });
    // only the test's dispatchDue() sends
    await t.app.get(MailDispatcher).onApplicationShutdown();
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('confirms an order with its number, lines and totals in dollars, and a lookup link that works', async () => {
    const mug = await createProduct(t, { name: 'Blue mug', unit_price: 123_450 });
    const cup = await createProduct(t, { name: 'Tea cup', unit_price: 99 });
    const email = uniqueEmail('confirmed');
    const placed = await createGuestOrder(
      t,
      [
        [mug, 2],
        [cup, 1],
      ],
      { email },
    );
    const orderNumber = placed.order.order_number;

    const mail = await deliveredTo(t, smtp, email);
    expectShopperMail(mail);
    expect(mail.subject).toBe(`Your order ${orderNumber}`);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain(orderNumber);
      expect(part).toContain('Blue mug');
      expect(part).toContain('$1,234.50');
      expect(part).toContain('$2,469.00');
      expect(part).toContain('$0.99');
      expect(part).toContain('$2,469.99'); // subtotal and total
      expect(part).not.toContain('123450');
    }

    const link = storefrontLink(mail, STOREFRONT, '/orders/lookup');
    expect([...link.searchParams.keys()]).toEqual(['order_number']);
    expect(link.href).not.toContain(encodeURIComponent(email));
    expect(link.href).not.toContain('@');

    // what the lookup page does: the number from the link, the email from the shopper
    const lookup = await t.request('POST', '/api/v1/orders/guest-lookup', {
      body: { email, order_number: link.searchParams.get('order_number') },
    });
    expect(lookup.status).toBe(200);
    expect(lookup.body.data.order.id).toBe(placed.order.id);
  });

  it('sends a verification link whose token verifies the address, with the code intact in the raw message', async () => {
    const email = uniqueEmail('verify');
    const earlier = await createGuestOrder(t, [[await createProduct(t), 1]], { email });
    await t.app.get(MailDispatcher).dispatchDue(); // the order's confirmation
    smtp.received.length = 0;
    // converting without naming the order leaves it to be linked once the address is verified
    const converted = await t.request('POST', '/api/v1/auth/convert-guest', {
      body: { email, password: 'a-good-password' },
    });
    expect(converted.status).toBe(201);
    expect(converted.body.data.pending_link_count).toBe(1);

    const mail = await deliveredTo(t, smtp, email);
    expectShopperMail(mail);
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.text).toContain('your earlier guest order appears in your account');

    const link = storefrontLink(mail, STOREFRONT, '/verify-email');
    const token = link.searchParams.get('token') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // URL-safe: nothing to percent-encode
    // the code on its own line reaches the raw message (an .eml file) in one piece
    expect(mail.raw).toMatch(new RegExp(`\\r?\\n${token}\\r?\\n`));
    expect(mail.text).toMatch(new RegExp(`^${token}$`, 'm'));

    // what the verification page does with the token from the link
    const verified = await t.request('POST', '/api/v1/auth/verify-email', { body: { token } });
    expect(verified.status).toBe(200);
    expect(verified.body.data.linked_orders).toEqual([
      expect.objectContaining({ order_number: earlier.order.order_number }),
    ]);
  });

  it('still renders a confirmation queued by the previous version (preformatted money, an API path)', async () => {
    const email = uniqueEmail('old-context');
    await t.database.db.insert(mailOutbox).values({
      recipient: email,
      subject: 'Your order GC-OLD-1',
      template: 'order-confirmation',
      context: {
        firstName: 'Jane',
        orderNumber: 'GC-OLD-1',
        items: [{ sku: 'MUG', name: 'Old mug', quantity: 1, unitPrice: '12.34 USD', lineTotal: '12.34 USD' }],
        subtotal: '12.34 USD',
        total: '12.34 USD',
        lookupPath: '/api/v1/orders/guest-lookup/',
      },
      nextAttemptAt: t.clock.now(),
    });

    const mail = await deliveredTo(t, smtp, email);
    expectShopperMail(mail);
    expect(mail.subject).toBe('Your order GC-OLD-1');
    expect(mail.text).toContain('12.34 USD');
    expect(storefrontLink(mail, STOREFRONT, '/orders/lookup').searchParams.get('order_number')).toBe(
      'GC-OLD-1',
    );
  });
});

describe('shopper mails in Spanish (MAIL_LOCALE=es, CURRENCY=EUR)', () => {
  const STOREFRONT = 'https://tienda.example.test';
  const smtp = new TestSmtpServer();
  let t: TestApp;

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp({
      SMTP_URL: smtp.url,
      STOREFRONT_URL: STOREFRONT,
      MAIL_LOCALE: 'es',
      CURRENCY: 'EUR',
    });
    await t.app.get(MailDispatcher).onApplicationShutdown();
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('confirms an order in Spanish with euros written the Spanish way', async () => {
    const lamp = await createProduct(t, { name: 'Lámpara', unit_price: 123_450 });
    const email = uniqueEmail('pedido');
    const placed = await createGuestOrder(t, [[lamp, 2]], { email });
    const orderNumber = placed.order.order_number;

    const mail = await deliveredTo(t, smtp, email);
    expectShopperMail(mail);
    expect(mail.subject).toBe(`Tu pedido ${orderNumber}`);
    expect(mail.text).toContain(`Gracias por tu pedido ${orderNumber}`);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Lámpara');
      expect(part).toContain('1234,50\u00a0€');
      expect(part).toContain('2469,00\u00a0€');
    }
    expect(mail.html).toContain('<html lang="es">');

    const link = storefrontLink(mail, STOREFRONT, '/orders/lookup');
    const lookup = await t.request('POST', '/api/v1/orders/guest-lookup', {
      body: { email, order_number: link.searchParams.get('order_number') },
    });
    expect(lookup.status).toBe(200);
  });

  it('asks in Spanish to confirm the address, with a link whose token verifies it', async () => {
    const email = uniqueEmail('verificar');
    await registerUser(t, email);

    const mail = await deliveredTo(t, smtp, email);
    expectShopperMail(mail);
    expect(mail.subject).toBe('Confirma tu dirección de correo');
    expect(mail.text).toContain('Confirma tu dirección de correo para terminar de crear tu cuenta');

    const token = storefrontLink(mail, STOREFRONT, '/verify-email').searchParams.get('token');
    expect(mail.raw).toMatch(new RegExp(`\\r?\\n${token}\\r?\\n`));
    const verified = await t.request('POST', '/api/v1/auth/verify-email', { body: { token } });
    expect(verified.status).toBe(200);
  });
});
