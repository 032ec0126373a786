import { sql } from 'drizzle-orm';
import { CARD, line, MINIMAL_SHIPPING, uniqueEmail } from '../support/fixtures';
import { useShop } from '../support/use-shop';

/**
 * Which writes wait for the WAL flush (docs/decisions/005): cart and guest-session state commits
 * asynchronously, everything else (orders, accounts, mails, idempotency records) as the server is set.
 * A trigger on every table of the app records the `synchronous_commit` in force in the transaction that
 * wrote each row. One pooled connection, so a setting that outlived its transaction would show on the
 * next request's writes.
 */
describe('commit durability per write (ADR 005)', () => {
  const { t, api } = useShop({ DB_POOL_SIZE: '1' });

  const TABLES = [
    'guest_sessions',
    'carts',
    'cart_items',
    'cart_merge_logs',
    'users',
    'orders',
    'order_items',
    'mail_outbox',
    'guest_conversions',
  ];

  beforeAll(async () => {
    const statements = [
      'create table test_commit_modes (table_name text not null, operation text not null, mode text not null)',
      `create function test_record_commit_mode() returns trigger language plpgsql as $$
       begin
         insert into test_commit_modes values (tg_table_name, tg_op, current_setting('synchronous_commit'));
         return null;
       end $$`,
      ...TABLES.map(
        (table) =>
          `create trigger test_commit_mode after insert or update on ${table}
           for each row execute function test_record_commit_mode()`,
      ),
    ];
    for (const statement of statements) await t.database.db.execute(sql.raw(statement));
  });

  /**
   * `{table: mode}` of the rows written by `action` (a table written in two modes shows 'mixed'). The mail
   * dispatcher's updates of mail_outbox are left out: it sends queued mails (a registration's verification
   * mail) in the background and may do so while `action` runs; a mail that `action` queues is an insert.
   */
  async function modesOf(action: () => Promise<unknown>): Promise<Record<string, string>> {
    await t.database.db.execute(sql`delete from test_commit_modes`);
    await action();
    const result: unknown = await t.database.db.execute(
      sql`select table_name, min(mode) as low, max(mode) as high from test_commit_modes
           where not (table_name = 'mail_outbox' and operation = 'UPDATE')
           group by table_name`,
    );
    const { rows } = result as { rows: { table_name: string; low: string; high: string }[] };
    return Object.fromEntries(rows.map((r) => [r.table_name, r.low === r.high ? r.low : 'mixed']));
  }

  it('commits a new guest cart without waiting for the flush', async () => {
    const a = await api.product();
    expect(await modesOf(() => api.newGuestCart([line(a, 2)]))).toEqual({
      guest_sessions: 'off',
      carts: 'off',
      cart_items: 'off',
    });
  });

  it('commits a guest cart replace, and its session touch, without waiting for the flush', async () => {
    const a = await api.product();
    const b = await api.product();
    const created = await api.newGuestCart([line(a, 1)]);
    const modes = await modesOf(async () => {
      const res = await api.writeGuestCart({
        session_id: created.session_id,
        items: [line(a, 3), line(b, 1)],
      });
      expect(res.status).toBe(200);
    });
    expect(modes).toEqual({ guest_sessions: 'off', carts: 'off', cart_items: 'off' });
  });

  it("commits a read's due expiry slide without waiting for the flush", async () => {
    const a = await api.product();
    const created = await api.newGuestCart([line(a, 1)]);
    t.clock.advanceDays(1);
    expect(await modesOf(() => api.guestCartOf(created.session_id))).toEqual({ guest_sessions: 'off' });
  });

  it("commits a user's cart line and a merge without waiting for the flush", async () => {
    const a = await api.product();
    const b = await api.product();
    const user = await api.user();
    expect(await modesOf(() => api.userWith([[a, 1]]))).toMatchObject({ carts: 'off', cart_items: 'off' });
    const sessionId = await api.guestCart([[b, 2]]);
    expect(await modesOf(() => api.mergeOk(user.token, sessionId))).toEqual({
      carts: 'off',
      cart_items: 'off',
      cart_merge_logs: 'off',
    });
  });

  it('commits an order, right after a cart write on the same connection, as the server is set', async () => {
    const a = await api.product({ stock: 10 });
    const sessionId = await api.guestCart([[a, 1]]);
    await api.writeGuestCart({ session_id: sessionId, items: [line(a, 2)] });
    const modes = await modesOf(async () => {
      const res = await api.placeGuestOrder({
        session_id: sessionId,
        customer_info: { email: uniqueEmail(), first_name: 'Dora', last_name: 'Durable' },
        shipping_address: MINIMAL_SHIPPING,
        payment_info: CARD,
      });
      expect(res.status).toBe(201);
    });
    expect(modes).toMatchObject({ orders: 'on', order_items: 'on' });
    expect(Object.values(modes).every((mode) => mode === 'on')).toBe(true);
  });

  it('commits a conversion as the server is set, the merge it makes included', async () => {
    const a = await api.product();
    const sessionId = await api.guestCart([[a, 2]]);
    const modes = await modesOf(async () => {
      const res = await api.convertGuest({
        email: uniqueEmail('conv'),
        password: 'a-good-password',
        guest_session_id: sessionId,
      });
      expect(res.status).toBe(201);
    });
    expect(modes).toMatchObject({ users: 'on', carts: 'on', cart_merge_logs: 'on' });
    expect(Object.values(modes).every((mode) => mode === 'on')).toBe(true);
  });
});
