// src/engine/diagnosis.ts: findings grouped by cause, ranked, joined with the kb.
import { describe, it, expect } from 'vitest';
import { diagnose } from '../../src/engine/diagnosis.js';
import { causeInfo } from '../../src/kb/causes.js';
import type { CheckRecord, Finding, Fix } from '../../src/engine/types.js';

const record = (id: string, findings: Finding[]): CheckRecord => ({
  id, title: id, rung: 1, durationMs: 1, source: 'built-in', commands: [], status: findings.length ? 'fail' : 'pass',
  summary: '', evidence: [], findings,
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
    const one = diagnose([record('ethtool-stats', [finding('veth-peer-no-xdp', 'high', 'xdp_tx_errors 2')])]);
    const two = diagnose([
      record('ethtool-stats', [finding('veth-peer-no-xdp', 'high', 'xdp_tx_errors 2')]),
      record('tracepoints', [finding('veth-peer-no-xdp', 'high', 'xdp_bulk_tx err -6')]),
    ]);
    expect(one[0]!.confidence).toBe(0.78); // 0.8 × 0.97
    expect(two[0]!.confidence).toBe(0.85); // + 0.07 for a second rung
    expect(two[0]!.evidence.map((e) => e.check)).toEqual(['ethtool-stats', 'tracepoints']);
  });

  it('two findings of the same rung do not count as agreement; confidence stays below 1', () => {
    const same = diagnose([record('tracepoints', [finding('veth-peer-no-xdp', 'high', 'a'), finding('veth-peer-no-xdp', 'high', 'b')])]);
    expect(same[0]!.confidence).toBe(0.78);
    const many = diagnose(['a', 'b', 'c', 'd', 'e'].map((id) => record(id, [finding('veth-peer-no-xdp', 'critical', id)])));
    expect(many[0]!.confidence).toBe(0.99);
  });

  it('the most severe finding of a cause sets its weight', () => {
    const d = diagnose([
      record('a', [finding('map-params-unset', 'low', 'x')]),
      record('b', [finding('map-params-unset', 'critical', 'y')]),
    ]);
    expect(d[0]!.confidence).toBe(0.99); // critical 1 × 0.95 + 0.07, capped; the low finding would give 0.36
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
