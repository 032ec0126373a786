/**
 * The architecture lint (npm run arch:lint, in CI). The layers, lowest first; a layer imports only the
 * ones below it:
 *   1. src/config/                                   the environment, validated once
 *   2. src/common/{errors,logging,util}/             the foundation: error model, safe logging, small helpers
 *   3. src/database/                                 schema, migrations, the connection, transactions
 *   4. src/common/{auth,http,idempotency,rate-limit,swagger}/   cross-cutting HTTP behaviour
 *   5. src/modules/<feature>/                        the features; another feature only through its
 *                                                    services and types, never its repositories or controllers
 *   6. src/main.ts, src/app.module.ts, src/app.setup.ts, src/cli/   composition
 * and no cycles anywhere.
 */
const FOUNDATION = '^src/common/(errors|logging|util)/';
const HTTP_COMMON = '^src/common/(auth|http|idempotency|rate-limit|swagger)/';
const COMPOSITION = '^src/(main|app\\.module|app\\.setup)\\.ts$|^src/cli/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes a layer of one: nothing in it can be understood or replaced alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'config-is-the-base',
      severity: 'error',
      comment: 'Configuration is read before anything else exists; it imports no other part of the app.',
      from: { path: '^src/config/' },
      to: { path: '^src/(common|database|modules|cli)/|' + COMPOSITION },
    },
    {
      name: 'foundation-stays-low',
      severity: 'error',
      comment:
        'The error model, safe logging and util are used by the database layer, so they use neither it nor anything above.',
      from: { path: FOUNDATION },
      to: { path: '^src/(database|modules)/|' + HTTP_COMMON + '|' + COMPOSITION },
    },
    {
      name: 'database-below-common-http',
      severity: 'error',
      comment: 'The database layer knows tables and connections, not HTTP behaviour or features.',
      from: { path: '^src/database/' },
      to: { path: '^src/modules/|' + HTTP_COMMON + '|' + COMPOSITION },
    },
    {
      name: 'common-never-imports-modules',
      severity: 'error',
      comment: 'Cross-cutting code serves every feature; a feature is never its dependency.',
      from: { path: '^src/common/' },
      to: { path: '^src/modules/|' + COMPOSITION },
    },
    {
      name: 'modules-never-import-composition',
      severity: 'error',
      comment: 'Features are composed by the app, never the other way round.',
      from: { path: '^src/modules/' },
      to: { path: COMPOSITION },
    },
    {
      name: 'no-other-modules-repositories-or-controllers',
      severity: 'error',
      comment:
        'A feature reaches another through its services and types: its tables are read and written by its own repository only (CONVENTIONS).',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/.+\\.(repository|controller)\\.ts$', pathNot: '^src/modules/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
