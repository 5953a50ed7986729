// src/engine/route.ts and src/engine/errnos.ts: the route found by the data a rung published (not by its id), the
// errnos a run observed joined with the kb; and runLadder puts both in the report (schemaVersion 2).
import { describe, expect, it } from 'vitest';
import { concludeErrnos } from '../../src/engine/errnos.js';
import { concludeRoute } from '../../src/engine/route.js';
import { diagnose } from '../../src/engine/diagnosis.js';
import { runLadder } from '../../src/engine/ladder.js';
import { fakeExec } from '../../src/plugins/testing.js';
import type { Check, CheckRecord, Finding, RouteObservation, Target } from '../../src/engine/types.js';

const record = (id: string, findings: Finding[], extra: Partial<CheckRecord> = {}): CheckRecord => ({
  id, title: id, rung: 1, durationMs: 1, source: 'built-in', commands: [], status: findings.length ? 'fail' : 'pass',
  summary: '', evidence: [], findings: findings.map((f) => ({ ...f, severity: f.severity ?? 'medium' })), ...extra,
});
const finding = (cause: string, extra: Partial<Finding> = {}): Finding => ({ cause, severity: 'high', message: cause, fixes: [], ...extra });
const ENXIO = { value: 6, name: 'ENXIO' };

const target: Target = {
  kind: 'iface', iface: 'l0', windowMs: 10, expect: [],
  hops: [{ label: 'g1 (veth peer)', iface: 'g1' }, { label: 'l0 (XDP)', iface: 'l0', xdp: true }],
};
const observed: RouteObservation = {
  verdict: 'the requests reached l0 (XDP) and no reply came back', synRetransmissions: 0, lastSeen: 'g1 (veth peer)',
  hops: [
    { label: 'g1 (veth peer)', iface: 'g1', xdp: false, requests: 4, replies: 0, encapsulated: 0, state: 'seen' },
    { label: 'l0 (XDP)', iface: 'l0', xdp: true, requests: 0, replies: 0, encapsulated: 0, state: 'xdp' },
  ],
};

describe('concludeRoute', () => {
  it('takes the route from whichever record carries one, and names that rung', () => {
    const r = concludeRoute(target, [record('preflight', []), record('team/capture', [], { route: observed })])!;
    expect(r).toEqual({ ...observed, check: 'team/capture' });
  });

  it('no record carries a route: the target\'s hops, unknown, with the reason; no hops and no route: none', () => {
    const r = concludeRoute(target, [record('routing', [], { status: 'skip', summary: 'needs tcpdump' })])!;
    expect(r.hops.map((h) => [h.iface, h.state, h.xdp])).toEqual([['g1', 'unknown', false], ['l0', 'unknown', true]]);
    expect(r.missing).toBeDefined();
    expect(r.verdict).toBe(r.missing);
    expect(concludeRoute({ ...target, hops: [] }, [])).toBeUndefined();
  });
});

