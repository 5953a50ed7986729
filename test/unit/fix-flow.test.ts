// src/engine/fix-flow.ts: which rungs re-run after a fix, and the fix-then-verify flow over fakes.
import { describe, it, expect, afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixAndVerify, rerunPlan } from '../../src/engine/fix-flow.js';
import type { PlannedCheck } from '../../src/engine/runner.js';
import type { Check, CheckRecord, DiagnosisEntry, RunReport } from '../../src/engine/types.js';
import { readFixLog } from '../../src/engine/fix-log.js';
import { fakeExec } from './helpers/fake-exec.js';

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

describe('fixAndVerify', () => {
  let dir: string;
  afterEach(() => { vi.unstubAllEnvs(); rmSync(dir, { recursive: true, force: true }); });
  const stateIn = () => { dir = mkdtempSync(join(tmpdir(), 'xdp-doctor-flow-')); vi.stubEnv('XDP_DOCTOR_STATE_DIR', dir); };

  const rec = (id: string, status: CheckRecord['status']): CheckRecord => ({
    id, title: id, rung: 0, status, summary: '', evidence: [], findings: [], durationMs: 0, source: 'built-in', commands: [],
  });
  const entry = (fixes: DiagnosisEntry['fixes']): DiagnosisEntry => ({ cause: 'veth-peer-no-xdp', title: 't', confidence: 0.9, evidence: [], fixes });
  const report = (checks: CheckRecord[], diagnosis: DiagnosisEntry[], exitCode = 1, probeOk = false): RunReport => ({
    schemaVersion: 1, tool: { name: 'xdp-doctor', version: '0' }, target: { kind: 'iface', iface: 'l0', hops: [], windowMs: 100, expect: [] },
    environment: { kernel: 'k', tools: {} }, startedAt: '', durationMs: 0, checks, diagnosis, exitCode,
    probe: { ran: true, ok: probeOk, startedAt: 0, endedAt: 0 },
  });
  const fix = { title: 'dummy XDP on the peer', commands: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'obj', 'p.o']], undo: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'off']] };

  it('nothing diagnosed: nothing to do', async () => {
    stateIn();
    expect(await fixAndVerify(fakeExec(), report([], []), plan, vi.fn())).toBeUndefined();
  });

  it('a cause with no runnable fix: not applied, and says why', async () => {
    stateIn();
    const rerun = vi.fn();
    const o = await fixAndVerify(fakeExec(), report([], [entry([{ title: 'fix the loader', commands: [] }])]), plan, rerun);
    expect(o).toMatchObject({ applied: false, worked: false, note: 'no automatic fix for veth-peer-no-xdp: fix the loader' });
    expect(rerun).not.toHaveBeenCalled();
  });

  it('applies the top fix, re-runs the failed rungs with their prerequisites, and sees it worked', async () => {
    stateIn();
    const exec = fakeExec();
    const rerun = vi.fn(async (p: PlannedCheck[]) => report(p.map((x) => rec(x.check.id, 'pass')), [], 0, true));
    const first = report([rec('preflight', 'pass'), rec('routing', 'fail'), rec('packet-sanity', 'error'), rec('map-dump', 'warn')], [entry([fix])]);
    const o = (await fixAndVerify(exec, first, plan, rerun))!;
    // The fix's commands, then g1 read back: what undo will compare against (engine/undo-check.ts).
    expect(exec.calls.map((c) => c.argv)).toEqual([...fix.commands, ['ip', '-j', 'link', 'show', 'dev', 'g1']]);
    expect(ids(rerun.mock.calls[0]![0])).toEqual(['preflight', 'inventory', 'routing', 'xdpdump', 'packet-sanity']);
    expect(o).toMatchObject({ applied: true, worked: true, undo: fix.undo, note: 'the probe passes and the rungs that failed now pass' });
    expect(o.rerun!.checks.map((c) => c.id)).toEqual(['preflight', 'inventory', 'routing', 'xdpdump', 'packet-sanity']);
    expect(readFixLog(dir).map((r) => r.state)).toEqual(['applied']);
  });

  it('a re-run that still fails: not worked', async () => {
    stateIn();
    const rerun = vi.fn(async () => report([rec('routing', 'fail')], [], 1, false));
    const o = (await fixAndVerify(fakeExec(), report([rec('routing', 'fail')], [entry([fix])]), plan, rerun))!;
    expect(o).toMatchObject({ applied: true, worked: false, note: 'the fix did not clear every failure' });
  });

  it('a fix whose first command fails changed nothing, says so, and nothing re-runs', async () => {
    stateIn();
    const rerun = vi.fn();
    const o = (await fixAndVerify(fakeExec(() => ({ ok: false, exitCode: 2 })), report([rec('routing', 'fail')], [entry([fix])]), plan, rerun))!;
    expect(o.applied).toBe(false);
    expect(o.note).toBe('the fix failed before it changed anything: ip link set dev g1 xdp obj p.o: exit 2');
    expect(rerun).not.toHaveBeenCalled();
  });
});
