import { and, count, eq, inArray, lte } from 'drizzle-orm';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { createLogger } from '../../src/common/logging/logger';
import { PinoNestLogger } from '../../src/common/logging/pino-nest-logger';
import { mailOutbox } from '../../src/database/schema';
import { MailDispatcher } from '../../src/modules/mail/mail-dispatcher';
import { registerUser, uniqueEmail } from '../support/factories';
import { ReceivedMail, TestSmtpServer } from '../support/smtp-server';
import { createTestApp, TestApp } from '../support/test-app';
import { serverUrl } from '../support/test-database';
import { closeAfterFaults } from './support/pg-faults';
import { sleep, waitFor } from './support/processes';
import { Recorder } from './support/recorder';
import { pool } from './support/shop';

// jest.config.js sets testTimeout inside the project, where Jest ignores it (it is a global option)
jest.setTimeout(240_000);

/**
 * contract §11: each mail is sent once — one dispatcher at a time holds a mail, a mail SMTP accepted is
 * never sent again because recording it failed, every copy carries its outbox row's Message-ID — and an
 * SMTP outage only delays mail (for up to MAIL_MAX_AGE_HOURS), it never loses it.
 */
const rec = new Recorder('mail-delivery');
const pgUrl = serverUrl();
const SKIP_NO_SERVER =
  '(skipped: needs a PostgreSQL server, TEST_DATABASE_URL is not set; PGlite runs in-process)';
const MAIL_ENV = { MAIL_FROM: 'Shop <shop@mail.test>' };
const HOUR_MS = 3_600_000;

afterAll(() => rec.finish());
beforeEach(() => rec.scenario());

/** The Message-ID every copy of an outbox row must carry. */
function messageIdOf(outboxId: string): string {
  return `<${outboxId}@mail.test>`;
}

/** Registers `n` users through HTTP (each sign-up queues a verification mail); returns their emails. */
async function signUps(t: TestApp, n: number, prefix: string): Promise<string[]> {
  const emails = Array.from({ length: n }, (_, i) => uniqueEmail(`${prefix}-${i}`));
  await pool(
    8,
    emails.map((email) => () => registerUser(t, email)),
  );
  rec.count(n);
  return emails;
}

function outboxOf(t: TestApp, recipients: string[]) {
  return t.database.db.select().from(mailOutbox).where(inArray(mailOutbox.recipient, recipients));
}

/**
 * What arrived per outbox row: one entry per mail that did not arrive exactly once with its row's
 * Message-ID (an empty list is the goal).
 */
function deliveryProblems(
  rows: { id: string; recipient: string }[],
  received: (recipient: string) => ReceivedMail[],
) {
  const problems: { recipient: string; copies: number; messageIds: (string | undefined)[] }[] = [];
  for (const row of rows) {
    const copies = received(row.recipient);
    const messageIds = copies.map((mail) => mail.messageId);
    if (copies.length !== 1 || messageIds.some((id) => id !== messageIdOf(row.id)))
      problems.push({ recipient: row.recipient, copies: copies.length, messageIds });
  }
  rec.invariant(problems.map((p) => `${p.recipient}: ${p.copies} copies`));
  return problems;
}

async function pendingCount(t: TestApp, recipients: string[]): Promise<number> {
  const [row] = await t.database.db
    .select({ n: count() })
    .from(mailOutbox)
    .where(and(inArray(mailOutbox.recipient, recipients), eq(mailOutbox.status, 'pending')));
  return row.n;
}

/** A log sink: the lines the app wrote, for the no-customer-data check. */
function logSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

(pgUrl !== undefined ? describe : describe.skip)(
  `mail delivery: two instances and a slow SMTP server ${pgUrl === undefined ? SKIP_NO_SERVER : ''}`,
  () => {
    const smtp = new TestSmtpServer({ latencyMs: 4_000 });
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      await smtp.start();
      a = rec.track(await createTestApp({ SMTP_URL: smtp.url, ...MAIL_ENV }));
      b = rec.track(await createTestApp({ SMTP_URL: smtp.url, ...MAIL_ENV }, { sameDatabaseAs: a }));
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
      await smtp.stop();
    });

    it('delivers each of 40 mails exactly once, with its outbox row’s Message-ID, when every message takes 4 s', async () => {
      // both instances' background dispatchers send; sign-ups go to one of them, as behind a load balancer
      const recipients = await signUps(a, 40, 'two-instances');

      const drained = await waitFor(async () => (await pendingCount(a, recipients)) === 0, 200_000, 500);
      await sleep(smtp.latencyMs + 1_000); // a second copy still in flight would land by now
      const rows = await outboxOf(a, recipients);

      console.table([
        { scenario: 'two instances, 4 s per message', mails: rows.length, received: smtp.received.length },
      ]);
      expect(drained).toBe(true);
      expect(rows).toHaveLength(40);
      expect(deliveryProblems(rows, (r) => smtp.to(r))).toEqual([]);
      expect(rows.every((row) => row.status === 'sent')).toBe(true);
    });
  },
);

