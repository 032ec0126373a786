import { eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { users } from '../../src/database/schema';
import { HOUR_MS, PASSWORD } from '../support/fixtures';
import { expectNoPasswordLeak } from '../support/matchers';
import {
  mailFilesTo,
  readMail,
  verificationToken,
  verificationTokenInMailFile,
  waitForMailFileTo,
} from '../support/shopper-mail';
import { useShop } from '../support/use-shop';

describe('accounts: email verification (contract §3, §11)', () => {
  const { t, api } = useShop();

  describe('verification mail', () => {
    it('writes a verification mail with a token to DATA_DIR/mail for a new account', async () => {
      const user = await api.user();
      const mail = await waitForMailFileTo(t.config.dataDir, user.email);
      expect(mail.headers).toMatch(/^Subject: Confirm your email address$/m);
      expect(mail.headers).toMatch(/^From: no-reply@localhost$/m);
      expect(verificationToken(await readMail(mail.raw))).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    });

    it('sends no mail for a refused registration', async () => {
      const user = await api.user();
      await waitForMailFileTo(t.config.dataDir, user.email);
      const again = await api.register({ email: user.email, password: PASSWORD });
      expect(again.status).toBe(409);
      // a later registration's mail arriving proves the queue has moved past the refused one
      const marker = await api.user();
      await waitForMailFileTo(t.config.dataDir, marker.email);
      expect(mailFilesTo(t.config.dataDir, user.email)).toHaveLength(1);
    });
  });

  describe('POST /api/v1/auth/verify-email', () => {
    it('verifies the email with the token from the mail, once', async () => {
      const user = await api.user();
      const token = await verificationTokenInMailFile(t.config.dataDir, user.email);

      const res = await api.verifyEmail({ token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: {
          user: expect.objectContaining({ id: user.id, email: user.email, email_verified: true }),
          linked_orders: [],
        },
      });
      expectNoPasswordLeak(res);
      const me = await api.me(user.token);
      expect(me.body.data.user.email_verified).toBe(true);
      const [row] = await t.database.db.select().from(users).where(eq(users.id, user.id));
      expect(row.emailVerifiedAt).not.toBeNull();

      const again = await api.verifyEmail({ token });
      expect(again.status).toBe(400);
      expect(again.body.error.code).toBe('INVALID_TOKEN');
    });

    it('refuses a random token with 400 INVALID_TOKEN', async () => {
      const res = await api.verifyEmail({ token: randomBytes(32).toString('base64url') });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_TOKEN');
    });

    it('refuses an empty or missing token with 400 VALIDATION_FAILED', async () => {
      for (const body of [{ token: '' }, {}, { token: 42 }]) {
        const res = await api.verifyEmail(body);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
    });

    it('still accepts a token 23 hours after registration', async () => {
      const user = await api.user();
      const token = await verificationTokenInMailFile(t.config.dataDir, user.email);
      t.clock.advance(23 * HOUR_MS);
      const res = await api.verifyEmail({ token });
      expect(res.status).toBe(200);
    });

    it('refuses a token 25 hours after registration and leaves the email unverified', async () => {
      const user = await api.user();
      const token = await verificationTokenInMailFile(t.config.dataDir, user.email);
      t.clock.advance(25 * HOUR_MS);
      const res = await api.verifyEmail({ token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_TOKEN');
      const [row] = await t.database.db.select().from(users).where(eq(users.id, user.id));
      expect(row.emailVerifiedAt).toBeNull();
    });

    it("does not verify another user's account with one user's token", async () => {
      const first = await api.user();
      const second = await api.user();
      const token = await verificationTokenInMailFile(t.config.dataDir, first.email);
      const res = await api.verifyEmail({ token });
      expect(res.body.data.user.id).toBe(first.id);
      const me = await api.me(second.token);
      expect(me.body.data.user.email_verified).toBe(false);
    });
  });
});
