import { ApiClient, createApiClient, newIdempotencyKey } from '../../client';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import { createProduct, CreatedProduct } from '../support/factories';
import { CARD, PASSWORD, SHIPPING, uniqueEmail } from '../support/fixtures';
import { readMail, verificationToken } from '../support/shopper-mail';
import { TestSmtpServer } from '../support/smtp-server';
import { createTestApp, TestApp } from '../support/test-app';

/** What openapi-fetch answers: the parsed success body, or the parsed error body, and the Response. */
interface ClientResult<T> {
  data?: { data: T };
  error?: unknown;
  response: Response;
}

/** The envelope's `data` of a success with `status`; anything else fails with the error body shown. */
function dataOf<T>(result: ClientResult<T>, status: number): T {
  expect({ status: result.response.status, error: result.error }).toEqual({ status, error: undefined });
  if (result.data === undefined) throw new Error(`no body in the ${status} answer`);
  expect(result.data).toMatchObject({ success: true });
  return result.data.data;
}

/** A cart's lines as `[product_id, quantity]`, sorted by product id (the order of lines is not the point here). */
function lines(cart: { items: { product_id: string; quantity: number }[] }): [string, number][] {
  return cart.items
    .map((item): [string, number] => [item.product_id, item.quantity])
    .sort(([a], [b]) => a.localeCompare(b));
}

function sortedLines(...pairs: [CreatedProduct, number][]): [string, number][] {
  return pairs
    .map(([product, quantity]): [string, number] => [product.id, quantity])
    .sort(([a], [b]) => a.localeCompare(b));
}

