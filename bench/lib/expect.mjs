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

/**
 * Why a manual-ladder run (bench/manual-ladder.mjs, on the veth-peer lab) does not count, or undefined when it
 * reached what the climb by hand is for: every step ran, ethtool saw l0's xdp_tx_errors rise, and bpftrace saw
 * ENXIO (errno 6) on xdp_bulk_tx. A run that stopped short of the answer is shorter than a real climb.
 */
export function judgeManual(run) {
  const problems = run.steps.filter((s) => s.error).map((s) => `${s.name}: ${s.error}`);
  const ethtool = run.steps.find((s) => s.name === 'ethtool -S before/after');
  if (!ethtool || !(ethtool.txErrors > 0)) problems.push(`ethtool saw no xdp_tx_errors rise on l0 (${ethtool?.txErrors ?? 'not read'})`);
  const bpftrace = run.steps.find((s) => s.name === 'bpftrace xdp:*');
  const enxio = (bpftrace?.events ?? []).some((e) => e.tracepoint === 'xdp_bulk_tx' && Math.abs(Number(e.errno)) === 6 && e.count > 0);
  if (!enxio) problems.push('bpftrace saw no ENXIO on xdp_bulk_tx');
  return problems.length ? problems.join('; ') : undefined;
}

/**
 * Why a floor sample (bench/floor.mjs) does not count: a collector that never attached makes the floor the others'
 * time alone (bpftrace refused its program, trace_pipe held elsewhere), and a bpftrace program built from
 * tracepoints this kernel lacks is not the one the ladder runs.
 */
export function judgeFloor(sample) {
  const problems = [...sample.errors];
  for (const c of ['tcpdump', 'tracePipe', 'bpftrace']) if (sample.attach[c] === undefined) problems.push(`${c} did not attach`);
  if (sample.kernelTracepoints && sample.tracepoints) {
    const absent = sample.tracepoints.filter((t) => !sample.kernelTracepoints.includes(t));
    if (absent.length) problems.push(`bpftrace built with tracepoints this kernel lacks: ${absent.join(', ')}`);
  }
  return problems.length ? [...new Set(problems)].join('; ') : undefined;
}

/** The wizard's start screen asks this (src/ui/start-screen.tsx): "first frame" is the first frame that asks it. */
export const START_QUESTION = /which XDP program should we examine\?/;
