import { count, eq } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { orders, users } from '../../src/database/schema';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import { CARD, MINIMAL_SHIPPING, uniqueEmail } from '../support/fixtures';
import { readMail, verificationToken as tokenOfVerificationMail } from '../support/shopper-mail';
import { useShop } from '../support/use-shop';

describe('guest-to-user conversion (contract §8)', () => {
  const { t, api } = useShop();

  async function guestOrder(
    email: string,
    opts: { firstName?: string; phone?: string; sessionId?: string } = {},
  ) {
    const product = await api.product({ stock: 20, unit_price: 500 });
    let sessionId = opts.sessionId;
    if (sessionId === undefined) {
      sessionId = await api.guestCart([[product, 1]]);
    } else {
      await api.writeGuestCart({ session_id: sessionId, items: [{ product_id: product.id, quantity: 1 }] });
    }
    const res = await api.placeGuestOrder({
      session_id: sessionId,
      customer_info: {
        email,
        first_name: opts.firstName ?? 'Gina',
        last_name: 'Guest',
        ...(opts.phone ? { phone: opts.phone } : {}),
      },
      shipping_address: MINIMAL_SHIPPING,
      payment_info: CARD,
    });
    expect(res.status).toBe(201);
    return { order: res.body.data.order, sessionId };
  }

  /** Delivers the outbox and reads the newest verification token sent to `email` from the .eml files. */
  async function verificationToken(email: string): Promise<string> {
    await t.app.get(MailDispatcher).dispatchDue();
    const dir = join(t.config.dataDir, 'mail');
    const files = readdirSync(dir)
      .filter((f) => f.includes('email-verification'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .filter((raw) => raw.includes(`To: ${email}`));
    const raw = files.at(-1);
    if (raw === undefined) throw new Error(`no verification mail for ${email}`);
    return tokenOfVerificationMail(await readMail(raw));
  }

  it('creates the account, links the named order at once and leaves the others for verification', async () => {
    const email = uniqueEmail('conv');
    const first = await guestOrder(email, { firstName: 'Olga', phone: '+1 555 0101' });
    const second = await guestOrder(email);

    const res = await api.convertGuest(
      {
        email: email.toUpperCase(),
        password: 'a-good-password',
        guest_order_id: first.order.order_number,
      },
      { trailingSlash: true },
    );

    expect(res.status).toBe(201);
    expect(res.body.data.user).toMatchObject({
      email,
      first_name: 'Olga',
      last_name: 'Guest',
      email_verified: false,
    });
    expect(res.body.data.linked_orders.map((o) => o.id)).toEqual([first.order.id]);
    expect(res.body.data.pending_link_count).toBe(1);
    const mine = await api.userOrders(res.body.data.token);
    expect(mine.body.data.orders.map((o) => o.id)).toEqual([first.order.id]);

    const verified = await api.verifyEmail({ token: await verificationToken(email) });
    expect(verified.status).toBe(200);
    expect(verified.body.data.linked_orders.map((o) => o.id)).toEqual([second.order.id]);
    const after = await api.userOrders(res.body.data.token);
    expect(after.body.data.orders).toHaveLength(2);
    // linked orders stay reachable through guest lookup
    const lookup = await api.lookup('POST', email, second.order.order_number);
    expect(lookup.status).toBe(200);
  });

  it('accepts the order id as well as the order number', async () => {
    const email = uniqueEmail('conv');
    const { order } = await guestOrder(email);
    const res = await api.convertGuest({ email, password: 'a-good-password', guest_order_id: order.id });
    expect(res.status).toBe(201);
    expect(res.body.data.linked_orders).toHaveLength(1);
  });

  it('links nothing for an attacker who registers someone else’s email until the mail’s token is used', async () => {
    const victim = uniqueEmail('victim');
    await guestOrder(victim);
    const res = await api.convertGuest({ email: victim, password: 'attacker-password' });
    expect(res.status).toBe(201);
    expect(res.body.data.linked_orders).toEqual([]);
    expect(res.body.data.pending_link_count).toBe(1);
    expect((await api.userOrders(res.body.data.token)).body.data.orders).toEqual([]);
  });

  it('answers 404 and creates nothing for a stolen order number with the wrong email', async () => {
    const { order } = await guestOrder(uniqueEmail('owner'));
    const thief = uniqueEmail('thief');
    const res = await api.convertGuest({
      email: thief,
      password: 'a-good-password',
      guest_order_id: order.order_number,
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ORDER_NOT_FOUND');
    expect(await t.database.db.select().from(users).where(eq(users.email, thief))).toEqual([]);
    const [row] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(row.userId).toBeNull();
  });

  it('links the orders of the guest session and carries its cart over', async () => {
    const email = uniqueEmail('sess');
    const { order, sessionId } = await guestOrder(email);
    const product = await api.product({ stock: 5 });
    await api.writeGuestCart({ session_id: sessionId, items: [{ product_id: product.id, quantity: 2 }] });

    const res = await api.convertGuest({ email, password: 'a-good-password', guest_session_id: sessionId });

    expect(res.status).toBe(201);
    expect(res.body.data.linked_orders.map((o) => o.id)).toEqual([order.id]);
    const cart = await api.userCart(res.body.data.token);
    expect(cart.body.data.cart.items).toEqual([
      expect.objectContaining({ product_id: product.id, quantity: 2 }),
    ]);
  });

  it('refuses taken and guest-pattern emails', async () => {
    const user = await api.user();
    const taken = await api.convertGuest({ email: user.email, password: 'a-good-password' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('EMAIL_ALREADY_REGISTERED');
    const guest = await api.convertGuest({ email: 'guest_1@checkout.guest', password: 'a-good-password' });
    expect(guest.status).toBe(422);
    expect(guest.body.error.code).toBe('GUEST_EMAIL_NOT_ALLOWED');
  });

  it('does not let a verification token be used twice', async () => {
    const email = uniqueEmail('twice');
    await api.convertGuest({ email, password: 'a-good-password' });
    const token = await verificationToken(email);
    expect((await api.verifyEmail({ token })).status).toBe(200);
    const again = await api.verifyEmail({ token });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('INVALID_TOKEN');
  });

  it('creates one account when the same email converts concurrently', async () => {
    const email = uniqueEmail('race');
    await guestOrder(email);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => api.convertGuest({ email, password: 'a-good-password' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const [n] = await t.database.db.select({ n: count() }).from(users).where(eq(users.email, email));
    expect(n.n).toBe(1);
  });

  it('validates the body', async () => {
    for (const body of [
      { email: 'x', password: 'a-good-password' },
      { email: uniqueEmail(), password: 'short' },
      { email: uniqueEmail(), password: 'a-good-password', guest_session_id: 'nope' },
    ]) {
      expect((await api.convertGuest(body)).status).toBe(400);
    }
  });
});
