// What a ladder run on each lab scenario must conclude to count as a sample: its exit code and the top cause of
// its --json report (the e2e tests assert the same: test/e2e/ladder*.test.ts). A run that ends otherwise found
// nothing, or the wrong thing, and its time says nothing about the ladder: it is listed as failed, not counted.

/** Lab scenario (the faults given to `lab up`, joined by '+'; 'healthy' for none) → the expected conclusion. */
export const EXPECTED = {
  healthy: { exitCode: 0, cause: undefined },
  'veth-peer': { exitCode: 1, cause: 'veth-peer-no-xdp' },
  'params-unset': { exitCode: 1, cause: 'map-params-unset' },
  'bad-iphdr': { exitCode: 1, cause: 'malformed-packet' },
  'csum-offload': { exitCode: 1, cause: 'tx-checksum-partial' },
};

export function scenarioOf(faults = []) {
  return faults.length ? [...faults].sort().join('+') : 'healthy';
}

/**
 * Why a run does not count, or undefined when it reached the expected conclusion. `report` is the parsed --json
 * output (undefined when there was none).
 */
export function judgeRun({ exitCode, report }, expected) {
  if (!expected) return 'no expected conclusion for this lab scenario (bench/lib/expect.mjs)';
  if (!report) return `no JSON report (exit ${exitCode ?? 'none'})`;
  const top = report.diagnosis?.[0]?.cause;
  const problems = [];
  if (exitCode !== expected.exitCode) problems.push(`exit ${exitCode ?? 'none'}, expected ${expected.exitCode}`);
  if (top !== expected.cause) problems.push(`top cause ${top ?? 'none'}, expected ${expected.cause ?? 'none'}`);
  return problems.length ? `wrong conclusion: ${problems.join('; ')}` : undefined;
}
