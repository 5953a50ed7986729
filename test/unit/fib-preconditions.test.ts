// checks/fib-preconditions.ts and the parsers it reads through (src/tools/ip.ts parseRouteGet, neighbourValid;
// src/tools/sysctl.ts), on output recorded in three namespaces around zoo_fib_fwd (test/recordings/fib/README.md).
import { describe, expect, it } from 'vitest';
import { judgeFib, type FibReadings } from '../../checks/fib-preconditions.js';
import { neighbourValid, parseNeighbours, parseRouteGet } from '../../src/tools/ip.js';
import { forwardingKey, parseSysctlInt } from '../../src/tools/sysctl.js';
import type { FlowDrop } from '../../src/plugins/facts.js';
import { recording } from './helpers/recordings.js';

const rec = (f: string) => recording(`fib/${f}`);
const NS = { kind: 'name' as const, name: 'xh-rec-r' };
const base = (over: Partial<FibReadings> = {}): FibReadings => ({
  iface: 'hr0', netns: NS, progId: 7,
  forwarding: [{ family: 4, value: parseSysctlInt(rec('sysctl-ipv4-hr0-forwarding-off.txt')) }, { family: 6, value: parseSysctlInt(rec('sysctl-ipv6-hr0-forwarding.txt')) }],
  ...over,
});
/** The drop the drop-reasons rung reports for IPv4 forwarding off on the XDP device (its typed fact). */
const inaddr: FlowDrop = {
  reason: 'IP_INADDRERRORS', count: 3, ifindex: 2, ifname: 'hr0', where: 'hr0 (netns xh-rec-r)', netns: NS,
  location: 'ip_error', l3: 'IPv4', proto: 1, onXdpIface: true, byProgram: false, routine: false,
};

describe('parsers', () => {
  it('sysctl -n values; the slash form keeps dotted interface names whole', () => {
    expect(parseSysctlInt(rec('sysctl-ipv4-hr0-forwarding-off.txt'))).toBe(0);
    expect(parseSysctlInt(rec('sysctl-ipv4-hr1-forwarding-on.txt'))).toBe(1);
    expect(parseSysctlInt(rec('sysctl-missing-dev.stderr.txt'))).toBeUndefined();
    expect(forwardingKey(4, 'eth0.100')).toBe('net/ipv4/conf/eth0.100/forwarding');
  });

  it('ip -j route get: a directly connected destination, a local one, none', () => {
    expect(parseRouteGet(rec('route-get-server.json'))).toEqual({ dst: '10.112.2.1', dev: 'hr1', prefsrc: '10.112.2.254' });
    expect(parseRouteGet(rec('route-get-local.json'))).toMatchObject({ type: 'local', dev: 'lo' });
    expect(parseRouteGet(rec('route-get-unreachable.json'))).toBeUndefined();
  });

  it('neighbour entries bpf_fib_lookup can use: valid states only', () => {
    const n = parseNeighbours(rec('neigh-with-incomplete.json'));
    expect(n.map((x) => [x.dst, neighbourValid(x)])).toEqual([['10.112.2.1', true], ['10.112.1.1', true], ['10.112.2.7', false]]);
    expect(parseNeighbours(rec('neigh-after-ping-forwarding-off.json')).map(neighbourValid)).toEqual([true]); // STALE
  });
});

