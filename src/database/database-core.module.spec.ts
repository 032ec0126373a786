import { join } from 'node:path';
import { describeDatabase } from './database-core.module';

describe('describeDatabase (the start-up line)', () => {
  it('names the embedded database by its directory', () => {
    expect(describeDatabase({ databaseUrl: undefined, dataDir: '/srv/shop/.data' })).toBe(
      `embedded PGlite at ${join('/srv/shop/.data', 'pglite')}`,
    );
  });

  it('names a server by host, port and database, never by its user, password or options', () => {
    const line = describeDatabase({
      databaseUrl: 'postgres://shop:s3cr3t-pass@db.example.com:6432/shop?sslmode=require&password=x',
      dataDir: '/tmp',
    });
    expect(line).toBe('PostgreSQL at db.example.com:6432, database shop');
    expect(describeDatabase({ databaseUrl: 'postgresql://u:p@localhost/', dataDir: '/tmp' })).toBe(
      'PostgreSQL at localhost, database (default database)',
    );
  });
});
