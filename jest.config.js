// Two projects: fast unit tests of pure logic beside the code, and e2e tests over HTTP against a real
// database (a copy of a migrated PGlite per file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set).
// Every dependency is CommonJS (content-disposition, ESM-only from 3.x, is pinned to 2.x in package.json's
// overrides, which also keeps the dependency tree on Node 20), so node_modules is never transformed.
const transform = { '^.+\\.ts$': 'ts-jest' };
const transformIgnorePatterns = ['/node_modules/'];

module.exports = {
  // a global option: Jest ignores it inside a project (hooks that start an app need more than 5 s on a busy machine)
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      transform,
      transformIgnorePatterns,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      testTimeout: 30000,
    },
    {
      // a storefront page on another origin runs the guest journey in a real browser (Debian's Chromium,
      // driven by playwright-core): npm run test:browser, not part of npm test (needs Chromium installed
      // first: scripts/install-chromium.sh)
      displayName: 'browser',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      transform,
      transformIgnorePatterns,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      testTimeout: 60000,
    },
    {
      // races, faults, fuzzing and security checks (npm run test:reliability; CI runs it on PostgreSQL)
      displayName: 'reliability',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/reliability/**/*.rel-spec.ts'],
      transform,
      transformIgnorePatterns,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      testTimeout: 180000,
    },
  ],
};
