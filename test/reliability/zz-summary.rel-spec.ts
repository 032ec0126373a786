import { FileReport, readRunReports } from './support/recorder';

/**
 * The run's summary. Jest gives a project no globalTeardown we may add to, and in-band order is Jest's
 * choice (it runs previously failed and slow files first, so this small, fast file normally comes last),
 * so each file prints its own row in afterAll and appends it to a per-run file; this one prints what it
 * finds at the time it runs and names the files it did not find yet.
 */
const EXPECTED_FILES = ['races', 'faults', 'fuzz', 'security'];

describe('reliability run summary', () => {
  it('prints the totals of the files run so far and finds no invariant violation and no leaked internals', () => {
    const reports = readRunReports();
    const total = reports.reduce<Omit<FileReport, 'backend'>>(
      (sum, r) => ({
        file: 'TOTAL',
        scenarios: sum.scenarios + r.scenarios,
        requests: sum.requests + r.requests,
        faults: sum.faults + r.faults,
        invariantChecks: sum.invariantChecks + r.invariantChecks,
        invariantViolations: sum.invariantViolations + r.invariantViolations,
        errorBodies: sum.errorBodies + r.errorBodies,
        leaks: sum.leaks + r.leaks,
        seconds: Math.round((sum.seconds + r.seconds) * 10) / 10,
      }),
      {
        file: 'TOTAL',
        scenarios: 0,
        requests: 0,
        faults: 0,
        invariantChecks: 0,
        invariantViolations: 0,
        errorBodies: 0,
        leaks: 0,
        seconds: 0,
      },
    );
    const missing = EXPECTED_FILES.filter((file) => !reports.some((r) => r.file === file));
    console.table([...reports, { ...total, backend: reports[0]?.backend ?? '-' }]);
    if (missing.length > 0) {
      console.log(`not in this summary (not run, or not finished before this file): ${missing.join(', ')}`);
    }

    expect({ invariantViolations: total.invariantViolations, leaks: total.leaks }).toEqual({
      invariantViolations: 0,
      leaks: 0,
    });
  });
});
