// checks/routing-analysis.ts, one rule per case where mutation testing found no test holding it, on tcpdump lines
// recorded on real veths: what a request and a reply of the flow are, a first-hop XDP program, a route that goes on
// after the XDP hop, replies lost on the way back, no reply from a last-hop XDP program, and where the route data
// marks a loss.
import { describe, expect, it } from 'vitest';
import { analyzeRoute, routeObservation, type HopSighting } from '../../checks/routing-analysis.js';
import { parseTcpdumpOutput, type TcpdumpPacket } from '../../src/tools/tcpdump.js';
import type { Hop } from '../../src/engine/types.js';
import { recording } from './helpers/recordings.js';

const cap = (name: string) => parseTcpdumpOutput(recording(`tcpdump/${name}`));
const hop = (label: string, xdp = false): Hop => ({ label, iface: label, ...(xdp ? { xdp: true } : {}) });
const at = (label: string, packets: TcpdumpPacket[], xdp = false): HopSighting => ({ hop: hop(label, xdp), packets });
// tcp-syn-rst.txt: 10.111.60.1:44588 → 10.111.60.2:8080 SYN, answered by a reset.
const SYN_RST = cap('tcp-syn-rst.txt');
const SYN = SYN_RST[0]!;
const SERVER = { ip: '10.111.60.2', port: 8080 };

describe('requests and replies of the flow', () => {
  it('a request goes to the destination (and port); a reply comes from it: the SYN and its reset, not both as either', () => {
    const r = analyzeRoute([at('c', SYN_RST)], SERVER);
    expect(r.perHop[0]).toMatchObject({ requests: 1, replies: 1 });
    expect(r.answered).toEqual({ requests: 1, answered: 1 });
  });

  it('with no port given, any port of the destination is the flow', () => {
    expect(analyzeRoute([at('c', SYN_RST)], { ip: SERVER.ip }).perHop[0]).toMatchObject({ requests: 1, replies: 1 });
  });

  it('another port of the destination is not the flow', () => {
    expect(analyzeRoute([at('c', SYN_RST)], { ip: SERVER.ip, port: 9999 }).perHop[0]).toMatchObject({ requests: 0, replies: 0 });
  });
});

describe('where the packets went', () => {
  it('an XDP program on the first hop that saw the requests, nothing after it: lost after XDP', () => {
    const r = analyzeRoute([at('x', [SYN], true), at('n', [])], SERVER);
    expect(r.lostAfterXdp).toBe(true);
    expect(r.verdict).toBe('the packet reached x and was not seen after it');
  });

  it('seen on any hop after the XDP hop: not lost there, even if a later hop saw nothing', () => {
    const r = analyzeRoute([at('p', [SYN]), at('x', [], true), at('n1', [SYN]), at('n2', [])], SERVER);
    expect(r.lostAfterXdp).toBe(false);
    expect(r.neverReachedXdp).toBe(false);
    expect(r.verdict).toBe('requests went through to n1; no reply was seen');
  });

  it('replies seen on the way back but not where the requests started: where they stopped', () => {
    const r = analyzeRoute([at('c', [SYN]), at('s', SYN_RST)], SERVER);
    expect(r.verdict).toBe('requests went through to s; replies were last seen on s and did not reach c');
  });

  it('a last-hop XDP program fed by the hop before it, no reply: the verdict says where it was seen sent', () => {
    const r = analyzeRoute([at('p', [SYN]), at('x', [], true)], SERVER);
    expect(r.noReplyFromXdpHop).toBe(true);
    expect(r.verdict).toBe('the requests reached x (seen sent into it on p; tcpdump there does not see what XDP consumed) and no reply came back');
    const seen = analyzeRoute([at('p', [SYN]), at('x', [SYN], true)], SERVER);
    expect(seen.verdict).toBe('the requests reached x and no reply came back');
  });

  it('requests that never reach the XDP hop in the middle of the route', () => {
    const r = analyzeRoute([at('c', [SYN]), at('g', []), at('x', [], true), at('r', [])], SERVER);
    expect(r.neverReachedXdp).toBe(true);
    expect(r.verdict).toBe('the packet was last seen on c and never reached x');
  });
});

describe('routeObservation: where a failed probe was lost', () => {
  const observe = (s: HopSighting[], failed: boolean) => routeObservation(s, analyzeRoute(s, SERVER), failed);

  it('a silent hop that runs no XDP after a seen one is unseen, not xdp, and the first one after the last sighting is lost', () => {
    const o = observe([at('c', [SYN]), at('g', []), at('r', [])], true);
    expect(o.hops.map((h) => h.state)).toEqual(['seen', 'lost', 'unseen']);
    expect(o.lostAt).toBe('g');
  });

  it('nothing seen anywhere: nothing is marked lost', () => {
    const o = observe([at('c', []), at('g', []), at('r', [])], true);
    expect(o.hops.map((h) => h.state)).toEqual(['unseen', 'unseen', 'unseen']);
    expect(o.lostAt).toBeUndefined();
  });

  it('seen on every hop: there is no hop after the last sighting to blame', () => {
    const o = observe([at('c', [SYN]), at('r', [SYN])], true);
    expect(o.hops.map((h) => h.state)).toEqual(['seen', 'seen']);
    expect(o.lostAt).toBeUndefined();
  });
});
