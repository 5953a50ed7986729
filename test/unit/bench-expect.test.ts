// bench/lib/expect.mjs: a ladder run counts in the bench only when it reached the scenario's expected conclusion.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { EXPECTED, judgeFloor, judgeManual, judgeRun, scenarioOf, START_QUESTION } from '../../bench/lib/expect.mjs';

// A --json report recorded on the veth-peer lab (the wizard's fixture is the same report schema).
const vethReport = JSON.parse(readFileSync(new URL('../ui/fixtures/report-veth-peer.json', import.meta.url), 'utf8'));
const healthyReport = JSON.parse(readFileSync(new URL('../ui/fixtures/report-healthy.json', import.meta.url), 'utf8'));

describe('judgeRun', () => {
  it('counts a run with the expected exit code and top cause', () => {
    expect(vethReport.diagnosis[0].cause).toBe('veth-peer-no-xdp');
    expect(judgeRun({ exitCode: 1, report: vethReport }, EXPECTED[scenarioOf(['veth-peer'])])).toBeUndefined();
    expect(judgeRun({ exitCode: 0, report: healthyReport }, EXPECTED[scenarioOf([])])).toBeUndefined();
  });

  it('rejects a wrong exit code, a wrong or missing top cause, no report, an unknown scenario', () => {
    const veth = EXPECTED['veth-peer'];
    expect(judgeRun({ exitCode: 0, report: vethReport }, veth)).toBe('wrong conclusion: exit 0, expected 1');
    expect(judgeRun({ exitCode: 1, report: healthyReport }, veth)).toBe('wrong conclusion: top cause none, expected veth-peer-no-xdp');
    expect(judgeRun({ exitCode: 1, report: { diagnosis: [{ cause: 'packets-lost-after-xdp' }] } }, veth))
      .toBe('wrong conclusion: top cause packets-lost-after-xdp, expected veth-peer-no-xdp');
    expect(judgeRun({ exitCode: 2, report: undefined }, veth)).toBe('no JSON report (exit 2)');
    expect(judgeRun({ exitCode: 1, report: vethReport }, EXPECTED[scenarioOf(['nope'])])).toMatch(/no expected conclusion/);
  });

  it('names a scenario by its faults, in any order', () => {
    expect(scenarioOf(['veth-peer'])).toBe('veth-peer');
    expect(scenarioOf(['veth-peer', 'bad-iphdr'])).toBe(scenarioOf(['bad-iphdr', 'veth-peer']));
    expect(scenarioOf()).toBe('healthy');
  });
});

// The manual ladder's steps as bench/manual-ladder.mjs returns them (names, numbers), on the veth-peer lab.
const step = (name: string, extra: Record<string, unknown> = {}) => ({ name, ms: 100, probes: 1, detail: '', ...extra });
const ENXIO = [{ tracepoint: 'xdp_bulk_tx', ifindex: 2, errno: -6, count: 2 }];
const manual = (over: { ethtool?: Record<string, unknown>; bpftrace?: Record<string, unknown>; failing?: string } = {}) => ({
  totalMs: 9000, probes: 5,
  steps: [
    step('tcpdump on the 6 hops'),
    step('cat trace_pipe', over.failing === 'cat trace_pipe' ? { error: 'spawn cat EBUSY' } : {}),
    step('ethtool -S before/after', { txErrors: 2, ...over.ethtool }),
    step('bpftrace xdp:*', { events: ENXIO, ...over.bpftrace }),
  ],
});

describe('judgeManual: a manual climb counts when it reached the answer', () => {
  it('counts a run that saw xdp_tx_errors rise and ENXIO on xdp_bulk_tx', () => {
    expect(judgeManual(manual())).toBeUndefined();
  });
  it('not when a step failed, the counters did not rise, or bpftrace saw no ENXIO', () => {
    expect(judgeManual(manual({ failing: 'cat trace_pipe' }))).toBe('cat trace_pipe: spawn cat EBUSY');
    expect(judgeManual(manual({ ethtool: { txErrors: 0 } }))).toBe('ethtool saw no xdp_tx_errors rise on l0 (0)');
    expect(judgeManual(manual({ bpftrace: { events: [] } }))).toBe('bpftrace saw no ENXIO on xdp_bulk_tx');
    expect(judgeManual(manual({ bpftrace: { events: [{ ...ENXIO[0], errno: -22 }] } }))).toBe('bpftrace saw no ENXIO on xdp_bulk_tx');
    expect(judgeManual(manual({ bpftrace: { events: [{ ...ENXIO[0], tracepoint: 'xdp_exception' }] } }))).toBe('bpftrace saw no ENXIO on xdp_bulk_tx');
    // A bpftrace step that threw (its maps unreadable) has no events: the run did not see the errno.
    expect(judgeManual(manual({ bpftrace: { events: undefined, error: 'bpftrace: no JSON' } }))).toBe('bpftrace xdp:*: bpftrace: no JSON; bpftrace saw no ENXIO on xdp_bulk_tx');
  });
});

describe('judgeFloor: a floor sample counts when every collector attached, bpftrace from this kernel\'s tracepoints', () => {
  const listed = ['xdp_bulk_tx', 'xdp_exception', 'xdp_redirect', 'xdp_redirect_err'];
  const sample = (over: Record<string, unknown> = {}) => ({
    attach: { tcpdump: 40, tracePipe: 10, bpftrace: 900 }, errors: [] as string[], tracepoints: listed.slice(0, 2), kernelTracepoints: listed, ...over,
  });
  it('counts a sample where all three attached', () => {
    expect(judgeFloor(sample())).toBeUndefined();
  });
  it('not when bpftrace did not attach (the error bench/floor.mjs recorded is named), nor when built with an absent tracepoint', () => {
    const failed = sample({ attach: { tcpdump: 40, tracePipe: 10, bpftrace: undefined }, errors: ['bpftrace: tracepoint not found: xdp:xdp_redirect_map_err'] });
    expect(judgeFloor(failed)).toBe('bpftrace: tracepoint not found: xdp:xdp_redirect_map_err; bpftrace did not attach');
    expect(judgeFloor(sample({ tracepoints: ['xdp_bulk_tx', 'xdp_redirect_map_err'] }))).toBe('bpftrace built with tracepoints this kernel lacks: xdp_redirect_map_err');
  });
});

describe('START_QUESTION', () => {
  it('is not the splash painted before Ink loads (src/splash.ts)', () => {
    expect(START_QUESTION.test('⠋ starting…')).toBe(false);
  });
});
