// src/engine/diagnosis.ts: findings grouped by cause, ranked, joined with the kb.
import { describe, it, expect } from 'vitest';
import { conclude, diagnose } from '../../src/engine/diagnosis.js';
import { causeInfo } from '../../src/kb/causes.js';
import type { CheckRecord, Finding, Fix } from '../../src/engine/types.js';

const record = (id: string, findings: Finding[]): CheckRecord => ({
  id, title: id, rung: 1, durationMs: 1, source: 'built-in', commands: [], status: findings.length ? 'fail' : 'pass',
  summary: '', evidence: [], findings: findings.map((f) => ({ ...f, severity: f.severity ?? 'medium' })),
});
const finding = (cause: string, severity: Finding['severity'], message: string, extra: Partial<Finding> = {}): Finding => ({
  cause, severity, message, fixes: [], ...extra,
});
const dummyOnPeer: Fix = {
  title: 'attach a dummy XDP_PASS program to g1', netns: { kind: 'name', name: 'xdpd-gw' },
  commands: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'obj', '/x/xdp_pass.o', 'sec', 'xdp']],
  undo: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'off']],
};

describe('diagnose', () => {
  it('nothing found: no entries', () => {
    expect(diagnose([record('preflight', [])])).toEqual([]);
  });

  it('a critical cause ranks before a medium one, titles and explanations from the kb', () => {
    const d = diagnose([
      record('routing', [finding('packets-lost-after-xdp', 'medium', 'reached l0 and vanished')]),
      record('map-dump', [finding('map-params-unset', 'critical', 'vip is 0.0.0.0')]),
    ]);
    expect(d.map((e) => e.cause)).toEqual(['map-params-unset', 'packets-lost-after-xdp']);
    expect(d[0]).toMatchObject({
      title: causeInfo('map-params-unset')!.title, explanation: causeInfo('map-params-unset')!.explanation,
      confidence: 0.95, evidence: [{ check: 'map-dump', message: 'vip is 0.0.0.0' }],
    });
    expect(d[1]!.confidence).toBe(0.33); // 0.55 × prior 0.6
  });

  it('agreement across checks raises confidence', () => {
    // A cause the kb does not know ranks with its findings' severity and the default prior 0.8.
    const one = diagnose([record('ethtool-stats', [finding('team/tx-stall', 'high', 'xdp_tx_errors 2')])]);
    const two = diagnose([
      record('ethtool-stats', [finding('team/tx-stall', 'high', 'xdp_tx_errors 2')]),
      record('tracepoints', [finding('team/tx-stall', 'high', 'xdp_bulk_tx err -6')]),
    ]);
    expect(one[0]!.confidence).toBe(0.64); // 0.8 × 0.8
    expect(two[0]!.confidence).toBe(0.71); // + 0.07 for a second rung
    expect(two[0]!.evidence.map((e) => e.check)).toEqual(['ethtool-stats', 'tracepoints']);
  });

  it('two findings of the same rung do not count as agreement; confidence stays below 1', () => {
    const same = diagnose([record('tracepoints', [finding('team/tx-stall', 'high', 'a'), finding('team/tx-stall', 'high', 'b')])]);
    expect(same[0]!.confidence).toBe(0.64);
    const many = diagnose(['a', 'b', 'c', 'd', 'e'].map((id) => record(id, [finding('team/tx-stall', 'critical', id)])));
    expect(many[0]!.confidence).toBe(0.99);
  });

  it('the most severe finding of a plugin cause sets its weight', () => {
    const d = diagnose([
      record('a', [finding('team/tx-stall', 'low', 'x')]),
      record('b', [finding('team/tx-stall', 'critical', 'y')]),
    ]);
    expect(d[0]!.confidence).toBe(0.87); // critical 1 × 0.8 + 0.07; the low finding alone would give 0.24
  });

  it('a cause the kb knows has one severity, whichever rung raised it and whatever the finding says', () => {
    const low = diagnose([record('ethtool-stats', [finding('veth-peer-no-xdp', 'low', 'xdp_tx_errors 2')])]);
    const critical = diagnose([record('tracepoints', [finding('veth-peer-no-xdp', 'critical', 'xdp_bulk_tx err -6')])]);
    const unset = diagnose([record('tracepoints', [{ cause: 'veth-peer-no-xdp', message: 'xdp_bulk_tx err -6', fixes: [] }])]);
    expect(low[0]!.confidence).toBe(0.97); // the kb's critical × prior 0.97
    expect(critical[0]!.confidence).toBe(0.97);
    expect(unset[0]!.confidence).toBe(0.97);
  });

  it('at equal confidence, the cause with more evidence ranks first', () => {
    const d = diagnose([
      record('a', [finding('unknown-x', 'high', '1')]),
      record('b', [finding('unknown-y', 'high', '1'), finding('unknown-y', 'high', '2')]),
    ]);
    expect(d.map((e) => [e.cause, e.confidence])).toEqual([['unknown-y', 0.64], ['unknown-x', 0.64]]);
    expect(d[0]!.title).toBe('unknown-y'); // a cause the kb does not know keeps its id as title
    expect(d[0]!.explanation).toBeUndefined();
  });

  it('fixes are deduplicated by commands and namespace, in order', () => {
    const otherNs: Fix = { ...dummyOnPeer, title: 'same argv, other namespace', netns: { kind: 'name', name: 'other' } };
    const generic: Fix = { title: 'generic mode', commands: [['ip', 'link', 'set', 'dev', 'l0', 'xdpgeneric', 'obj', 'x.o']] };
    const d = diagnose([
      record('ethtool-stats', [finding('veth-peer-no-xdp', 'high', 'a', { fixes: [dummyOnPeer, generic] })]),
      record('tracepoints', [finding('veth-peer-no-xdp', 'high', 'b', { fixes: [{ ...dummyOnPeer, title: 'duplicate' }, otherNs] })]),
    ]);
    expect(d[0]!.fixes.map((f) => f.title)).toEqual(['attach a dummy XDP_PASS program to g1', 'generic mode', 'same argv, other namespace']);
  });

  it('carries the errno of the cause', () => {
    const d = diagnose([
      record('ethtool-stats', [finding('veth-peer-no-xdp', 'high', 'a')]),
      record('tracepoints', [finding('veth-peer-no-xdp', 'high', 'b', { errno: { value: 6, name: 'ENXIO' }, signal: 'xdp_bulk_tx' })]),
      record('map-dump', [finding('map-params-unset', 'critical', 'c')]),
    ]);
    expect(d.find((e) => e.cause === 'veth-peer-no-xdp')!.errno).toEqual({ value: 6, name: 'ENXIO' });
    expect('errno' in d.find((e) => e.cause === 'map-params-unset')!).toBe(false);
  });
});

