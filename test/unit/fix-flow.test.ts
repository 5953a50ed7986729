// src/engine/fix-flow.ts: which rungs re-run after a fix, and the one fix-then-verify flow (--fix and the
// wizard's `f`) over a fake Exec: its events, its rules for "rolled back" and "worked".
import { describe, it, expect, afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyWith, fixCandidate, fixReport, rerunPlan, type FixDeps, type FixEvent } from '../../src/engine/fix-flow.js';
import type { PlannedCheck } from '../../src/engine/runner.js';
import type { Check, CheckRecord, DiagnosisEntry, ProbeOutcome, RunEvent, RunReport } from '../../src/engine/types.js';
import { readFixLog } from '../../src/engine/fix-log.js';
import { fakeExec, type Recording } from '../../src/plugins/testing.js';

const planned = (id: string, after: string[] = []): PlannedCheck => ({
  check: { id, title: id, rung: 0, after, run: async () => ({ status: 'pass', summary: '', evidence: [], findings: [] }) } as Check,
  source: 'built-in',
});
// The built-in ladder's dependency shape.
const plan = [
  planned('preflight'), planned('inventory', ['preflight']), planned('routing', ['inventory']),
  planned('trace-pipe', ['preflight', 'inventory']), planned('map-dump', ['inventory']),
  planned('xdpdump', ['preflight', 'inventory']), planned('packet-sanity', ['xdpdump']),
  planned('errno-explain', ['tracepoints', 'ethtool-stats']),
];
const ids = (p: PlannedCheck[]) => p.map((x) => x.check.id);

describe('rerunPlan', () => {
  it('the failed rung plus everything it waits for, transitively, in plan order', () => {
    expect(ids(rerunPlan(plan, ['packet-sanity']))).toEqual(['preflight', 'inventory', 'xdpdump', 'packet-sanity']);
    expect(ids(rerunPlan(plan, ['map-dump', 'routing']))).toEqual(['preflight', 'inventory', 'routing', 'map-dump']);
  });

  it('dependencies outside the plan and unknown ids are ignored', () => {
    expect(ids(rerunPlan(plan, ['errno-explain']))).toEqual(['errno-explain']);
    expect(ids(rerunPlan(plan, ['nope']))).toEqual([]);
    expect(ids(rerunPlan(plan, []))).toEqual([]);
  });

  it('a dependency cycle does not loop', () => {
    expect(ids(rerunPlan([planned('a', ['b']), planned('b', ['a'])], ['a']))).toEqual(['a', 'b']);
  });
});

