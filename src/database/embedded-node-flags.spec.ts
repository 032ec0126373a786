import { EMBEDDED_DATABASE_NODE_FLAGS, missingEmbeddedDatabaseFlags } from './embedded-node-flags';

describe('missingEmbeddedDatabaseFlags', () => {
  it('names every flag a plain start lacks', () => {
    expect(missingEmbeddedDatabaseFlags([])).toEqual(EMBEDDED_DATABASE_NODE_FLAGS);
    expect(missingEmbeddedDatabaseFlags(['-r', 'ts-node/register/transpile-only', '--cpu-prof'])).toEqual(
      EMBEDDED_DATABASE_NODE_FLAGS,
    );
  });

  it('names none once the process has them (no second re-execution)', () => {
    expect(missingEmbeddedDatabaseFlags([...EMBEDDED_DATABASE_NODE_FLAGS, '--cpu-prof'])).toEqual([]);
  });

  it('leaves a flag the operator gave, in either polarity and spelling, on the command line or in NODE_OPTIONS', () => {
    expect(missingEmbeddedDatabaseFlags(['--no-liftoff-only'])).toEqual(['--max-semi-space-size=16']);
    expect(missingEmbeddedDatabaseFlags(['--max_semi_space_size=64'])).toEqual(['--liftoff-only']);
    expect(missingEmbeddedDatabaseFlags([], '--max-old-space-size=512 --max-semi-space-size=8')).toEqual([
      '--liftoff-only',
    ]);
    expect(missingEmbeddedDatabaseFlags([], '  ')).toEqual(EMBEDDED_DATABASE_NODE_FLAGS);
  });
});