describe('conclude: observed beats possible', () => {
  const peerRisk = finding('veth-peer-no-xdp', 'medium', 'peer has no XDP program: XDP_TX would fail', { risk: true, fixes: [dummyOnPeer] });

  it('a risk alone is a note, not a cause, and offers no fix', () => {
    const c = conclude([record('inventory', [peerRisk])]);
    expect(c.diagnosis).toEqual([]);
    expect(c.notes).toEqual([{ check: 'inventory', cause: 'veth-peer-no-xdp', message: 'peer has no XDP program: XDP_TX would fail' }]);
  });

  it('a risk joins the same cause when a rung observed it, bringing its fixes', () => {
    const c = conclude([
      record('inventory', [peerRisk]),
      record('tracepoints', [finding('veth-peer-no-xdp', 'critical', 'xdp_bulk_tx err -6', { errno: { value: 6, name: 'ENXIO' } })]),
    ]);
    expect(c.notes).toEqual([]);
    expect(c.diagnosis).toHaveLength(1);
    expect(c.diagnosis[0]!.evidence).toEqual([
      { check: 'tracepoints', message: 'xdp_bulk_tx err -6' },
      { check: 'inventory', message: 'peer has no XDP program: XDP_TX would fail', joined: true },
    ]);
    expect(c.diagnosis[0]!.fixes).toEqual([dummyOnPeer]);
  });

  it('a risk that explains an observed cause joins it (the empty allow-list behind XDP_DROP)', () => {
    const c = conclude([
      record('map-dump', [finding('map-empty', 'medium', 'allowed is empty', { risk: true, explains: ['xdp-drop-verdict'] })]),
      record('xdpdump', [finding('xdp-drop-verdict', 'high', 'XDP_DROP for 3 of 3')]),
    ]);
    expect(c.diagnosis.map((d) => d.cause)).toEqual(['xdp-drop-verdict']);
    expect(c.diagnosis[0]!.evidence.map((e) => [e.check, Boolean(e.joined)])).toEqual([['xdpdump', false], ['map-dump', true]]);
    expect(c.notes).toEqual([]);
  });

  it('a cause only seen as support for a stronger one joins it: one story, not two', () => {
    const c = conclude([
      record('routing', [finding('packets-lost-after-xdp', 'medium', 'no reply', { explains: ['xdp-drop-verdict', 'xdp-aborted'] })]),
      record('ethtool-stats', [finding('xdp-drop-verdict', 'medium', 'xdp_drops +3', { explains: ['xdp-aborted'] })]),
      record('xdpdump', [finding('xdp-aborted', 'high', 'XDP_ABORTED ×3')]),
    ]);
    expect(c.diagnosis.map((d) => d.cause)).toEqual(['xdp-aborted']);
    expect(c.diagnosis[0]!.evidence.map((e) => e.check).sort()).toEqual(['ethtool-stats', 'routing', 'xdpdump']);
  });

  it('with nothing stronger observed, a supporting finding stands as its own cause', () => {
    const c = conclude([record('routing', [finding('packets-lost-after-xdp', 'medium', 'no reply', { explains: ['xdp-aborted'] })])]);
    expect(c.diagnosis.map((d) => d.cause)).toEqual(['packets-lost-after-xdp']);
  });

  it('plugin causes are titled from what the plugins declare, passed in', () => {
    const [d] = diagnose([record('team/x', [finding('team-cause', 'high', 'm')])], new Map([['team-cause', { title: 'Team title', explanation: 'why' }]]));
    expect(d).toMatchObject({ title: 'Team title', explanation: 'why' });
  });
});

