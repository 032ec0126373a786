import { sql } from 'drizzle-orm';
import { statement } from './statement';
import { TxHost } from './transaction';

describe('statement({ asynchronousCommit: true })', () => {
  const relaxed = statement(
    'test_relaxed_commit',
    (db) => db.select({ one: sql<number>`1` }).from(sql`(select 1) as t`),
    { asynchronousCommit: true },
  );

  it('refuses to run inside a transaction, whose other writes it would relax', async () => {
    const host = { isTransactionActive: () => true, tx: {} } as unknown as TxHost;
    await expect(relaxed.run(host, {})).rejects.toThrow(
      'test_relaxed_commit commits asynchronously and cannot run inside a transaction',
    );
  });
});
