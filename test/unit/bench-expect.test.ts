// bench/lib/expect.mjs: a ladder run counts in the bench only when it reached the scenario's expected conclusion.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { EXPECTED, judgeRun, scenarioOf } from '../../bench/lib/expect.mjs';

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