describe('fixReport', () => {
  let dir: string;
  afterEach(() => { vi.unstubAllEnvs(); rmSync(dir, { recursive: true, force: true }); });
  const stateIn = () => { dir = mkdtempSync(join(tmpdir(), 'xdp-doctor-flow-')); vi.stubEnv('XDP_DOCTOR_STATE_DIR', dir); };

  const rec = (id: string, status: CheckRecord['status'], cause?: string): CheckRecord => ({
    id, title: id, rung: plan.findIndex((p) => p.check.id === id), status, summary: '', evidence: [], durationMs: 0, source: 'built-in', commands: [],
    findings: cause ? [{ cause, severity: 'medium', message: 'seen', fixes: [] }] : [],
  });
  const entry = (fixes: DiagnosisEntry['fixes'], cause = 'veth-peer-no-xdp'): DiagnosisEntry => ({ cause, title: 't', confidence: 0.9, evidence: [], fixes });
  const probeOf = (ok: boolean, note?: string): ProbeOutcome => ({ ran: true, ok, startedAt: 0, endedAt: 0, ...(note ? { note } : {}) });
  const report = (checks: CheckRecord[], diagnosis: DiagnosisEntry[], exitCode = 1, probeOk = false): RunReport => ({
    schemaVersion: 2, tool: { name: 'xdp-doctor', version: '0' }, target: { kind: 'iface', iface: 'l0', hops: [], windowMs: 100, expect: [] }, errnos: [],
    environment: { kernel: 'k', tools: {} }, startedAt: '', durationMs: 0, checks, diagnosis, exitCode,
    probe: probeOf(probeOk),
  });
  const fix = { title: 'dummy XDP on the peer', commands: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'obj', 'p.o']], undo: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'off']] };
  const anything: Recording = { argv: () => true };
  /** Deps over a fake Exec; the re-run passes every rung unless told otherwise, and its events are emitted. */
  const deps = (recordings: Recording[] = [anything], o: Partial<FixDeps> = {}) => {
    const exec = fakeExec(recordings);
    const events: FixEvent[] = [];
    const rerun = vi.fn(async (p: PlannedCheck[], emit: (e: RunEvent) => void) => {
      const r = report(p.map((x) => rec(x.check.id, 'pass')), [], 0, true);
      for (const c of r.checks) emit({ type: 'check-end', record: c });
      return r;
    });
    const d: FixDeps = { apply: applyWith(exec), rerun, diagnose: () => [], emit: (e) => events.push(e), ...o };
    return { exec, events, rerun: (o.rerun ?? rerun) as typeof rerun, d };
  };

  it('nothing diagnosed: nothing to do', async () => {
    stateIn();
    expect(await fixReport(report([], []), plan, deps().d)).toBeUndefined();
  });

  it('a cause with no runnable fix: not applied, and says why', async () => {
    stateIn();
    const { d, rerun, exec } = deps();
    const o = await fixReport(report([], [entry([{ title: 'fix the loader', commands: [] }])]), plan, d);
    expect(o).toMatchObject({ applied: false, worked: false, note: 'no automatic fix for veth-peer-no-xdp: fix the loader' });
    expect(rerun).not.toHaveBeenCalled();
    expect(exec.calls).toEqual([]);
  });

  it('the fix offered is the best-ranked cause that has one with commands (--fix and `f` alike)', () => {
    const manual = entry([{ title: 'fix the loader', commands: [] }], 'bad-loader');
    expect(fixCandidate([manual, entry([fix])])).toEqual({ entry: entry([fix]), fix });
    expect(fixCandidate([manual])).toBeUndefined();
  });

  it('applies the fix, re-runs the failed rungs (and those that found the cause) with their prerequisites, probes again, and sees it worked', async () => {
    stateIn();
    const { d, exec, rerun, events } = deps([anything], { probe: async () => probeOf(true) });
    const first = report([rec('preflight', 'pass'), rec('routing', 'fail'), rec('packet-sanity', 'error'), rec('map-dump', 'warn'), rec('trace-pipe', 'warn', 'veth-peer-no-xdp')], [entry([fix])]);
    const o = (await fixReport(first, plan, d))!;
    // The fix's commands, then g1 read back: what undo will compare against (engine/undo-check.ts).
    expect(exec.calls.map((c) => c.argv)).toEqual([...fix.commands, ['ip', '-j', 'link', 'show', 'dev', 'g1']]);
    expect(ids(rerun.mock.calls[0]![0])).toEqual(['preflight', 'inventory', 'routing', 'trace-pipe', 'xdpdump', 'packet-sanity']);
    expect(o).toMatchObject({ applied: true, worked: true, undo: fix.undo, note: 'the probe passes and the rungs that failed now pass' });
    expect(o.rerun!.checks.map((c) => c.id)).toEqual(['preflight', 'inventory', 'routing', 'trace-pipe', 'xdpdump', 'packet-sanity']);
    expect(readFixLog(dir).map((r) => r.state)).toEqual(['applied']);
    // What a view renders: progress, what was applied, the re-run's own events, the outcome last.
    expect(events.map((e) => (e.type === 'fix-progress' ? e.step : e.type))).toEqual([
      'applying: dummy XDP on the peer', 'fix-applied', 're-running 6 rung(s)', ...Array(6).fill('fix-rerun'), 'sending the probe again', 'fix-outcome',
    ]);
    expect(events.at(-1)).toEqual({ type: 'fix-outcome', outcome: o });
  });

  it('a re-run that still fails: not worked, and names what fails', async () => {
    stateIn();
    const rerun = vi.fn(async () => report([rec('routing', 'fail')], [], 1, true));
    const o = (await fixReport(report([rec('routing', 'fail')], [entry([fix])]), plan, deps([anything], { rerun }).d))!;
    expect(o).toMatchObject({ applied: true, worked: false, note: 'still failing: routing; undo with `xdp-doctor undo`' });
  });

  it('a probe that still fails after the fix: not worked, whatever the rungs say', async () => {
    stateIn();
    const { d } = deps([anything], { probe: async () => probeOf(false, 'no echo came back') });
    const o = (await fixReport(report([rec('routing', 'fail')], [entry([fix])]), plan, d))!;
    expect(o).toMatchObject({ applied: true, worked: false, note: 'the probe still fails (no echo came back); undo with `xdp-doctor undo`' });
    expect(o.rerun!.probe).toEqual(probeOf(false, 'no echo came back'));
  });

  it('a fix whose first command fails changed nothing, says so, and nothing re-runs', async () => {
    stateIn();
    const { d, rerun } = deps([{ argv: () => true, exitCode: 2 }]);
    const o = (await fixReport(report([rec('routing', 'fail')], [entry([fix])]), plan, d))!;
    expect(o.applied).toBe(false);
    expect(o.note).toBe('the fix failed before it changed anything: ip link set dev g1 xdp obj p.o: exit 2');
    expect(rerun).not.toHaveBeenCalled();
  });

  it('an apply that throws claims neither a roll-back nor an untouched system', async () => {
    stateIn();
    const { d, rerun } = deps([anything], { apply: async () => { throw new Error('state directory not writable'); } });
    const o = (await fixReport(report([rec('routing', 'fail')], [entry([fix])]), plan, d))!;
    expect(o).toMatchObject({ applied: false, worked: false, note: 'the fix could not be applied: state directory not writable (whether any of its commands ran is not known)' });
    expect(rerun).not.toHaveBeenCalled();
  });

  it('a fix whose second command fails is rolled back, and only then says so', async () => {
    stateIn();
    const two = { ...fix, commands: [...fix.commands, ['ip', 'link', 'set', 'dev', 'g1', 'up']] };
    const { d, exec } = deps([{ argv: ['ip', 'link', 'set', 'dev', 'g1', 'up'], exitCode: 2, stderr: 'RTNETLINK answers: busy' }, anything]);
    const o = (await fixReport(report([rec('routing', 'fail')], [entry([two])]), plan, d))!;
    expect(exec.calls.map((c) => c.argv)).toEqual([...two.commands, ...two.undo]);
    expect(o).toMatchObject({ applied: false, worked: false, note: 'the fix failed and was rolled back: ip link set dev g1 up: RTNETLINK answers: busy' });
    expect(readFixLog(dir).map((r) => r.state)).toEqual(['rolled-back']);
  });
});