(pgUrl !== undefined ? describe : describe.skip)(
  `mail delivery: database connections killed right after SMTP accepted a mail ${pgUrl === undefined ? SKIP_NO_SERVER : ''}`,
  () => {
    const smtp = new TestSmtpServer();
    const logs = logSink();
    let t: TestApp;
    let dispatcher: MailDispatcher;
    let killer: Client;
    let database: string;
    /** the database is refused until this promise resolves (the outage after an accepted mail) */
    let reopened: Promise<void> = Promise.resolve();

    beforeAll(async () => {
      await smtp.start();
      t = rec.track(
        await createTestApp(
          { SMTP_URL: smtp.url, ...MAIL_ENV, LOG_LEVEL: 'warn' },
          { logStream: logs.stream },
        ),
      );
      // the app's own log lines (Nest's Logger) go to the sink as well, as main.ts wires them
      t.app.useLogger(new PinoNestLogger(createLogger(t.config, logs.stream)));
      dispatcher = t.app.get(MailDispatcher);
      // only the test's dispatchDue() sends, so every fault lands where the test says
      await dispatcher.onApplicationShutdown();
      database = new URL(t.testDatabase.url!).pathname.slice(1);
      killer = new Client({ connectionString: pgUrl });
      killer.on('error', () => undefined);
      await killer.connect();
    });
    afterAll(async () => {
      smtp.beforeAccept = undefined;
      await reopened;
      await killer?.end();
      await closeAfterFaults(t);
      t?.app.useLogger(false);
      await smtp.stop();
    });

    /**
     * Kills every connection of the app's database and refuses new ones for `ms`: the app's next query
     * (recording the mail as sent) finds no database. pg_terminate_backend with a timeout waits until
     * each backend has gone.
     */
    async function cutDatabase(ms: number): Promise<void> {
      await killer.query(`alter database ${database} allow_connections false`);
      const targets = await killer.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database],
      );
      await killer.query('select pg_terminate_backend(pid, 2000) from unnest($1::int[]) as pid', [
        targets.rows.map((row) => row.pid),
      ]);
      rec.fault();
      reopened = sleep(ms).then(async () => {
        await killer.query(`alter database ${database} allow_connections true`);
      });
    }

    it('sends each mail exactly once when the database goes away right after SMTP accepted it', async () => {
      const recipients = await signUps(t, 20, 'db-cut');
      let accepted = 0;
      let cuts = 0;
      smtp.beforeAccept = async () => {
        accepted++;
        if (accepted % 4 === 1) {
          cuts++;
          await cutDatabase(1_500);
        }
      };

      for (let round = 0; round < 30; round++) {
        // a run that meets the outage ends with an error; the next one goes on
        await dispatcher.dispatchDue().catch(() => 0);
        await reopened;
        if ((await pendingCount(t, recipients)) === 0) break;
        // past every lease and back-off: a mail still pending here is due again
        t.clock.advance(HOUR_MS);
      }
      smtp.beforeAccept = undefined;
      // one more round past every lease: nothing may go out again
      t.clock.advance(HOUR_MS);
      await dispatcher.dispatchDue();
      const rows = await outboxOf(t, recipients);

      console.table([
        {
          scenario: 'database cut after SMTP accepted',
          mails: rows.length,
          cuts,
          received: smtp.received.length,
        },
      ]);
      expect(cuts).toBeGreaterThanOrEqual(4);
      expect(deliveryProblems(rows, (r) => smtp.to(r))).toEqual([]);
      expect(rows.every((row) => row.status === 'sent')).toBe(true);
      // the cuts hit the recording of accepted mails, which was retried
      expect(logs.lines.some((line) => line.includes('recording it failed'))).toBe(true);
      // logs carry outbox ids, never an address (contract §12)
      expect(logs.lines.filter((line) => recipients.some((r) => line.includes(r)))).toEqual([]);
    });
  },
);

(pgUrl !== undefined ? describe : describe.skip)(
  `mail delivery: an SMTP outage longer than 12 attempts ${pgUrl === undefined ? SKIP_NO_SERVER : ''}`,
  () => {
    const smtp = new TestSmtpServer();
    let t: TestApp;
    let dispatcher: MailDispatcher;

    beforeAll(async () => {
      await smtp.start();
      t = rec.track(await createTestApp({ SMTP_URL: smtp.url, ...MAIL_ENV }));
      dispatcher = t.app.get(MailDispatcher);
      await dispatcher.onApplicationShutdown();
    });
    afterAll(async () => {
      await t?.close();
      await smtp.stop();
    });

    it('delivers the mail once SMTP is back after 16 hours of failed attempts', async () => {
      await smtp.stop();
      rec.fault();
      const [recipient] = await signUps(t, 1, 'long-outage');

      // an attempt whenever one is due, for 16 hours: the back-off is capped at one hour
      for (let hour = 0; hour < 16; hour++) {
        for (let step = 0; step < 12; step++) {
          await dispatcher.dispatchDue();
          t.clock.advance(HOUR_MS / 12);
        }
      }
      const [failing] = await outboxOf(t, [recipient]);
      expect(failing).toMatchObject({ status: 'pending', lastError: expect.any(String) });
      expect(failing.attempts).toBeGreaterThan(12);

      await smtp.start();
      t.clock.advance(HOUR_MS);
      const [due] = await t.database.db
        .select({ n: count() })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.id, failing.id), lte(mailOutbox.nextAttemptAt, t.clock.now())));
      expect(due.n).toBe(1);
      expect(await dispatcher.dispatchDue()).toBe(1);
      t.clock.advance(HOUR_MS);
      expect(await dispatcher.dispatchDue()).toBe(0);

      expect(deliveryProblems([failing], (r) => smtp.to(r))).toEqual([]);
      const [sent] = await outboxOf(t, [recipient]);
      expect(sent).toMatchObject({ status: 'sent', attempts: failing.attempts + 1 });
    });
  },
);