describe('judgeFib', () => {
  it('forwarding off on the ingress device, nothing dropped this run: a risk with its fix, IPv4 and IPv6', () => {
    const j = judgeFib(base());
    expect(j.findings.map((f) => [f.cause, f.risk, f.message.match(/IPv\d/)?.[0]])).toEqual([
      ['fib-forwarding-disabled', true, 'IPv4'], ['fib-forwarding-disabled', true, 'IPv6'],
    ]);
    expect(j.findings[0]!.fixes[0]).toMatchObject({
      commands: [['sysctl', '-w', 'net/ipv4/conf/hr0/forwarding=1']], undo: [['sysctl', '-w', 'net/ipv4/conf/hr0/forwarding=0']], netns: NS, verify: 'probe',
    });
    expect(j.lines).toEqual(['net/ipv4/conf/hr0/forwarding = 0', 'net/ipv6/conf/hr0/forwarding = 0']);
  });

  it('observed: the flow dropped with IP_INADDRERRORS on the XDP device makes it the cause, not a risk', () => {
    const j = judgeFib(base({
      flow: { dst: '10.112.2.1', route: parseRouteGet(rec('route-get-server.json')), neighbours: parseNeighbours(rec('neigh-after-ping-forwarding-off.json')) },
      drops: [inaddr],
    }));
    const fwd = j.findings.find((f) => f.cause === 'fib-forwarding-disabled')!;
    expect(fwd.risk).toBeUndefined();
    expect(fwd.signal).toBe('skb:kfree_skb IP_INADDRERRORS');
    expect(fwd.message).toContain('the kernel dropped 3 packet(s) of the flow on hr0 with IP_INADDRERRORS (ip_error)');
    expect(fwd.explains).toBeUndefined();
    // The flow is IPv4: IPv6 forwarding is not its precondition. Its next hop had no entry yet (forwarding off,
    // nothing ever resolved it): also said, as a risk.
    expect(j.findings.map((f) => f.cause)).toEqual(['fib-forwarding-disabled', 'fib-no-neighbour']);
    expect(j.findings[1]).toMatchObject({ risk: true, iface: 'hr1' });
    expect(j.findings[1]!.message).toMatch(/^the next hop 10\.112\.2\.1 of 10\.112\.2\.1 has no neighbour entry on hr1: bpf_fib_lookup\(\) answers NO_NEIGH/);
  });

  it('a drop elsewhere, or a routine one, is not the effect of forwarding off on the XDP device', () => {
    for (const d of [{ ...inaddr, onXdpIface: false }, { ...inaddr, routine: true }, { ...inaddr, reason: 'NO_SOCKET' }]) {
      expect(judgeFib(base({ drops: [d] })).findings[0]!.risk).toBe(true);
    }
  });

  it('healthy: forwarding on, the next hop REACHABLE — nothing to say but what was checked', () => {
    const j = judgeFib(base({
      forwarding: [{ family: 4, value: parseSysctlInt(rec('sysctl-ipv4-hr1-forwarding-on.txt')) }],
      flow: { dst: '10.112.2.1', route: parseRouteGet(rec('route-get-server.json')), neighbours: parseNeighbours(rec('neigh-after-ping-forwarding-on.json')) },
    }));
    expect(j.findings).toEqual([]);
    expect(j.lines).toEqual(['net/ipv4/conf/hr0/forwarding = 1', '10.112.2.1 leaves by hr1; neighbour 10.112.2.1 on hr1: REACHABLE']);
  });

  it('an INCOMPLETE next hop is NO_NEIGH; a local destination and no route are said, not blamed', () => {
    const on = [{ family: 4 as const, value: 1 }];
    const incomplete = judgeFib(base({ forwarding: on, flow: { dst: '10.112.2.7', route: { dst: '10.112.2.7', dev: 'hr1' }, neighbours: parseNeighbours(rec('neigh-with-incomplete.json')) } }));
    expect(incomplete.findings.map((f) => f.cause)).toEqual(['fib-no-neighbour']);
    expect(incomplete.findings[0]!.message).toContain('a neighbour entry in state INCOMPLETE');
    const local = judgeFib(base({ forwarding: on, flow: { dst: '10.112.1.254', route: parseRouteGet(rec('route-get-local.json')), neighbours: [] } }));
    expect(local.findings).toEqual([]);
    expect(local.lines[1]).toMatch(/is local here: bpf_fib_lookup answers NOT_FWDED/);
    const none = judgeFib(base({ forwarding: on, flow: { dst: '10.99.99.99', route: parseRouteGet(rec('route-get-unreachable.json')), neighbours: [] } }));
    expect(none.findings).toEqual([]);
    expect(none.lines[1]).toMatch(/^no route to 10\.99\.99\.99/);
  });

  it('NEIGH_FAILED during the run makes the missing neighbour the cause', () => {
    const j = judgeFib(base({
      forwarding: [{ family: 4, value: 1 }],
      flow: { dst: '10.112.2.7', route: { dst: '10.112.2.7', dev: 'hr1' }, neighbours: parseNeighbours(rec('neigh-with-incomplete.json')) },
      drops: [{ ...inaddr, reason: 'NEIGH_FAILED', onXdpIface: false, ifname: 'hr1', location: 'neigh_invalidate' }],
    }));
    expect(j.findings[0]).toMatchObject({ cause: 'fib-no-neighbour', signal: 'skb:kfree_skb NEIGH_FAILED' });
    expect(j.findings[0]!.risk).toBeUndefined();
  });
});
