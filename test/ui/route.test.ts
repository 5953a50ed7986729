// The route picture drawn from the report's route (engine/route.ts over the routing rung's data): the lab with the
// veth-peer fault (lost after the LB's XDP_TX), the healthy lab, an --iface target, and a run where no rung
// recorded the route. The picture groups hops into stops by the node the report names them with (the recordings
// predate the lab's "gateway" label, so they say gw); its verdict is the report's, word for word. It reads no
// evidence text, finds no rung by id and takes no lab flag.
import { describe, expect, test } from 'vitest';
import type { CheckRecord, RouteObservation, Target } from '../../src/engine/types.js';
import { concludeRoute } from '../../src/engine/route.js';
import { routePicture } from '../../src/ui/route.js';
import { HEALTHY_REPORT, VETH_REPORT } from './fake-engine.js';

const marks = (p: ReturnType<typeof routePicture>) => p!.stops.map((s) => `${s.name}:${s.state}`).join(' ');

describe('routePicture', () => {
  test('veth-peer: seen to the gateway, at the XDP program on lb, lost before the gateway again', () => {
    const p = routePicture(VETH_REPORT.route)!;
    expect(marks(p)).toBe('client:seen gw:seen lb:xdp gw:lost real:unseen');
    expect(p.stops.map((s) => s.hops.join('+'))).toEqual(['c0', 'g0+g1', 'l0', 'g2', 'r0']);
    expect(p.verdict).toBe(VETH_REPORT.route!.verdict);
    expect(p.verdict).toMatch(/^the packet reached lb l0 \(XDP load balancer\) \(XDP\) and was not seen after it/);
  });

  test('healthy: the whole route', () => {
    const p = routePicture(HEALTHY_REPORT.route)!;
    expect(marks(p)).toBe('client:seen gw:seen lb:xdp gw:seen real:seen');
    expect(p.verdict).toBe('packets travelled the route and replies came back');
  });

  test('stops are named by the node the target gave its hops (the lab\'s "gateway" comes from src/lab/target.ts)', () => {
    const route = { ...VETH_REPORT.route!, hops: VETH_REPORT.route!.hops.map((h) => (h.node === 'gw' ? { ...h, node: 'gateway' } : h)) };
    expect(marks(routePicture(route))).toBe('client:seen gateway:seen lb:xdp gateway:lost real:unseen');
  });

  test('the report route is the one the routing record carries, found by its data, whatever the rung is called', () => {
    const renamed = VETH_REPORT.checks.map((c) => (c.id === 'routing' ? { ...c, id: 'team/capture' } : c));
    const route = concludeRoute(VETH_REPORT.target, renamed)!;
    expect(route.check).toBe('team/capture');
    expect(route.hops.map((h) => [h.iface, h.requests, h.state])).toEqual([
      ['c0', 3, 'seen'], ['g0', 3, 'seen'], ['g1', 3, 'seen'], ['l0', 0, 'xdp'], ['g2', 0, 'lost'], ['r0', 0, 'unseen'],
    ]);
    expect(route.lostAt).toBe('gw g2 (towards real)');
    expect(route.lastSeen).toBe('gw g1 (towards lb, peer of l0)');
  });

  test('an --iface target: one stop per hop, named by interface', () => {
    const target: Target = {
      kind: 'iface', iface: 'l0', windowMs: 3000, expect: [],
      hops: [{ label: 'g1 (veth peer)', iface: 'g1' }, { label: 'l0 (XDP)', iface: 'l0', xdp: true }],
    };
    const route: RouteObservation = {
      verdict: 'the requests reached l0 (XDP) and no reply came back', synRetransmissions: 0,
      hops: [
        { label: 'g1 (veth peer)', iface: 'g1', xdp: false, requests: 4, replies: 0, encapsulated: 0, state: 'seen' },
        { label: 'l0 (XDP)', iface: 'l0', xdp: true, requests: 0, replies: 0, encapsulated: 0, state: 'xdp' },
      ],
    };
    const routing: CheckRecord = {
      id: 'routing', title: 'Route', rung: 2, durationMs: 1, source: 'built-in', commands: [], status: 'pass', summary: '', findings: [], evidence: [], route,
    };
    expect(marks(routePicture(concludeRoute(target, [routing])))).toBe('g1:seen l0:xdp');
  });

  test('no rung recorded the route: every stop unknown and the reason said', () => {
    const skipped = VETH_REPORT.checks.map((c) => (c.id === 'routing' ? { ...c, status: 'skip' as const, summary: 'needs tcpdump', evidence: [], route: undefined } : c));
    const route = concludeRoute(VETH_REPORT.target, skipped)!;
    const p = routePicture(route)!;
    expect(p.stops.every((s) => s.state === 'unknown')).toBe(true);
    expect(p.missing).toMatch(/^no rung recorded the route in this run/);
    expect(concludeRoute(VETH_REPORT.target, [])!.missing).toBe(p.missing);
    expect(concludeRoute({ ...VETH_REPORT.target, hops: [] }, skipped)).toBeUndefined();
    expect(routePicture(undefined)).toBeUndefined();
  });
});
