#!/usr/bin/env node
// npm run api:lint — writes client/openapi.json from the code (scripts/openapi.ts), then lints it with Redocly's
// recommended ruleset (redocly.yaml) and Spectral's spectral:oas ruleset (.spectral.yaml). Any error or
// warning of either fails. In CI (CI=true) a committed client/openapi.json that differs from the code fails too.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');

const DOC = 'client/openapi.json';
const bin = (name) => require.resolve(`.bin/${name}`, { paths: [require('node:path').join(__dirname, '..', 'node_modules')] });

function run(command, args, options = {}) {
  return spawnSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
}

execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/openapi.ts', DOC], {
  stdio: 'inherit',
});

let failed = false;

// Redocly exits non-zero on errors only; its JSON totals count the warnings as well
const redocly = run(bin('redocly'), ['lint', DOC, '--format=json']);
const report = JSON.parse(redocly.stdout);
if (report.totals.errors + report.totals.warnings > 0) {
  run(bin('redocly'), ['lint', DOC], { stdio: 'inherit' });
  failed = true;
}
console.log(`redocly (recommended): ${report.totals.errors} errors, ${report.totals.warnings} warnings`);

const spectral = run(bin('spectral'), ['lint', DOC, '--ruleset', '.spectral.yaml', '--fail-severity', 'warn'], {
  stdio: 'inherit',
});
if (spectral.status !== 0) failed = true;
console.log(`spectral (spectral:oas): ${spectral.status === 0 ? 'no problems' : 'problems above'}`);

if (process.env.CI === 'true') {
  const diff = run('git', ['diff', '--exit-code', '--stat', '--', DOC], { stdio: 'inherit' });
  if (diff.status !== 0) {
    console.error(`${DOC} is out of date: run npm run api:lint and commit it`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
