// checks/routing-analysis.ts: captures recorded on this machine, arranged as the hops of a route.
import { describe, it, expect } from 'vitest';
import { analyzeRoute, routeObservation, type HopSighting } from '../../checks/routing-analysis.js';
import { parseTcpdumpOutput, type TcpdumpPacket } from '../../src/tools/tcpdump.js';
import type { Hop } from '../../src/engine/types.js';
import { recording } from './helpers/recordings.js';

const cap = (name: string) => parseTcpdumpOutput(recording(`tcpdump/${name}`));
const hop = (label: string, xdp = false): Hop => ({ label, iface: label.split(' ')[0]!, ...(xdp ? { xdp: true } : {}) });
const at = (h: Hop, packets: TcpdumpPacket[], error?: string): HopSighting => ({ hop: h, packets, ...(error ? { error } : {}) });
const VIP = { ip: '192.168.10.1', port: 50002 };

describe('analyzeRoute', () => {
  it('lost after the XDP hop: the peer saw the SYN, the XDP hop is silent (expected), nothing after it', () => {
    const r = analyzeRoute([
      at(hop('v1 (veth peer)'), cap('peer-v1-syn.txt')),
      at(hop('v0 (XDP)', true), cap('xdp-v0-no-syn.txt')),
      at(hop('g1 (gateway)'), []),
    ], VIP);
    expect(r.perHop.map((h) => [h.label, h.requests, h.replies, h.xdp])).toEqual([
      ['v1 (veth peer)', 1, 0, false], ['v0 (XDP)', 0, 0, true], ['g1 (gateway)', 0, 0, false],
    ]);
    expect(r.lostAfterXdp).toBe(true);
    expect(r.neverReachedXdp).toBe(false);
    expect(r.lastSeen).toBe('v1 (veth peer)');
    expect(r.synRetransmissions).toBe(0);
    expect(r.verdict).toMatch(/^the packet reached v0 \(XDP\).* and was not seen after it \(tcpdump on an XDP interface does not see what XDP consumed: silence there is expected\)$/);
    expect(r.lines[1]).toMatch(/^◆ v0 \(XDP\)\s+0 request\(s\), 0 reply\(ies\)  ← native XDP: tcpdump cannot see consumed packets$/);
    expect(r.lines[0]).toMatch(/^· v1 \(veth peer\)\s+1 request\(s\), 0 reply\(ies\)$/);
  });

  it('the verdict names the XDP hop once, with the labels targets.ts gives (`${iface} (XDP)`)', () => {
    const r = analyzeRoute([
      at(hop('v1 (veth peer)'), cap('peer-v1-syn.txt')),
      at(hop('v0 (XDP)', true), cap('xdp-v0-no-syn.txt')),
      at(hop('g1 (gateway)'), []),
    ], VIP);
    expect(r.verdict).not.toContain('(XDP) (XDP)');
    expect(r.verdict).toBe('the packet reached v0 (XDP) and was not seen after it (tcpdump on an XDP interface does not see what XDP consumed: silence there is expected)');
  });

  it('past the XDP hop: the encapsulated SYN on the next hop counts as a request (IPIP)', () => {
    const r = analyzeRoute([
      at(hop('v1 (veth peer)'), cap('peer-v1-syn.txt')),
      at(hop('v0 (XDP)', true), cap('xdp-v0-no-syn.txt')),
      at(hop('g1 (gateway)'), cap('ipip-syn.txt')),
    ], VIP);
    expect(r.perHop[2]).toMatchObject({ requests: 1, encapsulated: 1 });
    expect(r.lostAfterXdp).toBe(false);
    expect(r.lastSeen).toBe('g1 (gateway)');
    expect(r.verdict).toBe('requests went through to g1 (gateway); no reply was seen');
    expect(r.lines[2]).toContain('1 request(s) (1 encapsulated), 0 reply(ies)');
  });

  it('never reached the XDP hop: seen on the client, not on the hop before XDP nor on it', () => {
    const r = analyzeRoute([
      at(hop('c0 (client)'), cap('peer-v1-syn.txt')),
      at(hop('g0 (gateway)'), []),
      at(hop('l0 (XDP)', true), cap('xdp-v0-no-syn.txt')),
    ], VIP);
    expect(r.neverReachedXdp).toBe(true);
    expect(r.lostAfterXdp).toBe(false);
    expect(r.lastSeen).toBe('c0 (client)');
    expect(r.verdict).toBe('the packet was last seen on c0 (client) and never reached l0 (XDP)');
  });

  it('healthy: echo requests to the destination on both hops, replies came back', () => {
    const r = analyzeRoute([
      at(hop('v1 (veth peer)'), cap('peer-v1-syn.txt')),
      at(hop('v0 (XDP)', true), cap('xdp-v0-no-syn.txt')),
    ], { ip: '10.9.0.1' });
    expect(r.perHop.map((h) => [h.requests, h.replies])).toEqual([[2, 2], [2, 2]]);
    expect(r.lostAfterXdp).toBe(false);
    expect(r.neverReachedXdp).toBe(false);
    expect(r.verdict).toBe('packets travelled the route and replies came back (2 of 2 request(s) answered)');
    expect(r.lines[1]).not.toContain('native XDP');
  });

  it('replies are counted by what they answer: ICMP id/seq, a TCP SYN by its SYN-ACK or reset', () => {
    const icmp = analyzeRoute([at(hop('zc0 (veth peer)'), cap('icmp-echo-answered.txt')), at(hop('zs0 (XDP)', true), [])], { ip: '10.111.60.2' });
    expect(icmp.answered).toEqual({ requests: 3, answered: 3 });
    const tcp = analyzeRoute([at(hop('zc0'), cap('tcp-syn-rst.txt')), at(hop('zs0 (XDP)', true), [])], { ip: '10.111.60.2', port: 8080 });
    expect(tcp.answered).toEqual({ requests: 1, answered: 1 });
    // Replies alone, without their requests (another flow of the same host): nothing is answered.
    const onlyReplies = cap('icmp-echo-answered.txt').filter((p) => p.echo?.reply);
    expect(analyzeRoute([at(hop('zc0'), onlyReplies), at(hop('zs0 (XDP)', true), [])], { ip: '10.111.60.2' }).answered).toEqual({ requests: 0, answered: 0 });
  });

  it('counts SYN retransmissions (same source, port and seq) on the first hop', () => {
    const r = analyzeRoute([at(hop('u0 (client)'), cap('syn-retrans.txt')), at(hop('l0 (XDP)', true), [])], VIP);
    expect(r.synRetransmissions).toBe(3);
    expect(r.verdict).toMatch(/; 3 SYN retransmission\(s\)$/);
    expect(r.lostAfterXdp).toBe(false); // nothing after the XDP hop was captured: cannot say "lost after"
  });

  it('a single SYN is no retransmission; only the first hop counts', () => {
    const r = analyzeRoute([at(hop('v1'), cap('peer-v1-syn.txt')), at(hop('u0'), cap('syn-retrans.txt'))], VIP);
    expect(r.synRetransmissions).toBe(0);
  });

  it('nothing seen anywhere; a hop that could not be captured says why', () => {
    const r = analyzeRoute([
      at(hop('v1 (veth peer)'), cap('peer-v1-stderr.txt')),
      at(hop('v0 (XDP)', true), [], 'tcpdump: command not found'),
    ], VIP);
    expect(r.verdict).toBe('no probe packets were seen on any hop');
    expect(r.lastSeen).toBeUndefined();
    expect(r.perHop[1]!.error).toBe('tcpdump: command not found');
    expect(r.lines[1]).toMatch(/not captured: tcpdump: command not found$/);
    expect(r.lines[1]).not.toContain('native XDP');
  });

  it('without a destination every IP packet is a request and there are no replies', () => {
    const r = analyzeRoute([at(hop('v1'), cap('peer-v1-syn.txt'))]);
    expect(r.perHop[0]).toMatchObject({ requests: 5, replies: 0 });
    expect(r.verdict).toBe('packets travelled the route');
  });
});

