import { eq, sql } from 'drizzle-orm';
import { users } from '../../src/database/schema';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { expectNoPasswordLeak } from '../support/matchers';
import { ADMIN } from '../support/test-app';
import { useShop } from '../support/use-shop';

describe('accounts: register, login and me (contract §3)', () => {
  const { t, api } = useShop();

  async function usersWithEmail(email: string) {
    return t.database.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  }

  describe('POST /api/v1/auth/register', () => {
    it('creates a customer with 201 {user, token} in the contract shape', async () => {
      const email = uniqueEmail('reg');
      const res = await api.register({ email, password: PASSWORD, first_name: 'Jane', last_name: 'Doe' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        success: true,
        data: {
          user: {
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            email,
            first_name: 'Jane',
            last_name: 'Doe',
            role: 'customer',
            email_verified: false,
            created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
          },
          token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        },
      });
      expectNoPasswordLeak(res);
    });

    it('stores an argon2 hash, never the password itself', async () => {
      const user = await api.user();
      const [row] = await t.database.db.select().from(users).where(eq(users.id, user.id));
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
      expect(row.passwordHash).not.toContain(user.password);
    });

    it('leaves names null when they are not given', async () => {
      const res = await api.register({ email: uniqueEmail(), password: PASSWORD });
      expect(res.status).toBe(201);
      expect(res.body.data.user).toMatchObject({ first_name: null, last_name: null });
    });

    it('issues a token that authenticates the new user', async () => {
      const user = await api.user();
      const me = await api.me(user.token);
      expect(me.status).toBe(200);
      expect(me.body.data.user.id).toBe(user.id);
    });

    it('trims and lower-cases the email before storing it', async () => {
      const local = uniqueEmail('MiXeD').split('@')[0];
      const res = await api.register({ email: `  ${local}@Example.COM  `, password: PASSWORD });
      expect(res.status).toBe(201);
      const expected = `${local.toLowerCase()}@example.com`;
      expect(res.body.data.user.email).toBe(expected);
      const rows = await usersWithEmail(expected);
      expect(rows.map((row) => row.email)).toEqual([expected]);
    });

    it('refuses an email taken in another case with 409 EMAIL_ALREADY_REGISTERED', async () => {
      const user = await api.user();
      const res = await api.register({
        email: ` ${user.email.toUpperCase()} `,
        password: 'another-password',
      });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('EMAIL_ALREADY_REGISTERED');
      const rows = await usersWithEmail(user.email);
      expect(rows).toHaveLength(1);
      expect(rows[0].id).toBe(user.id);
    });

    it.each(['guest_x@example.com', 'GUEST_Shout@example.com', 'a@checkout.guest', 'b@Checkout.Guest'])(
      'refuses the guest-pattern email %s with 422 GUEST_EMAIL_NOT_ALLOWED and creates nothing',
      async (email) => {
        const res = await api.register({ email, password: PASSWORD });
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('GUEST_EMAIL_NOT_ALLOWED');
        expect(await usersWithEmail(email)).toHaveLength(0);
      },
    );

    it.each([
      ['7 characters', 'x'.repeat(7)],
      ['129 characters', 'x'.repeat(129)],
      ['a number', 12345678],
    ])('refuses a password of %s with 400 and creates nothing', async (_label, password) => {
      const email = uniqueEmail('pw');
      const res = await api.register({ email, password });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'password' })]),
      );
      expect(await usersWithEmail(email)).toHaveLength(0);
    });

    it('accepts passwords of exactly 8 and 128 characters', async () => {
      for (const password of ['x'.repeat(8), 'y'.repeat(128)]) {
        const res = await api.register({ email: uniqueEmail(), password });
        expect(res.status).toBe(201);
      }
    });

    it.each<[string, unknown]>([
      ['no at sign', 'not-an-email'],
      ['no domain', 'jane@'],
      ['a number', 42],
      ['an empty string', ''],
    ])('refuses an email with %s with 400', async (_label, email) => {
      const res = await api.register({ email, password: PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'email' })]),
      );
    });

    it('refuses a missing email with 400', async () => {
      const res = await api.register({ password: PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('refuses a self-assigned role (mass assignment) with 400 and creates nothing', async () => {
      const email = uniqueEmail('role');
      const res = await api.register({ email, password: PASSWORD, role: 'admin' });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ field: 'role', message: 'role is not an allowed field' }]);
      expect(await usersWithEmail(email)).toHaveLength(0);
    });

    it('creates exactly one account when the same email registers five times at once', async () => {
      const email = uniqueEmail('race');
      const results = await Promise.all(
        Array.from({ length: 5 }, () => api.register({ email, password: PASSWORD })),
      );
      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409]);
      for (const res of results.filter((r) => r.status === 409)) {
        expect(res.body.error.code).toBe('EMAIL_ALREADY_REGISTERED');
      }
      expect(await usersWithEmail(email)).toHaveLength(1);
    });
  });

  describe('POST /api/v1/auth/login', () => {
    it('answers 200 {user, token} for the right password, whatever the email case or padding', async () => {
      const user = await api.user();
      const res = await api.login({ email: `  ${user.email.toUpperCase()} `, password: user.password });
      expect(res.status).toBe(200);
      expect(res.body.data.user).toEqual({
        id: user.id,
        email: user.email,
        first_name: null,
        last_name: null,
        role: 'customer',
        email_verified: false,
        created_at: expect.any(String),
      });
      expectNoPasswordLeak(res);
      const me = await api.me(res.body.data.token);
      expect(me.body.data.user.id).toBe(user.id);
    });

    it('answers a wrong password and an unknown email with the same 401 INVALID_CREDENTIALS body', async () => {
      const user = await api.user();
      const wrongPassword = await api.login({ email: user.email, password: 'not-the-password' });
      const unknownEmail = await api.login({ email: uniqueEmail('nobody'), password: 'not-the-password' });
      expect(wrongPassword.status).toBe(401);
      expect(wrongPassword.body.error.code).toBe('INVALID_CREDENTIALS');
      expect(unknownEmail.status).toBe(401);
      expect(unknownEmail.raw).toBe(wrongPassword.raw);
    });

    it.each(['guest_x@example.com', 'a@checkout.guest'])(
      'refuses the guest-pattern email %s with 422 GUEST_EMAIL_NOT_ALLOWED',
      async (email) => {
        const res = await api.login({ email, password: PASSWORD });
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('GUEST_EMAIL_NOT_ALLOWED');
      },
    );

    it('refuses a missing password with 400', async () => {
      const res = await api.login({ email: uniqueEmail() });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('lets the ADMIN_EMAIL account created at start-up log in as an admin', async () => {
      const res = await api.login(ADMIN);
      expect(res.status).toBe(200);
      expect(res.body.data.user).toMatchObject({ email: ADMIN.email, role: 'admin', email_verified: true });
      const me = await api.me(res.body.data.token);
      expect(me.body.data.user.role).toBe('admin');
      expect(await usersWithEmail(ADMIN.email)).toHaveLength(1);
    });
  });

  describe('GET /api/v1/auth/me', () => {
    it('returns the authenticated user in the contract shape without a password hash', async () => {
      const register = await api.register({
        email: uniqueEmail('me'),
        password: PASSWORD,
        first_name: 'Ann',
      });
      const res = await api.me(register.body.data.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, data: { user: register.body.data.user } });
      expectNoPasswordLeak(res);
    });

    it('answers without a token with 401 UNAUTHENTICATED', async () => {
      const res = await api.me();
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        success: false,
        error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
      });
    });

    it.each(['garbage', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'])(
      'answers the bad token %s with 401 UNAUTHENTICATED',
      async (token) => {
        const res = await api.me(token);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      },
    );
  });
});
