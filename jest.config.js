// Two projects: fast unit tests of pure logic beside the code, and e2e tests over HTTP against a real
// database (a copy of a migrated PGlite per file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set).
const transform = {
  '^.+\\.ts$': 'ts-jest',
  // a few dependencies ship ESM only (content-disposition, via @fastify/static for Swagger UI); Node
  // loads them natively, Jest needs them compiled to CommonJS
  '^.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
};
// Node 22+ lets Jest require() an ES module natively (it then evaluates it as ESM, so it must stay
// untransformed); Node 20 cannot, so there the ESM-only dependency is compiled to CommonJS
const requireEsm = Number(process.versions.node.split('.')[0]) >= 22;
const transformIgnorePatterns = requireEsm ? ['/node_modules/'] : ['/node_modules/(?!(content-disposition)/)'];

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
