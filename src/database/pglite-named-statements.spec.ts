import { PGlite, types } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { date, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { Db } from './db';
import { Placeholders, statement } from './statement';

const items = pgTable('named_items', { id: integer('id').primaryKey(), label: text('label').notNull() });

const days = pgTable('named_days', {
  id: integer('id').primaryKey(),
  day: date('day', { mode: 'string' }).notNull(),
  at: timestamp('at').notNull(),
});
const dayById = statement('test_named_day_by_id', (db, p: Placeholders<{ id: number }>) =>
  db.select().from(days).where(eq(days.id, p.id)),
);

const byId = statement('test_named_item_by_id', (db, p: Placeholders<{ id: number }>) =>
  db.select().from(items).where(eq(items.id, p.id)),
);
const insert = statement('test_named_item_insert', (db, p: Placeholders<{ id: number; label: string }>) =>
  db.insert(items).values({ id: p.id, label: p.label }).returning(),
);

/** Statements of statement.ts on a real embedded PGlite (pglite-named-statements.ts). */
describe('named statements on PGlite', () => {
  let pglite: PGlite;
  let db: Db;

  beforeAll(async () => {
    // PGlite's own timestamp parser answers a marker: a statement that lost Drizzle's parsers shows it
    pglite = await PGlite.create({ parsers: { [types.TIMESTAMP]: () => 'parsed by PGlite' } });
    db = drizzle(pglite) as unknown as Db;
    await pglite.exec('create table named_items (id integer primary key, label text not null)');
    await pglite.exec(
      'create table named_days (id integer primary key, day date not null, at timestamp not null)',
    );
  });
  afterAll(() => pglite.close());
  beforeEach(() => pglite.exec('delete from named_items'));

  async function preparedNames(): Promise<string[]> {
    const { rows } = await pglite.query<{ name: string }>(
      'select name from pg_prepared_statements order by name',
    );
    return rows.map((row) => row.name);
  }

  it('parses a statement once under its name and answers every run as a query would', async () => {
    expect(await insert.runOn(db, { id: 1, label: 'one' })).toEqual([{ id: 1, label: 'one' }]);
    await insert.runOn(db, { id: 2, label: 'two' });
    expect(await byId.runOn(db, { id: 2 })).toEqual([{ id: 2, label: 'two' }]);
    expect(await byId.runOn(db, { id: 3 })).toEqual([]);
    expect(await preparedNames()).toEqual(['test_named_item_by_id', 'test_named_item_insert']);
  });

  it("maps values with Drizzle's type parsers over PGlite's, on every run", async () => {
    // Drizzle takes timestamp columns as PostgreSQL's text: its parser for the type replaces PGlite's
    // (which this database's options make answer a marker, see beforeAll)
    await pglite.exec(`insert into named_days values (1, '2026-11-30', '2026-11-30 10:20:30.456')`);
    const expected = [{ id: 1, day: '2026-11-30', at: new Date('2026-11-30T10:20:30.456Z') }];
    expect(await dayById.runOn(db, { id: 1 })).toEqual(expected);
    expect(await dayById.runOn(db, { id: 1 })).toEqual(expected);
    expect(await db.select().from(days).where(eq(days.id, 1))).toEqual(expected);
  });

  it("waits for another caller's open transaction instead of running inside it", async () => {
    let readDuring: Promise<unknown> | undefined;
    let settledDuring = false;
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into named_items values (7, 'uncommitted')`);
      readDuring = byId.runOn(db, { id: 7 }).finally(() => (settledDuring = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settledDuring).toBe(false);
      await tx.execute(sql`update named_items set label = 'committed' where id = 7`);
    });
    expect(await readDuring).toEqual([{ id: 7, label: 'committed' }]);
  });

  it("throws PostgreSQL's error with its code and keeps working afterwards", async () => {
    await insert.runOn(db, { id: 1, label: 'one' });
    await expect(insert.runOn(db, { id: 1, label: 'again' })).rejects.toMatchObject({
      cause: expect.objectContaining({ code: '23505' }) as unknown,
    });
    expect(await byId.runOn(db, { id: 1 })).toEqual([{ id: 1, label: 'one' }]);
    await expect(pglite.query('select 1 as ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
  });
});
