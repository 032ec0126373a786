import { eq } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailOutbox } from '../../src/database/schema';
import { backoffMs } from '../../src/modules/mail/delivery-policy';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import { adminToken, registerUser } from '../support/factories';
import { HOUR_MS, uniqueEmail } from '../support/fixtures';
import { anyIsoTime, expectError } from '../support/matchers';
import { TestSmtpServer } from '../support/smtp-server';
import { createTestApp, TestApp } from '../support/test-app';

const MAX_AGE_HOURS = 4;
const MAILS_URL = '/api/v1/admin/mails';

describe('mail outbox: retries, dead letters and their admin (contract §11, §12)', () => {
  const smtp = new TestSmtpServer();
  let t: TestApp;
  let dispatcher: MailDispatcher;

  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Shop <orders@shop.test>',
      MAIL_MAX_AGE_HOURS: String(MAX_AGE_HOURS),
    });
    dispatcher = t.app.get(MailDispatcher);
    // only the test's dispatchDue() sends, so every attempt happens where the test says
    await dispatcher.onApplicationShutdown();
  });
  beforeEach(async () => {
    t.clock.reset();
    smtp.beforeAccept = undefined;
    await smtp.start(); // a test that stopped it may have failed before starting it again
    await t.database.db.delete(mailOutbox);
  });
  afterEach(() => smtp.stop());
  afterAll(async () => {
    await t.close();
  });

  /** Signs a user up, which queues one verification mail; returns its outbox row. */
  async function queueMail(prefix: string) {
    const email = uniqueEmail(prefix);
    await registerUser(t, email);
    return outboxRow(email);
  }

  async function outboxRow(recipient: string) {
    const [row] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.recipient, recipient));
    return row;
  }

  /** A dead letter: queued while SMTP is down, tried first after MAIL_MAX_AGE_HOURS. */
  async function deadLetter(prefix: string) {
    const row = await queueMail(prefix);
    t.clock.advance(MAX_AGE_HOURS * HOUR_MS + 60_000);
    await dispatcher.dispatchDue();
    t.clock.reset();
    return outboxRow(row.recipient);
  }

  async function admin(method: 'GET' | 'POST', url: string) {
    return t.request(method, url, { token: await adminToken(t) });
  }

  it('retries with back-off capped at one hour for MAIL_MAX_AGE_HOURS, past 12 attempts, then dead-letters', async () => {
    await smtp.stop();
    const queued = await queueMail('outage');

    let row = queued;
    const waits: number[] = [];
    for (;;) {
      t.clock.advance(Math.max(0, row.nextAttemptAt.getTime() - t.clock.now().getTime()));
      await dispatcher.dispatchDue();
      row = await outboxRow(queued.recipient);
      if (row.status !== 'pending') break;
      // the wait counts from the failed attempt, a few real milliseconds before now
      const wait = Math.round((row.nextAttemptAt.getTime() - t.clock.now().getTime()) / 1000) * 1000;
      expect(wait).toBe(backoffMs(row.attempts));
      waits.push(wait);
    }

    // 5 s, 10 s, … then hourly: attempt 14 comes 4.4 h after the mail was queued, past the 4 h
    expect(waits.slice(0, 3)).toEqual([5_000, 10_000, 20_000]);
    expect(Math.max(...waits)).toBe(HOUR_MS);
    expect(row).toMatchObject({ status: 'dead_letter', attempts: 14, lastError: expect.any(String) });
    expect(t.clock.now().getTime() - queued.createdAt.getTime()).toBeGreaterThanOrEqual(
      MAX_AGE_HOURS * HOUR_MS,
    );
    expect(smtp.received).toEqual([]);
  });

  it('dead-letters by age, not by count: a first attempt after MAIL_MAX_AGE_HOURS that fails is the last', async () => {
    await smtp.stop();
    const early = await queueMail('early');
    t.clock.advance(MAX_AGE_HOURS * HOUR_MS - 60_000);
    const late = await queueMail('late');
    t.clock.advance(2 * 60_000); // the early mail is now older than MAIL_MAX_AGE_HOURS, never tried

    await dispatcher.dispatchDue();

    expect(await outboxRow(early.recipient)).toMatchObject({ status: 'dead_letter', attempts: 1 });
    expect(await outboxRow(late.recipient)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('gives every copy of one mail the Message-ID of its outbox row', async () => {
    let refusals = 2;
    smtp.beforeAccept = () => {
      if (refusals-- > 0) throw Object.assign(new Error('try again later'), { responseCode: 451 });
    };
    const row = await queueMail('same-id');

    expect(await dispatcher.dispatchDue()).toBe(0);
    t.clock.advance(backoffMs(1));
    expect(await dispatcher.dispatchDue()).toBe(0);
    t.clock.advance(backoffMs(2));
    expect(await dispatcher.dispatchDue()).toBe(1);

    const copies = smtp.to(row.recipient);
    expect(copies.map((mail) => mail.messageId)).toEqual(new Array(3).fill(`<${row.id}@shop.test>`));
    expect(await outboxRow(row.recipient)).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
  });

  it('lists mails by status for an admin, oldest first, cursor-paginated, with and without a trailing slash', async () => {
    await smtp.stop();
    const dead = [await deadLetter('dead-a'), await deadLetter('dead-b'), await deadLetter('dead-c')];
    const pending = await queueMail('pending');

    const first = await admin('GET', `${MAILS_URL}/?status=dead_letter&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data.items).toEqual(
      dead.slice(0, 2).map((row) => ({
        id: row.id,
        template: 'email-verification',
        recipient: row.recipient,
        status: 'dead_letter',
        attempts: 1,
        last_error: expect.any(String),
        created_at: anyIsoTime(),
        next_attempt_at: null,
      })),
    );
    expect(first.body.data.next_cursor).toEqual(expect.any(String));
    const second = await admin(
      'GET',
      `${MAILS_URL}?status=dead_letter&limit=2&cursor=${first.body.data.next_cursor}`,
    );
    expect(second.status).toBe(200);
    expect(second.body.data.items.map((item: { id: string }) => item.id)).toEqual([dead[2].id]);
    expect(second.body.data.next_cursor).toBeNull();

    const pendingPage = await admin('GET', `${MAILS_URL}?status=pending`);
    expect(pendingPage.body.data).toEqual({
      items: [
        expect.objectContaining({
          id: pending.id,
          status: 'pending',
          attempts: 0,
          next_attempt_at: anyIsoTime(),
        }),
      ],
      next_cursor: null,
    });
    expect((await admin('GET', `${MAILS_URL}/`)).body.data.items).toHaveLength(4);

    expectError(await admin('GET', `${MAILS_URL}?status=lost`), 400, 'VALIDATION_FAILED');
    expectError(await admin('GET', `${MAILS_URL}?cursor=not-a-cursor`), 400, 'VALIDATION_FAILED');
    const user = await registerUser(t);
    expectError(await t.request('GET', `${MAILS_URL}/`, { token: user.token }), 403, 'FORBIDDEN');
    expectError(await t.request('GET', MAILS_URL), 401, 'UNAUTHENTICATED');
    expectError(
      await t.request('POST', `${MAILS_URL}/${dead[0].id}/retry/`, { token: user.token }),
      403,
      'FORBIDDEN',
    );
    expectError(await t.request('POST', `${MAILS_URL}/${dead[0].id}/retry`), 401, 'UNAUTHENTICATED');
  });

  it('sends a dead letter again when an admin retries it: once, with its Message-ID, and a fresh age window', async () => {
    await smtp.stop();
    const dead = await deadLetter('retry');
    expect(dead.status).toBe('dead_letter');

    const retried = await admin('POST', `${MAILS_URL}/${dead.id}/retry/`);
    expect(retried.status).toBe(200);
    expect(retried.body.data.mail).toMatchObject({ id: dead.id, status: 'pending', attempts: 0 });
    expect(new Date(retried.body.data.mail.next_attempt_at).getTime()).toBeLessThanOrEqual(
      t.clock.now().getTime(),
    );
    // still down: the retried mail is younger than MAIL_MAX_AGE_HOURS again, so it is tried again later
    await dispatcher.dispatchDue();
    expect(await outboxRow(dead.recipient)).toMatchObject({ status: 'pending', attempts: 1 });

    await smtp.start();
    t.clock.advance(backoffMs(1));
    expect(await dispatcher.dispatchDue()).toBe(1);
    t.clock.advance(HOUR_MS);
    expect(await dispatcher.dispatchDue()).toBe(0);
    expect(smtp.to(dead.recipient).map((mail) => mail.messageId)).toEqual([`<${dead.id}@shop.test>`]);
    expect(await outboxRow(dead.recipient)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('dead-letters a retried mail only MAIL_MAX_AGE_HOURS after the retry', async () => {
    await smtp.stop();
    const dead = await deadLetter('retry-window');
    t.clock.advance(10 * HOUR_MS);
    expect((await admin('POST', `${MAILS_URL}/${dead.id}/retry`)).status).toBe(200);

    t.clock.advance(MAX_AGE_HOURS * HOUR_MS - 60_000);
    await dispatcher.dispatchDue();
    expect(await outboxRow(dead.recipient)).toMatchObject({ status: 'pending', attempts: 1 });
    t.clock.advance(2 * 60_000 + backoffMs(1));
    await dispatcher.dispatchDue();
    expect(await outboxRow(dead.recipient)).toMatchObject({ status: 'dead_letter', attempts: 2 });
  });

  it('answers 404 MAIL_NOT_FOUND for an unknown mail and 409 MAIL_NOT_RETRYABLE for one that is not dead', async () => {
    const pending = await queueMail('not-dead');
    expectError(
      await admin('POST', `${MAILS_URL}/0b7c7a43-5b1e-4d7e-9a55-3a8c1b1f7e10/retry/`),
      404,
      'MAIL_NOT_FOUND',
    );
    expectError(await admin('POST', `${MAILS_URL}/not-a-uuid/retry`), 400, 'VALIDATION_FAILED');
    expectError(await admin('POST', `${MAILS_URL}/${pending.id}/retry`), 409, 'MAIL_NOT_RETRYABLE');

    await dispatcher.dispatchDue();
    expect(await outboxRow(pending.recipient)).toMatchObject({ status: 'sent' });
    expectError(await admin('POST', `${MAILS_URL}/${pending.id}/retry/`), 409, 'MAIL_NOT_RETRYABLE');
    expect(smtp.to(pending.recipient)).toHaveLength(1);
  });

  it('counts pending mails, the oldest one’s age and dead letters in guest-stats', async () => {
    await smtp.stop();
    await deadLetter('stats-dead');
    await deadLetter('stats-dead');
    await queueMail('stats-old');
    t.clock.advance(90_000);
    await queueMail('stats-new');

    const stats = await admin('GET', '/api/v1/admin/guest-stats/');
    expect(stats.status).toBe(200);
    expect(stats.body.data.mail_outbox).toEqual({
      pending: 2,
      oldest_pending_seconds: expect.any(Number),
      dead_letters: 2,
    });
    // 90 s on the moved clock, plus the real time the second sign-up took
    expect(stats.body.data.mail_outbox.oldest_pending_seconds).toBeGreaterThanOrEqual(90);
    expect(stats.body.data.mail_outbox.oldest_pending_seconds).toBeLessThan(100);
  });
});

describe('mail outbox without SMTP_URL (.eml files, contract §2)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ MAIL_FROM: 'no-reply@files.test' });
    await t.app.get(MailDispatcher).onApplicationShutdown();
  });
  afterAll(() => t.close());

  it('writes each mail once, with its outbox row’s Message-ID', async () => {
    const email = uniqueEmail('eml');
    await registerUser(t, email);
    await t.app.get(MailDispatcher).dispatchDue();
    const [row] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.recipient, email));

    const dir = join(t.config.dataDir, 'mail');
    const files = readdirSync(dir).filter((file) => file.includes(row.id));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, files[0]), 'utf8')).toMatch(
      new RegExp(`^Message-ID: <${row.id}@files\\.test>$`, 'mi'),
    );
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