describe('conclude: context that explains nothing is left out', () => {
  it('an info risk joins a cause it explains, and is not a note without one', () => {
    const log = finding('program-log', 'info', 'the program logged "drop"', { risk: true, explains: ['xdp-drop-verdict'] });
    expect(conclude([record('trace-pipe', [log])])).toEqual({ diagnosis: [], notes: [] });
    const c = conclude([record('trace-pipe', [log]), record('xdpdump', [finding('xdp-drop-verdict', 'high', 'XDP_DROP ×3')])]);
    expect(c.diagnosis[0]!.evidence.at(-1)).toEqual({ check: 'trace-pipe', message: 'the program logged "drop"', joined: true });
  });
});

describe('a failed probe is never "nothing wrong"', () => {
  const skipped = (id: string, summary: string, degraded?: string): CheckRecord => ({ ...record(id, []), status: 'skip', summary, ...(degraded ? { degraded } : {}) });

  it('failed, and no rung saw why: one entry that names the rungs that could not look, no fix', () => {
    const { diagnosis } = conclude([record('routing', []), skipped('drop-reasons', 'no flow to follow'), skipped('xdpdump', 'nothing replayed', 'Replayed verdicts, not observed\n  detail')], undefined, { ran: true, ok: false, note: 'exit 1' });
    expect(diagnosis).toHaveLength(1);
    expect(diagnosis[0]).toMatchObject({ cause: 'probe-failed-unexplained', fixes: [], title: causeInfo('probe-failed-unexplained')!.title });
    expect(diagnosis[0]!.evidence.map((e) => e.message)).toEqual([
      'the probe failed (exit 1) and no rung saw a drop, an error or a verdict that explains it',
      'could not look fully (skip): no flow to follow',
      'could not look fully (skip, degraded): Replayed verdicts, not observed',
    ]);
  });

  it('failed with a cause: the cause alone; passed, or not run: nothing added', () => {
    const found = [record('xdpdump', [finding('xdp-drop-verdict', 'high', 'XDP_DROP ×3')])];
    expect(conclude(found, undefined, { ran: true, ok: false }).diagnosis.map((d) => d.cause)).toEqual(['xdp-drop-verdict']);
    expect(conclude([record('routing', [])], undefined, { ran: true, ok: true }).diagnosis).toEqual([]);
    expect(conclude([record('routing', [])], undefined, { ran: false, ok: false }).diagnosis).toEqual([]);
    expect(conclude([record('routing', [])]).diagnosis).toEqual([]);
  });
});
