// The route picture from the routing rung's recorded evidence: the lab with the veth-peer fault (lost after the
// LB's XDP_TX), the healthy lab, an --iface target, and a run where routing did not capture.
import { describe, expect, test } from 'vitest';
import type { CheckRecord, Target } from '../../src/engine/types.js';
import { hopRequests, routePicture } from '../../src/ui/route.js';
import { HEALTHY_REPORT, VETH_REPORT } from './fake-engine.js';

const routeText = (recs: CheckRecord[]) => recs.find((c) => c.id === 'routing')!.evidence.find((e) => e.label === 'route')!.data as string;
const marks = (p: ReturnType<typeof routePicture>) => p!.stops.map((s) => `${s.name}:${s.state}`).join(' ');

describe('routePicture', () => {
  test('veth-peer: seen to the gateway, at the XDP program on lb, lost before the gateway again', () => {
    const p = routePicture(VETH_REPORT.target, VETH_REPORT.checks)!;
    expect(marks(p)).toBe('client:seen gateway:seen lb:xdp gateway:lost real:unseen');
    expect(p.stops.map((s) => s.hops.join('+'))).toEqual(['c0', 'g0+g1', 'l0', 'g2', 'r0']);
    expect(p.verdict).toBe('the packets reached the XDP program on lb (l0) and were lost before gateway');
  });

  test('healthy: the whole route', () => {
    const p = routePicture(HEALTHY_REPORT.target, HEALTHY_REPORT.checks)!;
    expect(marks(p)).toBe('client:seen gateway:seen lb:xdp gateway:seen real:seen');
    expect(p.verdict).toBe('the packets travelled the whole route to real');
  });

  test('per-hop counts are read from the evidence lines, long labels included', () => {
    const text = routeText(VETH_REPORT.checks);
    expect(hopRequests(text, 'client c0')).toBe(3);
    expect(hopRequests(text, 'gw g1 (towards lb, peer of l0)')).toBe(3);
    expect(hopRequests(text, 'lb l0 (XDP load balancer)')).toBe(0);
    expect(hopRequests(text, 'nowhere')).toBeUndefined();
    expect(hopRequests('· g1 (veth peer)   not captured: tcpdump: permission denied', 'g1 (veth peer)')).toBeUndefined();
  });

  test('an --iface target: one stop per hop, named by interface', () => {
    const target: Target = {
      kind: 'iface', iface: 'l0', windowMs: 3000, expect: [],
      hops: [{ label: 'g1 (veth peer)', iface: 'g1' }, { label: 'l0 (XDP)', iface: 'l0', xdp: true }],
    };
    const routing: CheckRecord = {
      id: 'routing', title: 'Route', rung: 2, durationMs: 1, source: 'built-in', commands: [], status: 'pass', summary: '', findings: [],
      evidence: [{ label: 'route', data: '· g1 (veth peer)             4 request(s), 0 reply(ies)\n◆ l0 (XDP)                   0 request(s), 0 reply(ies)' }],
    };
    expect(marks(routePicture(target, [routing]))).toBe('g1:seen l0:xdp');
  });

  test('no routing data: every stop unknown and the reason said', () => {
    const skipped = VETH_REPORT.checks.map((c) => (c.id === 'routing' ? { ...c, status: 'skip' as const, summary: 'needs tcpdump', evidence: [] } : c));
    const p = routePicture(VETH_REPORT.target, skipped)!;
    expect(p.stops.every((s) => s.state === 'unknown')).toBe(true);
    expect(p.missing).toBe('the routing rung did not capture (skip: needs tcpdump)');
    expect(routePicture(VETH_REPORT.target, [])!.missing).toBe('the routing rung did not run');
    expect(routePicture({ ...VETH_REPORT.target, hops: [] }, VETH_REPORT.checks)).toBeUndefined();
  });
});