describe('concludeErrnos', () => {
  it('an errno a tracepoint finding carried: its context (tracepoint, interface) and the kb row for the cause (driver veth)', () => {
    const records = [record('tracepoints', [finding('veth-peer-no-xdp', { errno: ENXIO, signal: 'xdp:xdp_bulk_tx', iface: 'l0', severity: 'critical' })])];
    const e = concludeErrnos(diagnose(records), records);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({
      value: 6, name: 'ENXIO', message: 'No such device or address', observed: true,
      tracepoint: 'xdp_bulk_tx', driver: 'veth', iface: 'l0', causes: ['veth-peer-no-xdp'],
    });
    expect(e[0]!.source).toMatch(/^drivers\/net\/veth\.c/);
    expect(e[0]!.meaning).toMatch(/no NAPI/);
  });

  it('an errno without a signal takes its context from the kb row of the cause carrying it; one entry per errno', () => {
    const records = [
      record('ethtool-stats', [finding('veth-peer-no-xdp', { errno: ENXIO })]),
      record('team', [finding('veth-peer-no-xdp', { errno: ENXIO })]),
    ];
    const e = concludeErrnos(diagnose(records), records);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ value: 6, tracepoint: 'xdp_bulk_tx', driver: 'veth', observed: true });
    expect(e[0]!.iface).toBeUndefined();
  });

  it('several errnos, the top cause\'s first; an errno the kb does not know keeps its name', () => {
    const records = [
      record('a', [finding('xdp-redirect-error', { errno: { value: 95, name: 'EOPNOTSUPP' }, severity: 'medium' })]),
      record('b', [finding('veth-peer-no-xdp', { errno: ENXIO, severity: 'critical' })]),
      record('c', [finding('team-thing', { errno: { value: 4095, name: 'EWEIRD' }, severity: 'low' })]),
    ];
    const e = concludeErrnos(diagnose(records), records);
    expect(e.map((x) => x.name)).toEqual(['ENXIO', 'EOPNOTSUPP', 'EWEIRD']);
    expect(e[2]).toEqual({ value: 4095, name: 'EWEIRD', observed: true, causes: ['team-thing'] });
  });

  it('risks are not observations; with no errno seen, the top cause\'s known errno is given as not observed', () => {
    const records = [
      record('inventory', [finding('veth-peer-no-xdp', { errno: ENXIO, risk: true })]),
      record('routing', [finding('veth-peer-no-xdp', { severity: 'medium' })]),
    ];
    const e = concludeErrnos(diagnose(records), records);
    expect(e).toEqual([expect.objectContaining({ value: 6, observed: false, tracepoint: 'xdp_bulk_tx', driver: 'veth' })]);
    expect(concludeErrnos([], [record('inventory', [finding('veth-peer-no-xdp', { errno: ENXIO, risk: true })])])).toEqual([]);
    const none = [record('inventory', [finding('veth-peer-no-xdp', { risk: true })]), record('routing', [finding('veth-peer-no-xdp', { severity: 'medium' })])];
    expect(concludeErrnos(diagnose(none), none)).toEqual([expect.objectContaining({ value: 6, observed: false, causes: ['veth-peer-no-xdp'] })]);
    const unknownCause = [record('routing', [finding('packets-lost-after-xdp')])];
    expect(concludeErrnos(diagnose(unknownCause), unknownCause)).toEqual([]);
  });
});

describe('runLadder', () => {
  it('the report carries the route and the errnos (schemaVersion 2)', async () => {
    const checks: Check[] = [
      { id: 'capture', title: 'Capture', rung: 2, run: async () => ({ status: 'pass', summary: 'seen', evidence: [], findings: [], route: observed }) },
      {
        id: 'tp', title: 'Tracepoints', rung: 8,
        run: async () => ({ status: 'fail', summary: 'err -6', evidence: [], findings: [finding('veth-peer-no-xdp', { errno: ENXIO, signal: 'xdp:xdp_bulk_tx', iface: 'l0' })] }),
      },
    ];
    const report = await runLadder({
      target, exec: fakeExec([]), checks: checks.map((check) => ({ check, source: 'built-in' })), emit: () => {},
      signal: new AbortController().signal, toolStatus: {}, tool: { name: 'xdp-doctor', version: '0' },
    });
    expect(report.schemaVersion).toBe(2);
    expect(report.route).toMatchObject({ check: 'capture', lastSeen: 'g1 (veth peer)' });
    expect(report.errnos.map((e) => [e.name, e.tracepoint, e.iface])).toEqual([['ENXIO', 'xdp_bulk_tx', 'l0']]);
  });

  it('a plugin result with a malformed route is an error row, named by the field', async () => {
    const bad: Check = { id: 'bad', title: 'Bad', rung: 1, run: async () => ({ status: 'pass', summary: '', evidence: [], findings: [], route: { hops: [{ label: 'x', iface: 'x', state: 'gone' }], verdict: '' } as never }) };
    const report = await runLadder({
      target, exec: fakeExec([]), checks: [{ check: bad, source: 'team@1' }], emit: () => {},
      signal: new AbortController().signal, toolStatus: {}, tool: { name: 'xdp-doctor', version: '0' },
    });
    expect(report.checks[0]!.status).toBe('error');
    expect(report.checks[0]!.summary).toMatch(/result\.route\.hops\[0\]\.state must be one of/);
  });
});
