import { eq, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { users } from '../../src/database/schema';
import { registerUser, uniqueEmail } from '../support/factories';
import { readMail, verificationToken } from '../support/shopper-mail';
import { ADMIN, createTestApp, HttpResult, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';
const HOUR_MS = 60 * 60 * 1000;

interface MailFile {
  headers: string;
  raw: string;
}

function readMails(t: TestApp): MailFile[] {
  const dir = join(t.config.dataDir, 'mail');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => {
      const raw = readFileSync(join(dir, name), 'utf8');
      return { headers: raw.slice(0, raw.search(/\r?\n\r?\n/)), raw };
    });
}

function mailsTo(t: TestApp, email: string): MailFile[] {
  return readMails(t).filter((mail) =>
    new RegExp(`^To: ${email.replace(/[.+]/g, '\\$&')}$`, 'mi').test(mail.headers),
  );
}

/** Mail goes out after the response (off the request path): poll briefly for the file. */
async function waitForMailTo(t: TestApp, email: string, timeoutMs = 5000): Promise<MailFile> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [mail] = mailsTo(t, email);
    if (mail !== undefined) return mail;
    if (Date.now() > deadline) throw new Error(`no mail to ${email} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function verificationTokenFor(t: TestApp, email: string): Promise<string> {
  const mail = await waitForMailTo(t, email);
  return verificationToken(await readMail(mail.raw));
}

function expectNoPasswordLeak(res: HttpResult): void {
  expect(res.raw).not.toMatch(/password/i);
  expect(res.raw).not.toContain('$argon2');
}

describe('accounts (contract §3)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => t.clock.reset());

  async function usersWithEmail(email: string) {
    return t.database.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  }

  describe('POST /api/v1/auth/register', () => {
    it('creates a customer with 201 {user, token} in the contract shape', async () => {
      const email = uniqueEmail('reg');
      const res = await t.request('POST', '/api/v1/auth/register', {
        body: { email, password: PASSWORD, first_name: 'Jane', last_name: 'Doe' },
      });
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
      const user = await registerUser(t);
      const [row] = await t.database.db.select().from(users).where(eq(users.id, user.id));
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
      expect(row.passwordHash).not.toContain(user.password);
    });

    it('leaves names null when they are not given', async () => {
      const res = await t.request('POST', '/api/v1/auth/register', {
        body: { email: uniqueEmail(), password: PASSWORD },
      });
      expect(res.status).toBe(201);
      expect(res.body.data.user).toMatchObject({ first_name: null, last_name: null });
    });

    it('issues a token that authenticates the new user', async () => {
      const user = await registerUser(t);
      const me = await t.request('GET', '/api/v1/auth/me', { token: user.token });
      expect(me.status).toBe(200);
      expect(me.body.data.user.id).toBe(user.id);
    });

    it('trims and lower-cases the email before storing it', async () => {
      const local = uniqueEmail('MiXeD').split('@')[0];
      const res = await t.request('POST', '/api/v1/auth/register', {
        body: { email: `  ${local}@Example.COM  `, password: PASSWORD },
      });
      expect(res.status).toBe(201);
      const expected = `${local.toLowerCase()}@example.com`;
      expect(res.body.data.user.email).toBe(expected);
      const rows = await usersWithEmail(expected);
      expect(rows.map((row) => row.email)).toEqual([expected]);
    });

    it('refuses an email taken in another case with 409 EMAIL_ALREADY_REGISTERED', async () => {
      const user = await registerUser(t);
      const res = await t.request('POST', '/api/v1/auth/register', {
        body: { email: ` ${user.email.toUpperCase()} `, password: 'another-password' },
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
        const res = await t.request('POST', '/api/v1/auth/register', { body: { email, password: PASSWORD } });
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
      const res = await t.request('POST', '/api/v1/auth/register', { body: { email, password } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'password' })]),
      );
      expect(await usersWithEmail(email)).toHaveLength(0);
    });

    it('accepts passwords of exactly 8 and 128 characters', async () => {
      for (const password of ['x'.repeat(8), 'y'.repeat(128)]) {
        const res = await t.request('POST', '/api/v1/auth/register', {
          body: { email: uniqueEmail(), password },
        });
        expect(res.status).toBe(201);
      }
    });

    it.each<[string, unknown]>([
      ['no at sign', 'not-an-email'],
      ['no domain', 'jane@'],
      ['a number', 42],
      ['an empty string', ''],
    ])('refuses an email with %s with 400', async (_label, email) => {
      const res = await t.request('POST', '/api/v1/auth/register', { body: { email, password: PASSWORD } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'email' })]),
      );
    });

    it('refuses a missing email with 400', async () => {
      const res = await t.request('POST', '/api/v1/auth/register', { body: { password: PASSWORD } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('refuses a self-assigned role (mass assignment) with 400 and creates nothing', async () => {
      const email = uniqueEmail('role');
      const res = await t.request('POST', '/api/v1/auth/register', {
        body: { email, password: PASSWORD, role: 'admin' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ field: 'role', message: 'role is not an allowed field' }]);
      expect(await usersWithEmail(email)).toHaveLength(0);
    });

    it('creates exactly one account when the same email registers five times at once', async () => {
      const email = uniqueEmail('race');
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          t.request('POST', '/api/v1/auth/register', { body: { email, password: PASSWORD } }),
        ),
      );
      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409]);
      for (const res of results.filter((r) => r.status === 409)) {
        expect(res.body.error.code).toBe('EMAIL_ALREADY_REGISTERED');
      }
      expect(await usersWithEmail(email)).toHaveLength(1);
    });
  });

  describe('verification mail', () => {
    it('writes a verification mail with a token to DATA_DIR/mail for a new account', async () => {
      const user = await registerUser(t);
      const mail = await waitForMailTo(t, user.email);
      expect(mail.headers).toMatch(/^Subject: Confirm your email address$/m);
      expect(mail.headers).toMatch(/^From: no-reply@localhost$/m);
      expect(verificationToken(await readMail(mail.raw))).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    });

    it('sends no mail for a refused registration', async () => {
      const user = await registerUser(t);
      await waitForMailTo(t, user.email);
      const again = await t.request('POST', '/api/v1/auth/register', {
        body: { email: user.email, password: PASSWORD },
      });
      expect(again.status).toBe(409);
      // a later registration's mail arriving proves the queue has moved past the refused one
      const marker = await registerUser(t);
      await waitForMailTo(t, marker.email);
      expect(mailsTo(t, user.email)).toHaveLength(1);
    });
  });

  describe('POST /api/v1/auth/login', () => {
    it('answers 200 {user, token} for the right password, whatever the email case or padding', async () => {
      const user = await registerUser(t);
      const res = await t.request('POST', '/api/v1/auth/login', {
        body: { email: `  ${user.email.toUpperCase()} `, password: user.password },
      });
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
      const me = await t.request('GET', '/api/v1/auth/me', { token: res.body.data.token });
      expect(me.body.data.user.id).toBe(user.id);
    });

    it('answers a wrong password and an unknown email with the same 401 INVALID_CREDENTIALS body', async () => {
      const user = await registerUser(t);
      const wrongPassword = await t.request('POST', '/api/v1/auth/login', {
        body: { email: user.email, password: 'not-the-password' },
      });
      const unknownEmail = await t.request('POST', '/api/v1/auth/login', {
        body: { email: uniqueEmail('nobody'), password: 'not-the-password' },
      });
      expect(wrongPassword.status).toBe(401);
      expect(wrongPassword.body.error.code).toBe('INVALID_CREDENTIALS');
      expect(unknownEmail.status).toBe(401);
      expect(unknownEmail.raw).toBe(wrongPassword.raw);
    });

    it.each(['guest_x@example.com', 'a@checkout.guest'])(
      'refuses the guest-pattern email %s with 422 GUEST_EMAIL_NOT_ALLOWED',
      async (email) => {
        const res = await t.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('GUEST_EMAIL_NOT_ALLOWED');
      },
    );

    it('refuses a missing password with 400', async () => {
      const res = await t.request('POST', '/api/v1/auth/login', { body: { email: uniqueEmail() } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('lets the ADMIN_EMAIL account created at start-up log in as an admin', async () => {
      const res = await t.request('POST', '/api/v1/auth/login', { body: ADMIN });
      expect(res.status).toBe(200);
      expect(res.body.data.user).toMatchObject({ email: ADMIN.email, role: 'admin', email_verified: true });
      const me = await t.request('GET', '/api/v1/auth/me', { token: res.body.data.token });
      expect(me.body.data.user.role).toBe('admin');
      expect(await usersWithEmail(ADMIN.email)).toHaveLength(1);
    });
  });

  describe('GET /api/v1/auth/me', () => {
    it('returns the authenticated user in the contract shape without a password hash', async () => {
      const register = await t.request('POST', '/api/v1/auth/register', {
        body: { email: uniqueEmail('me'), password: PASSWORD, first_name: 'Ann' },
      });
      const res = await t.request('GET', '/api/v1/auth/me', { token: register.body.data.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, data: { user: register.body.data.user } });
      expectNoPasswordLeak(res);
    });

    it('answers without a token with 401 UNAUTHENTICATED', async () => {
      const res = await t.request('GET', '/api/v1/auth/me');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        success: false,
        error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
      });
    });

    it.each(['garbage', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'])(
      'answers the bad token %s with 401 UNAUTHENTICATED',
      async (token) => {
        const res = await t.request('GET', '/api/v1/auth/me', { token });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      },
    );
  });

  describe('POST /api/v1/auth/verify-email', () => {
    it('verifies the email with the token from the mail, once', async () => {
      const user = await registerUser(t);
      const token = await verificationTokenFor(t, user.email);

      const res = await t.request('POST', '/api/v1/auth/verify-email', { body: { token } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: {
          user: expect.objectContaining({ id: user.id, email: user.email, email_verified: true }),
          linked_orders: [],
        },
      });
      expectNoPasswordLeak(res);
      const me = await t.request('GET', '/api/v1/auth/me', { token: user.token });
      expect(me.body.data.user.email_verified).toBe(true);
      const [row] = await t.database.db.select().from(users).where(eq(users.id, user.id));
      expect(row.emailVerifiedAt).not.toBeNull();

      const again = await t.request('POST', '/api/v1/auth/verify-email', { body: { token } });
      expect(again.status).toBe(400);
      expect(again.body.error.code).toBe('INVALID_TOKEN');
    });

    it('refuses a random token with 400 INVALID_TOKEN', async () => {
      const res = await t.request('POST', '/api/v1/auth/verify-email', {
        body: { token: randomBytes(32).toString('base64url') },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_TOKEN');
    });

    it('refuses an empty or missing token with 400 VALIDATION_FAILED', async () => {
      for (const body of [{ token: '' }, {}, { token: 42 }]) {
        const res = await t.request('POST', '/api/v1/auth/verify-email', { body });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
    });

    it('still accepts a token 23 hours after registration', async () => {
      const user = await registerUser(t);
      const token = await verificationTokenFor(t, user.email);
      t.clock.advance(23 * HOUR_MS);
      const res = await t.request('POST', '/api/v1/auth/verify-email', { body: { token } });
      expect(res.status).toBe(200);
    });

    it('refuses a token 25 hours after registration and leaves the email unverified', async () => {
      const user = await registerUser(t);
      const token = await verificationTokenFor(t, user.email);
      t.clock.advance(25 * HOUR_MS);
      const res = await t.request('POST', '/api/v1/auth/verify-email', { body: { token } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_TOKEN');
      const [row] = await t.database.db.select().from(users).where(eq(users.id, user.id));
      expect(row.emailVerifiedAt).toBeNull();
    });

    it("does not verify another user's account with one user's token", async () => {
      const first = await registerUser(t);
      const second = await registerUser(t);
      const token = await verificationTokenFor(t, first.email);
      const res = await t.request('POST', '/api/v1/auth/verify-email', { body: { token } });
      expect(res.body.data.user.id).toBe(first.id);
      const me = await t.request('GET', '/api/v1/auth/me', { token: second.token });
      expect(me.body.data.user.email_verified).toBe(false);
    });
  });
});