describe('the shopper journey through the generated client over real HTTP (contract §3–§8)', () => {
  const smtp = new TestSmtpServer();
  let t: TestApp;
  let baseUrl: string;
  let api: ApiClient;

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp({ SMTP_URL: smtp.url });
    baseUrl = await t.listen();
    api = createApiClient({ baseUrl, fetch: t.fetch });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  /** Sends every queued mail to the SMTP test server and returns the newest verification token for `email`. */
  async function deliveredVerificationToken(email: string): Promise<string> {
    await t.app.get(MailDispatcher).dispatchDue();
    const mails = await Promise.all(smtp.to(email).map((mail) => readMail(mail.raw)));
    const verification = mails.filter((mail) =>
      mail.textLinks.some((url) => url.pathname.endsWith('/verify-email')),
    );
    const last = verification.at(-1);
    if (last === undefined) throw new Error(`no verification mail delivered to ${email}`);
    return verificationToken(last);
  }

  /** A new guest cart holding `items`; returns its session id. */
  async function guestCart(...items: [CreatedProduct, number][]): Promise<string> {
    const created = await api.POST('/api/v1/cart/guest', {
      body: { items: items.map(([product, quantity]) => ({ product_id: product.id, quantity })) },
    });
    return dataOf(created, 201).session_id;
  }

  it('takes a guest from cart to order and lookup, then to an account with a merged cart and a verified email', async () => {
    const shirt = await createProduct(t, { unit_price: 2500, stock: 10 });
    const mug = await createProduct(t, { unit_price: 900, stock: 10 });
    const email = uniqueEmail('journey');

    // a guest cart, then its lines replaced by the full set (contract §4)
    const sessionId = await guestCart([shirt, 1]);
    const updated = dataOf(
      await api.POST('/api/v1/cart/guest', {
        body: {
          session_id: sessionId,
          items: [
            { product_id: shirt.id, quantity: 2 },
            { product_id: mug.id, quantity: 1 },
          ],
        },
      }),
      200,
    );
    expect(lines(updated.cart)).toEqual(sortedLines([shirt, 2], [mug, 1]));
    expect(updated.cart.subtotal).toBe(2 * 2500 + 900);
    const read = dataOf(
      await api.GET('/api/v1/cart/guest/{session_id}', { params: { path: { session_id: sessionId } } }),
      200,
    );
    expect(lines(read.cart)).toEqual(sortedLines([shirt, 2], [mug, 1]));

    // the guest order, retried with the same Idempotency-Key: one order, the same answer (contract §6)
    const idempotencyKey = newIdempotencyKey();
    const order = () =>
      api.POST('/api/v1/orders/guest', {
        params: { header: { 'Idempotency-Key': idempotencyKey } },
        body: {
          session_id: sessionId,
          customer_info: { email, first_name: 'Jane', last_name: 'Doe' },
          shipping_address: SHIPPING,
          payment_info: CARD,
        },
      });
    const placed = dataOf(await order(), 201);
    expect(placed.order).toMatchObject({ status: 'paid', email, total: 5900, is_guest: true });
    expect(placed.confirmation_details.order_number).toBe(placed.order.order_number);
    expect(dataOf(await order(), 201)).toEqual(placed);
    const emptied = dataOf(
      await api.GET('/api/v1/cart/guest/{session_id}', { params: { path: { session_id: sessionId } } }),
      200,
    );
    expect(emptied.cart.items).toEqual([]);

    // lookup by email and order number (contract §7)
    const found = dataOf(
      await api.POST('/api/v1/orders/guest-lookup', {
        body: { email, order_number: placed.order.order_number },
      }),
      200,
    );
    expect(found.order.id).toBe(placed.order.id);
    expect(found.tracking_info.status).toBe('paid');

    // an account with the same email: the guest order waits until the email is proven (contract §8)
    const registered = dataOf(
      await api.POST('/api/v1/auth/register', { body: { email, password: PASSWORD } }),
      201,
    );
    expect(registered.user).toMatchObject({ email, email_verified: false });
    const account = createApiClient({ baseUrl, token: registered.token, fetch: t.fetch });
    expect(dataOf(await account.GET('/api/v1/orders'), 200).orders).toEqual([]);

    // a cart from another guest visit, merged into the account's cart (contract §5)
    const laterSession = await guestCart([mug, 3]);
    const merged = dataOf(
      await account.POST('/api/v1/cart/merge', { body: { guest_session_id: laterSession } }),
      200,
    );
    expect(lines(merged.merged_cart)).toEqual(sortedLines([mug, 3]));
    expect(merged.merge_report.added).toEqual([{ product_id: mug.id, quantity: 3 }]);
    expect(lines(dataOf(await account.GET('/api/v1/cart'), 200).cart)).toEqual(sortedLines([mug, 3]));

    // the token from the delivered verification mail proves the email and links the guest order
    const verified = dataOf(
      await api.POST('/api/v1/auth/verify-email', {
        body: { token: await deliveredVerificationToken(email) },
      }),
      200,
    );
    expect(verified.user.email_verified).toBe(true);
    expect(verified.linked_orders.map((linked) => linked.id)).toEqual([placed.order.id]);
    const mine = dataOf(await account.GET('/api/v1/orders'), 200).orders;
    expect(mine.map((mineOrder) => mineOrder.id)).toEqual([placed.order.id]);
  });

  it('converts a guest who just ordered into an account that owns the order and the guest cart', async () => {
    const lamp = await createProduct(t, { unit_price: 4000, stock: 5 });
    const bulb = await createProduct(t, { unit_price: 300, stock: 5 });
    const email = uniqueEmail('convert');

    const sessionId = await guestCart([lamp, 1]);
    const placed = dataOf(
      await api.POST('/api/v1/orders/guest', {
        params: { header: { 'Idempotency-Key': newIdempotencyKey() } },
        body: {
          session_id: sessionId,
          customer_info: { email, first_name: 'Olga', last_name: 'Guest' },
          shipping_address: SHIPPING,
          payment_info: CARD,
        },
      }),
      201,
    );
    // the shopper keeps browsing in the same session before creating the account
    dataOf(
      await api.POST('/api/v1/cart/guest', {
        body: { session_id: sessionId, items: [{ product_id: bulb.id, quantity: 2 }] },
      }),
      200,
    );

    const converted = dataOf(
      await api.POST('/api/v1/auth/convert-guest', {
        body: {
          email,
          password: PASSWORD,
          guest_order_id: placed.order.order_number,
          guest_session_id: sessionId,
        },
      }),
      201,
    );
    // names come from the guest order; the named order is linked at once
    expect(converted.user).toMatchObject({
      email,
      first_name: 'Olga',
      last_name: 'Guest',
      email_verified: false,
    });
    expect(converted.linked_orders.map((linked) => linked.id)).toEqual([placed.order.id]);
    const account = createApiClient({ baseUrl, token: converted.token, fetch: t.fetch });
    expect(lines(dataOf(await account.GET('/api/v1/cart'), 200).cart)).toEqual(sortedLines([bulb, 2]));
    const mine = dataOf(await account.GET('/api/v1/orders'), 200).orders;
    expect(mine.map((mineOrder) => mineOrder.id)).toEqual([placed.order.id]);

    const verified = dataOf(
      await api.POST('/api/v1/auth/verify-email', {
        body: { token: await deliveredVerificationToken(email) },
      }),
      200,
    );
    expect(verified.user.email_verified).toBe(true);
    const me = dataOf(await account.GET('/api/v1/auth/me'), 200);
    expect(me.user.email_verified).toBe(true);
  });

  it('answers errors as the envelope the client types as `error`', async () => {
    const missing = await api.GET('/api/v1/cart/guest/{session_id}', {
      params: { path: { session_id: '00000000-0000-4000-8000-000000000000' } },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.data).toBeUndefined();
    expect(missing.error).toMatchObject({ success: false, error: { code: 'GUEST_SESSION_NOT_FOUND' } });
  });
});