describe('routeObservation (the route as data for the report)', () => {
  it('lost after the XDP hop: the peer seen, the XDP hop fed by it, the next hop where the packets were lost', () => {
    const gw: Hop = { label: 'g1 (gateway)', iface: 'g1', netns: { kind: 'name', name: 'gw' }, node: 'gw' };
    const sightings = [at(hop('v1 (veth peer)'), cap('peer-v1-syn.txt')), at(hop('v0 (XDP)', true), cap('xdp-v0-no-syn.txt')), at(gw, []), at(hop('r0 (real)'), [])];
    const o = routeObservation(sightings, analyzeRoute(sightings, VIP), true);
    expect(o.hops.map((h) => [h.label, h.state, h.requests])).toEqual([
      ['v1 (veth peer)', 'seen', 1], ['v0 (XDP)', 'xdp', 0], ['g1 (gateway)', 'lost', 0], ['r0 (real)', 'unseen', 0],
    ]);
    expect(o.hops[2]).toMatchObject({ iface: 'g1', netns: { kind: 'name', name: 'gw' }, node: 'gw', xdp: false, replies: 0, encapsulated: 0 });
    expect(o.lostAt).toBe('g1 (gateway)');
    expect(o.lastSeen).toBe('v1 (veth peer)');
    expect(o.verdict).toMatch(/^the packet reached v0 \(XDP\) and was not seen after it/);
  });

  it('the probe passed: nothing is lost; a hop not captured is unknown, with why', () => {
    const sightings = [at(hop('v1 (veth peer)'), cap('peer-v1-syn.txt')), at(hop('v0 (XDP)', true), [], 'tcpdump: permission denied')];
    const o = routeObservation(sightings, analyzeRoute(sightings, VIP), false);
    expect(o.hops.map((h) => h.state)).toEqual(['seen', 'unknown']);
    expect(o.hops[1]!.error).toBe('tcpdump: permission denied');
    expect(o.lostAt).toBeUndefined();
  });

  it('a failed probe never marks a hop that was not captured as the place of loss', () => {
    const sightings = [at(hop('v1'), cap('peer-v1-syn.txt')), at(hop('g1'), [], 'no such device'), at(hop('r0'), [])];
    const o = routeObservation(sightings, analyzeRoute(sightings, VIP), true);
    expect(o.hops.map((h) => h.state)).toEqual(['seen', 'unknown', 'unseen']);
    expect(o.lostAt).toBeUndefined();
  });
});
