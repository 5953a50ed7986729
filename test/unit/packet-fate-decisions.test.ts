// checks/packet-fate.ts, decision by decision and in its exact words: which kernel drops a change explains (and
// where: the arrival point of XDP_PASS, XDP_TX and XDP_REDIRECT), how drops of one change are joined into one
// finding, what the summary says when nothing is joined, and the neighbour (ARP / ND) verdicts. Packets come from
// the zoo runs' entry/exit pcaps (test/recordings/pcap/) where a zoo run had that change; a `made` verdict below is
// an invented one, built to reach a change or action no recorded run produced (labelled at each use).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import packetFate, { explainDrop } from '../../checks/packet-fate.js';
import { verdictOf, type Verdict } from '../../checks/xdpdump-verdicts.js';
import { DROPS, INVENTORY, PROBE_OUTCOME, XDPDUMP, type FlowDrop } from '../../src/plugins/facts.js';
import type { PacketChange } from '../../src/tools/frame-diff.js';
import { runCheck, type Recording } from '../../src/plugins/testing.js';
import { readPcap } from '../../src/tools/pcap.js';

const pcap = (name: string) => readPcap(readFileSync(fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url)))).packets.map((p) => p.data);
function recorded(scenario: string, action: (i: number) => string = () => 'XDP_PASS'): Verdict[] {
  const entry = pcap(`zoo-${scenario}-entry.pcap`), exit = pcap(`zoo-${scenario}-exit.pcap`);
  return entry.map((e, i) => verdictOf(i + 1, e, exit[i]!, action(i)));
}
/** Invented: an IPv4 packet of the flow with these changes. */
const made = (index: number, action: string, changes: PacketChange[], dst = '10.111.60.2'): Verdict => ({
  index, action, inLen: 98, outLen: 98, dst,
  trip: { before: { kind: 'ipv4', proto: 'tcp', src: '10.111.60.1', dst, sport: 40000, dport: 8081 }, changes },
} as unknown as Verdict);

const drop = (d: Partial<FlowDrop>): FlowDrop => ({
  reason: 'NOT_SPECIFIED', count: 1, ifindex: 2, ifname: 'zs0', where: 'zs0 (netns srv)', location: 'ip_rcv_core', l3: 'IPv4', proto: 6,
  onXdpIface: true, byProgram: false, routine: false, ...d,
});
const SERVER = { kind: 'name', name: 'srv' } as const;
const CLIENT = { kind: 'name', name: 'cli' } as const;
const inventory = { iface: 'zs0', ifindex: 2, netns: SERVER, maps: [], peer: { ifname: 'zc0', ifindex: 2, netns: CLIENT, up: true } };
const V4 = { ip: '10.111.60.2', proto: 'tcp' as const, port: 8081 };

function fate(verdicts: Verdict[], drops?: FlowDrop[], o: { trouble?: boolean; probe?: { ran: boolean; ok: boolean }; flow?: typeof V4 | null; exec?: Recording[]; inv?: object } = {}) {
  const flow = o.flow === null ? undefined : (o.flow ?? V4);
  return runCheck(packetFate, {
    target: { iface: 'zs0', netns: SERVER, ...(flow ? { flow } : {}), probe: { argv: ['nc', '10.111.60.2', '8081'], netns: CLIENT } },
    exec: o.exec,
    facts: {
      [INVENTORY]: o.inv ?? inventory, [XDPDUMP]: { mode: 'replay', verdicts },
      ...(drops ? { [DROPS]: { trouble: o.trouble ?? true, drops } } : {}),
      ...(o.probe ? { [PROBE_OUTCOME]: o.probe } : {}),
    },
  });
}

describe('explainDrop: each reason against each change', () => {
  const ch = (field: PacketChange['field'], before?: string, after?: string): PacketChange => ({ field, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });

  it('OTHERHOST: the pushed tag (or a rewritten VLAN id) first, its device named; else the destination MAC', () => {
    const vlan = explainDrop(drop({ reason: 'OTHERHOST' }), [ch('eth.dst', 'a', 'b'), ch('vlan.id', '5', '7')], 'zs0', true)!;
    expect(vlan).toEqual({
      change: ch('vlan.id', '5', '7'),
      why: 'no VLAN 7 device is configured on zs0, so the stack keeps the tag, marks the frame for another host and drops it',
      fix: 'push the tag only where a VLAN 7 device takes it (ip link add link zs0 name zs0.7 type vlan id 7, with the address moved there), or stop pushing it before XDP_PASS',
    });
    expect(explainDrop(drop({ reason: 'OTHERHOST' }), [ch('eth.dst', 'aa', 'bb')], 'zs0', true)).toEqual({
      change: ch('eth.dst', 'aa', 'bb'), why: 'bb is not the receiving interface\'s MAC address, so the stack drops the frame as addressed to another host',
      fix: 'write the next hop\'s (or this interface\'s) MAC as the destination',
    });
  });

  it('NO_SOCKET: the port where it arrives, the reply\'s port elsewhere, the address where it arrives only', () => {
    const port = [ch('l4.dport', '8081', '8080')];
    expect(explainDrop(drop({ reason: 'NO_SOCKET' }), port, 'zs0', true)).toEqual({
      change: port[0], why: 'nothing listens on port 8080 there; the stack drops the packets (and answers a TCP SYN with a RST from 8080, which the client does not recognize)',
      fix: 'listen on 8080, or rewrite to the port the service listens on',
    });
    expect(explainDrop(drop({ reason: 'NO_SOCKET' }), port, 'zc0', false)!.fix).toBe('rewrite the replies\' source port back (8080 → 8081) on their way out (tc egress, or an XDP program on the return path), or do not rewrite the port');
    const dst = [ch('ip.dst', '10.0.0.1', '10.0.0.9')];
    expect(explainDrop(drop({ reason: 'NO_SOCKET' }), dst, 'zs0', true)).toEqual({ change: dst[0], why: 'nothing listens at 10.0.0.9 for this port', fix: 'rewrite to an address where the service listens' });
    expect(explainDrop(drop({ reason: 'NO_SOCKET' }), dst, 'zc0', false)).toBeUndefined();
    expect(explainDrop(drop({ reason: 'NO_SOCKET' }), [], 'zs0', true)).toBeUndefined();
  });

  it('source refused: the encapsulation\'s outer source over a rewritten one, each reason in its words, rp_filter\'s extra fix', () => {
    const both = [ch('ip.src', '1.1.1.1', '10.0.0.7'), ch('encap', undefined, 'IPv6 fd00::1 > fd00::2 (IPv6-in-IPv6)')];
    expect(explainDrop(drop({ reason: 'IP_LOCAL_SOURCE' }), both, 'zs0', true)).toEqual({
      change: both[1], why: 'the source it wrote is refused: fd00::1 is an address of the receiving host itself (accept_local=0)',
      fix: 'write a source address the receiver accepts (not its own: the sender\'s or the encapsulator\'s address)',
    });
    expect(explainDrop(drop({ reason: 'IP_INVALID_SOURCE' }), [both[0]!], 'zs0', true)!.why).toBe('the source it wrote is refused: 10.0.0.7 cannot be a source address (martian)');
    expect(explainDrop(drop({ reason: 'IP_RPFILTER' }), [both[0]!], 'zs0', true)).toEqual({
      change: both[0], why: 'the source it wrote is refused: the route back to 10.0.0.7 does not leave through the interface it came in on (strict rp_filter)',
      fix: 'write a source address the receiver accepts (not its own: the sender\'s or the encapsulator\'s address), or loose rp_filter (2) on that interface',
    });
    expect(explainDrop(drop({ reason: 'IP_LOCAL_SOURCE' }), [ch('ip.dst', 'a', 'b')], 'zs0', true)).toBeUndefined();
  });

  it('an encapsulation nothing takes apart: IP_NOPROTO and UNHANDLED_PROTO', () => {
    const encap = [ch('encap', undefined, 'IPv4 a > b (GRE)')];
    for (const reason of ['IP_NOPROTO', 'UNHANDLED_PROTO']) {
      expect(explainDrop(drop({ reason }), encap, 'zs0', true), reason).toEqual({
        change: encap[0], why: 'nothing on the receiver decapsulates it (no tunnel device or decap program for that protocol)', fix: 'add the tunnel on the receiver, or decapsulate it there with XDP/tc',
      });
    }
    expect(explainDrop(drop({ reason: 'UNHANDLED_PROTO' }), [], 'zs0', true)).toBeUndefined();
  });

  it('NO_SOCKET on a UDP tunnel\'s port: nothing listens to decapsulate it; an IPIP encapsulation or a drop elsewhere is not that', () => {
    const gue = [ch('encap', undefined, 'IPv4 10.111.60.1 > 10.111.60.2 (UDP 5555 (GUE))'), ch('length', '98', '126')];
    expect(explainDrop(drop({ reason: 'NO_SOCKET', location: '__udp4_lib_rcv' }), gue, 'zs0', true)).toEqual({
      change: gue[0],
      why: 'nothing on the receiver listens on UDP port 5555 to decapsulate it (no tunnel device or fou port there; the stack answers ICMP port unreachable)',
      fix: 'add the tunnel endpoint on the receiver (a VXLAN/Geneve device on port 5555, or `ip fou add port 5555 gue`), or decapsulate there with XDP/tc',
    });
    expect(explainDrop(drop({ reason: 'NO_SOCKET' }), gue, 'zs0', false)).toBeUndefined();
    expect(explainDrop(drop({ reason: 'NO_SOCKET' }), [ch('encap', undefined, 'IPv4 10.111.60.2 > 10.111.60.2 (IPIP)')], 'zs0', true)).toBeUndefined();
  });

  it('NO_SOCKET on a UDP tunnel over IPv6 with a zero checksum: the malformed packet, not only the missing endpoint', () => {
    const gue6 = [ch('encap', undefined, 'IPv6 fd00:111:60::1 > fd00:111:60::2 (UDP 5555 (GUE, checksum 0))')];
    const v = explainDrop(drop({ reason: 'NO_SOCKET', location: '__udp6_lib_rcv' }), gue6, 'zs0', true)!;
    expect(v.malformed).toBe(true);
    expect(v.change).toBe(gue6[0]);
    expect(v.why).toMatch(/^its outer UDP checksum is 0, which IPv6 does not allow \(RFC 8200 §8\.1\): the receiver counts a checksum error \(Udp6InCsumErrors\).*UDP 5555 would refuse it too unless it opted in/);
    expect(v.fix).toMatch(/^compute the outer UDP checksum over IPv6/);
    // The same words over IPv4 (a zero checksum is "none" there) stay the plain missing endpoint.
    const gue4 = [ch('encap', undefined, 'IPv4 10.111.60.1 > 10.111.60.2 (UDP 5555 (GUE, checksum 0))')];
    expect(explainDrop(drop({ reason: 'NO_SOCKET' }), gue4, 'zs0', true)!.malformed).toBeUndefined();
  });

  it('any other reason: a TTL of 1 (not 2), or a frame that grew past an MTU (only for MTU/TOO_BIG reasons)', () => {
    expect(explainDrop(drop({ reason: 'NOT_SPECIFIED' }), [ch('ip.ttl', '2', '1')], 'zs0', true)).toEqual({
      change: ch('ip.ttl', '2', '1'), why: 'a TTL/hop limit of 1 does not survive the next hop', fix: 'decrement the TTL only when forwarding, and drop (or answer ICMP time exceeded) at 1',
    });
    expect(explainDrop(drop({ reason: 'NOT_SPECIFIED' }), [ch('ip.ttl', '3', '2')], 'zs0', true)).toBeUndefined();
    // IP_INHDR where the header is checked (ip_rcv_core) is a broken header, whatever the TTL.
    expect(explainDrop(drop({ reason: 'IP_INHDR' }), [ch('ip.ttl', '2', '1')], 'zs0', true)).toBeUndefined();
    const grown = [ch('length', '98', '118')];
    expect(explainDrop(drop({ reason: 'PKT_TOO_BIG' }), grown, 'zs0', true)).toEqual({
      change: grown[0], why: 'the grown frame no longer fits the next hop\'s MTU', fix: 'raise the MTU along the path, or lower the inner MTU/MSS',
    });
    expect(explainDrop(drop({ reason: 'FRAG_REASM_TIMEOUT' }), grown, 'zs0', true)).toBeUndefined();
    expect(explainDrop(drop({ reason: 'PKT_TOO_BIG' }), [ch('length', '118', '98')], 'zs0', true)).toBeUndefined();
    expect(explainDrop(drop({ reason: 'PKT_TOO_BIG' }), [ch('length', '98', '98')], 'zs0', true)).toBeUndefined();
  });
});

describe('packet-fate: where a changed packet arrives', () => {
  const rst = [made(1, 'XDP_TX', [{ field: 'ip.src', before: '10.111.60.1', after: '10.111.60.2' }])]; // invented: an XDP_TX that rewrote the source
  it('XDP_TX: a drop on the veth peer is where it arrives; on the XDP interface or elsewhere it is not', async () => {
    const peer = await fate(rst, [drop({ reason: 'IP_RPFILTER', onXdpIface: false, ifname: 'zc0', where: 'zc0 (cli)' })]);
    expect(peer.result.findings.map((f) => f.cause)).toEqual(['xdp-change-dropped']);
    expect(peer.result.findings[0]!.message).toBe('the program rewrites the source address 10.111.60.1 → 10.111.60.2 and returns XDP_TX; the kernel dropped 1 packet(s) of the flow for it: ' +
      'the source it wrote is refused: the route back to 10.111.60.2 does not leave through the interface it came in on (strict rp_filter) (IP_RPFILTER ×1 at zc0 (cli) in ip_rcv_core)');
    for (const d of [drop({ reason: 'IP_RPFILTER' }), drop({ reason: 'IP_RPFILTER', onXdpIface: false, ifname: 'g0' }), drop({ reason: 'IP_RPFILTER', onXdpIface: false, ifname: undefined })]) {
      expect((await fate(rst, [d])).result.findings, JSON.stringify(d)).toEqual([]);
    }
  });

  it('XDP_REDIRECT: anywhere but the XDP interface', async () => {
    const redirected = [made(1, 'XDP_REDIRECT', [{ field: 'eth.dst', before: 'aa', after: 'bb' }])]; // invented
    expect((await fate(redirected, [drop({ reason: 'OTHERHOST', onXdpIface: false, ifname: 'g0', where: 'g0 (gw)' })])).result.findings[0]!.message)
      .toMatch(/^the program rewrites the destination MAC aa → bb and returns XDP_REDIRECT; .* \(OTHERHOST ×1 at g0 \(gw\) in ip_rcv_core\)$/);
    expect((await fate(redirected, [drop({ reason: 'OTHERHOST' })])).result.findings).toEqual([]);
  });

  it('a packet the program dropped is not followed; drops the program made, routine ones and ARP\'s are not joined', async () => {
    const dropped = recorded('vlan-push', () => 'XDP_DROP');
    const noEntry: Recording = { argv: ['ip', '-j', 'neigh', 'show'], netns: 'cli', stdout: '[]' };
    expect((await fate(dropped, [drop({ reason: 'OTHERHOST' })], { exec: [noEntry] })).result.findings.map((f) => f.cause)).toEqual(['neighbour-dropped']);
    const vlan = recorded('vlan-push');
    for (const d of [drop({ reason: 'OTHERHOST', byProgram: true }), drop({ reason: 'OTHERHOST', routine: true }), drop({ reason: 'OTHERHOST', l3: 'ARP' })]) {
      expect((await fate(vlan, [d])).result.summary, JSON.stringify(d)).not.toMatch(/dropped them for it/);
    }
  });
});

describe('packet-fate: findings and summary', () => {
  it('the drops of one change in one finding: counts summed, places listed once each, reasons once, the XDP interface\'s first', async () => {
    const { result } = await fate(recorded('port-rewrite'), [
      drop({ reason: 'NO_SOCKET', count: 2, onXdpIface: false, ifname: 'zc0', where: 'zc0 (cli)', location: 'tcp_v4_rcv' }),
      drop({ reason: 'NO_SOCKET', count: 3, location: 'tcp_v4_rcv' }),
    ]);
    expect(result.status).toBe('fail');
    // The client's NO_SOCKET is the reply half of the same rewrite: one finding, the arrival's explanation first.
    expect(result.findings).toEqual([expect.objectContaining({
      cause: 'xdp-change-dropped', iface: 'zs0', signal: 'skb:kfree_skb NO_SOCKET', fixes: [{ title: 'listen on 8080, or rewrite to the port the service listens on', commands: [] }],
      message: 'the program rewrites the destination port 8081 → 8080 and returns XDP_PASS; the kernel dropped 5 packet(s) of the flow for it: nothing listens on port 8080 there; ' +
        'the stack drops the packets (and answers a TCP SYN with a RST from 8080, which the client does not recognize) ' +
        '(NO_SOCKET ×3 at zs0 (netns srv) (the XDP interface itself) in tcp_v4_rcv; NO_SOCKET ×2 at zc0 (cli) in tcp_v4_rcv)',
    })]);
    expect(result.summary).toBe('the program changed 2 packet(s) it passed on: destination port 8081 → 8080; 1 ARP frame(s) passed; the kernel dropped them for it (NO_SOCKET)');
    expect(result.evidence).toEqual([{ label: 'changed packets', data: [
      { packet: 2, action: 'XDP_PASS', changes: [{ field: 'l4.dport', before: '8081', after: '8080' }] },
      { packet: 3, action: 'XDP_PASS', changes: [{ field: 'l4.dport', before: '8081', after: '8080' }] },
    ] }]);
  });

  it('two drops of the same change at the same place and reason: one finding, the place said once, counts summed', async () => {
    const { result } = await fate(recorded('vlan-push'), [drop({ reason: 'OTHERHOST', count: 2 }), drop({ reason: 'OTHERHOST', count: 2 })]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.message).toMatch(/the kernel dropped 4 packet\(s\) of the flow for it: .* \(OTHERHOST ×2 at zs0 \(netns srv\) \(the XDP interface itself\) in ip_rcv_core\)$/);
  });

  it('each change its own verb: encapsulation (with the words describeChange gives), TTL, source port, other changes', async () => {
    const msg = async (v: Verdict, d: FlowDrop) => (await fate([v], [d])).result.findings[0]!.message;
    const ipip = recorded('ipip-local-source');
    expect(await msg(ipip[1]!, drop({ reason: 'IP_LOCAL_SOURCE', count: 3, location: 'ip_rcv_finish_core' })))
      .toMatch(/^the program encapsulates the packets \(encapsulated in IPv4 10\.111\.60\.2 > 10\.111\.60\.2 \(IPIP\)\) and returns XDP_PASS; /);
    expect(await msg(made(1, 'XDP_PASS', [{ field: 'ip.ttl', before: '2', after: '1' }]), drop({ reason: 'IP_INHDR', location: 'ip_forward' }))).toMatch(/^the program sets the TTL 2 → 1 and returns XDP_PASS; /); // invented
    expect(await msg(made(1, 'XDP_PASS', [{ field: 'ip.dst', before: '10.111.60.2', after: '10.111.60.9' }]), drop({ reason: 'NO_SOCKET' }))).toMatch(/^the program rewrites the destination address 10\.111\.60\.2 → 10\.111\.60\.9 and returns/); // invented
    expect(await msg(made(1, 'XDP_PASS', [{ field: 'length', before: '98', after: '1600' }]), drop({ reason: 'PKT_TOO_BIG' }))).toMatch(/^the program changes the packets \(length 98 → 1600\) and returns/); // invented
    expect(await msg(made(1, 'XDP_PASS', [{ field: 'vlan.push', after: '100' }]), drop({ reason: 'OTHERHOST' }))).toMatch(/^the program pushes an 802\.1Q tag, VLAN 100, onto the frames and returns/); // invented
  });

  it('drops no change explains, packets passed unchanged, more than three kinds of change: said as such', async () => {
    const kinds = ['8080', '8082', '8083', '8084'].map((p, i) => made(i + 1, 'XDP_PASS', [{ field: 'l4.dport', before: '8081', after: p }])); // invented
    const { result } = await fate([...kinds, made(5, 'XDP_PASS', [])], [drop({ reason: 'NETFILTER_DROP' }), drop({ reason: 'IP_INHDR' })]);
    expect(result).toMatchObject({ status: 'pass', findings: [] });
    expect(result.summary).toBe('the program changed 4 packet(s) it passed on: destination port 8081 → 8080; destination port 8081 → 8082; destination port 8081 → 8083; ' +
      '1 passed on unchanged; kernel drops not explained by a change: NETFILTER_DROP, IP_INHDR');
  });

  it('at most eight changed packets in the evidence', async () => {
    const many = Array.from({ length: 10 }, (_, i) => made(i + 1, 'XDP_PASS', [{ field: 'l4.dport', before: '8081', after: '8080' }])); // invented
    const { result } = await fate(many, []);
    expect((result.evidence[0]!.data as unknown[]).length).toBe(8);
    expect(result.summary).toBe('the program changed 10 packet(s) it passed on: destination port 8081 → 8080');
  });

  it('joined drops with the probe passing are no finding; without drop facts the probe outcome decides, and the summary says they were not read', async () => {
    const passing = await fate(recorded('vlan-push'), [drop({ reason: 'OTHERHOST', count: 3 })], { trouble: false });
    expect(passing.result).toMatchObject({ status: 'pass', findings: [] });
    expect(passing.result.summary).toMatch(/the kernel dropped them for it \(OTHERHOST\)$/);
    const noDrops = await fate(recorded('vlan-push'), undefined, { probe: { ran: true, ok: false } });
    expect(noDrops.result.summary).toBe('the program changed 3 packet(s) it passed on: 802.1Q tag VLAN 100 pushed, length 98 → 102; 1 ARP frame(s) passed; drop reasons not read (see the drop-reasons rung)');
  });

  it('only packets of the followed flow; with no flow, every packet; none passed on', async () => {
    const other = [made(1, 'XDP_PASS', [{ field: 'l4.dport', before: '1', after: '2' }], '10.9.9.9'), made(2, 'XDP_DROP', [])]; // invented
    expect((await fate(other, [])).result.summary).toBe('1 packet(s) of the flow, none passed on');
    expect((await fate(other, [], { flow: null })).result.summary).toBe('the program changed 1 packet(s) it passed on: destination port 1 → 2');
  });

  it('no packet seen before and after: skip, saying why', async () => {
    const { result } = await fate([{ index: 1, inLen: 60, outLen: 60, action: 'XDP_PASS' } as Verdict], []);
    expect(result).toEqual({ status: 'skip', summary: 'no packet seen before and after the program (the verdict rung captured none, or without packet bytes): nothing to follow', evidence: [], findings: [] });
  });
});

describe('packet-fate: the flow\'s neighbour resolution', () => {
  const arpDropped = () => { const v = recorded('port-rewrite', () => 'XDP_DROP'); return v.slice(0, 1); };

  it('dropped with the probe failing: the finding, the entry with its MAC, the verdicts in evidence', async () => {
    const neigh: Recording = { argv: ['ip', '-j', 'neigh', 'show'], netns: 'cli', stdout: JSON.stringify([{ dst: '10.111.60.2', dev: 'zc0', lladdr: '02:00:00:00:00:02', state: ['STALE'] }, { dst: '10.111.60.9', dev: 'zc0', state: [] }]) };
    const { result } = await fate(arpDropped(), [], { exec: [neigh], probe: { ran: true, ok: false } });
    expect(result.findings).toEqual([expect.objectContaining({
      cause: 'neighbour-dropped', iface: 'zs0', signal: 'XDP_DROP',
      message: 'the program returns XDP_DROP for 1 of 1 ARP frame(s) on zs0: the client never resolved 10.111.60.2 (its neighbour entry: 10.111.60.2 STALE on zc0 (02:00:00:00:00:02)); no packet of the probe itself reached the program: it was never sent',
      fixes: [{ title: 'let ARP (EtherType 0x0806) through the program before its IP policy', commands: [] }],
    })]);
    expect(result.evidence.map((e) => e.label)).toEqual(['ARP verdicts', 'neighbour entry on the probe\'s side (ip neigh)']);
    expect(result.summary).toBe('the program dropped 1 ARP frame(s)');
  });

  it('an entry without state reads "?"; packets that got through anyway are counted', async () => {
    const neigh: Recording = { argv: ['ip', '-j', 'neigh', 'show'], netns: 'cli', stdout: JSON.stringify([{ dst: '10.111.60.2', dev: 'zc0', state: [] }]) };
    const v = [...arpDropped(), made(2, 'XDP_PASS', [])]; // invented: a packet of the flow after the dropped ARP
    const { result } = await fate(v, [], { exec: [neigh], probe: { ran: true, ok: false } });
    expect(result.findings[0]!.message).toBe('the program returns XDP_DROP for 1 of 1 ARP frame(s) on zs0: the client never resolved 10.111.60.2 (its neighbour entry: 10.111.60.2 ? on zc0); 1 packet(s) of the flow reached the program anyway');
  });

  it('no flow named: the table is not read and no address is claimed', async () => {
    const { result, commands } = await fate(arpDropped(), [], { flow: null, probe: { ran: true, ok: false } });
    expect(commands).toEqual([]);
    expect(result.findings[0]!.message).toBe('the program returns XDP_DROP for 1 of 1 ARP frame(s) on zs0; no packet of the probe itself reached the program: it was never sent');
  });

  it('dropped while the probe passed: evidence, no finding', async () => {
    const { result } = await fate(arpDropped(), [], { trouble: false, exec: [{ argv: ['ip', '-j', 'neigh', 'show'], netns: 'cli', stdout: '[]' }] });
    expect(result).toMatchObject({ status: 'pass', findings: [] });
    expect(result.evidence.map((e) => e.label)).toEqual(['ARP verdicts']);
  });

  it('IPv6 neighbour discovery passed: counted as such', async () => {
    const { result } = await fate(recorded('port-rewrite-v6'), [], { flow: { ip: 'fd00:111:60::2', proto: 'tcp', port: 8081 } });
    expect(result.summary).toBe('the program changed 2 packet(s) it passed on: destination port 8081 → 8080; 1 IPv6 neighbour discovery frame(s) passed');
  });

  it('IPv6 neighbour discovery dropped: the ICMPv6 fix', async () => {
    const v = recorded('ip-only-nd', () => 'XDP_DROP');
    const { result } = await fate(v, [], { flow: { ip: 'fd00:111:60::2', proto: 'tcp', port: 8081 }, probe: { ran: true, ok: false }, exec: [{ argv: ['ip', '-j', 'neigh', 'show'], netns: 'cli', stdout: '[]' }] });
    expect(result.findings[0]!.fixes[0]!.title).toBe('let ICMPv6 neighbour solicitations and advertisements (types 135, 136) through the program');
  });
});

describe('packet-fate: a TTL lowered before the stack forwards (zoo_ttl_pass on the zoo router)', () => {
  const ttl: PacketChange = { field: 'ip.ttl', before: '2', after: '1' };
  const forwardDrop = (location: string) => drop({ reason: 'IP_INHDR', ifname: 'hr0', where: 'hr0 (netns rtr)', location, count: 3 });

  it('IP_INHDR in the forwarding paths is time exceeded, joined to the decrement; elsewhere it is a broken header', () => {
    const verdict = explainDrop(forwardDrop('ip_forward'), [ttl], 'hr0', true);
    expect(verdict).toEqual({
      change: ttl,
      why: 'the stack forwards the packet and needs a TTL above 1 to do so; it decrements the TTL itself, so the program\'s decrement is a second one and the packets expire a hop early (the sender gets ICMP time exceeded)',
      fix: 'leave the TTL to the stack when returning XDP_PASS; decrement it only when the program forwards the packet itself (XDP_TX, bpf_redirect)',
    });
    expect(explainDrop(forwardDrop('ip6_forward'), [ttl], 'hr0', true)).toEqual(verdict);
    expect(explainDrop(forwardDrop('ip_rcv_core'), [ttl], 'hr0', true)).toBeUndefined();
    expect(explainDrop(forwardDrop('ip_forward'), [{ field: 'ip.ttl', before: '1', after: '64' }], 'hr0', true)).toBeUndefined();
    expect(explainDrop(forwardDrop('ip_forward'), [], 'hr0', true)).toBeUndefined();
    expect(explainDrop(forwardDrop('ip_forward'), [ttl], 'hr0', false)).toBeUndefined();
  });

  it('the recorded run: TTL 2 → 1 on every echo request, IP_INHDR ×3 in ip_forward → one finding in the user\'s words', async () => {
    const v = recorded('ttl-v4');
    expect(v.map((x) => x.trip!.changes)).toEqual([[ttl], [ttl], [ttl]]);
    const { result } = await fate(v.map((x) => ({ ...x, dst: '10.112.2.1' })), [forwardDrop('ip_forward')], { flow: { ip: '10.112.2.1', proto: 'icmp' } as any });
    expect(result.status).toBe('fail');
    expect(result.findings.map((f) => f.message)).toEqual([
      'the program sets the TTL 2 → 1 and returns XDP_PASS; the kernel dropped 3 packet(s) of the flow for it: the stack forwards the packet and needs a TTL above 1 to do so; it decrements the TTL itself, so the program\'s decrement is a second one and the packets expire a hop early (the sender gets ICMP time exceeded) (IP_INHDR ×3 at hr0 (netns rtr) (the XDP interface itself) in ip_forward)',
    ]);
  });
});

describe('packet-fate: neighbour discovery passed with its hop limit changed (zoo_ttl_pass over IPv6)', () => {
  const FLOW6 = { ip: 'fd00:112:2::1', proto: 'icmp' } as any;
  const neigh = (rows: object[]): Recording => ({ argv: ['ip', '-j', 'neigh', 'show'], netns: 'cli', stdout: JSON.stringify(rows) });

  it('the recorded solicitations (255 → 254): the client never resolved its gateway, named from the FAILED entry', async () => {
    const v = recorded('ttl-nd');
    expect(v.map((x) => x.trip!.changes)).toEqual([[{ field: 'ip.ttl', before: '255', after: '254' }], [{ field: 'ip.ttl', before: '255', after: '254' }]]);
    const table = neigh([{ dst: 'fd00:112:1::fe', dev: 'hc0', state: ['FAILED'] }, { dst: '10.112.1.254', dev: 'hc0', state: ['INCOMPLETE'] }, { dst: 'fe80::1', dev: 'hc0', state: ['STALE'] }]);
    const { result } = await fate(v, [], { flow: FLOW6, probe: { ran: true, ok: false }, exec: [table] });
    expect(result.findings).toEqual([expect.objectContaining({
      cause: 'neighbour-dropped', iface: 'zs0', signal: 'XDP_PASS with the hop limit changed',
      message: 'the program changes the hop limit of 2 of 2 IPv6 neighbour discovery frame(s) on zs0 (255 → 254) and returns XDP_PASS; the kernel ignores neighbour discovery whose hop limit is not 255 (RFC 4861; IPV6_NDISC_HOP_LIMIT): the client never resolved fd00:112:1::fe (its neighbour entry: fd00:112:1::fe FAILED on hc0); no packet of the probe itself reached the program: it was never sent',
      fixes: [{ title: 'leave ICMPv6 neighbour discovery (types 133-137) untouched: pass it before the hop-limit change, or change the hop limit only of packets the program forwards itself', commands: [] }],
    })]);
    expect(result.summary).toBe('the program changed the hop limit of 2 IPv6 neighbour discovery frame(s) (255 → 254): the kernel ignores them');
  });

  it('the destination\'s own entry wins over unresolved others; none at all names the destination', async () => {
    const v = recorded('ttl-nd');
    const own = neigh([{ dst: 'fd00:112:2::1', dev: 'hc0', state: ['INCOMPLETE'] }, { dst: 'fd00:112:1::fe', dev: 'hc0', state: ['FAILED'] }]);
    const first = await fate(v, [], { flow: FLOW6, probe: { ran: true, ok: false }, exec: [own] });
    expect(first.result.findings[0]!.message).toMatch(/: the client never resolved fd00:112:2::1 \(its neighbour entry: fd00:112:2::1 INCOMPLETE on hc0\); /);
    const none = await fate(v, [], { flow: FLOW6, probe: { ran: true, ok: false }, exec: [neigh([{ dst: 'fd00:112:1::fe', dev: 'hc0', state: ['REACHABLE'] }])] });
    expect(none.result.findings[0]!.message).toMatch(/: the client never resolved fd00:112:2::1; no packet of the probe/);
  });

  it('the probe passed: the change is evidence, not a cause', async () => {
    const { result } = await fate(recorded('ttl-nd'), [], { flow: FLOW6, trouble: false, exec: [neigh([])] });
    expect(result.findings).toEqual([]);
    expect(result.evidence.map((e) => e.label)).toEqual(['IPv6 neighbour discovery verdicts']);
  });
});

describe('packet-fate: a VLAN tag that rode beside the frames (zoo_vlan_pop, the client\'s veth offloading the tag)', () => {
  const offloading = { ...inventory, kind: 'veth', peer: { ...inventory.peer, txVlanOffload: true } };
  // The replay's verdicts on the recorded capture: the ARP request replayed without its tag, as the program saw it.
  const arp = () => {
    const [frame] = pcap('zoo-vlan-beside-capture.pcap');
    const seen = Buffer.concat([frame!.subarray(0, 12), frame!.subarray(16)]);
    return [{ ...verdictOf(1, seen, seen, 'XDP_PASS'), tagBeside: 100 }];
  };
  const failed: Recording = { argv: ['ip', '-j', 'neigh', 'show'], netns: 'cli', stdout: JSON.stringify([{ dst: '10.111.60.2', dev: 'zc0', state: ['FAILED'] }]) };

  it('the probe failed and the server was never resolved: the finding, from the tag beside and the FAILED entry', async () => {
    const { result } = await fate(arp(), [], { inv: offloading, probe: { ran: true, ok: false }, exec: [failed] });
    expect(result.findings.map((f) => [f.cause, f.signal])).toEqual([['vlan-tag-beside-frame', 'VLAN 100 beside the frame + neighbour unresolved']]);
    expect(result.findings[0]!.message).toMatch(/its ARP requests \(1\) go unanswered \(arp_rcv\(\) consumes a frame for another host without a drop reason\), so the client never resolved its neighbour \(10\.111\.60\.2 FAILED on zc0\)$/);
  });

  it('the probe passed, or the peer does not offload: no finding and no neighbour lookup', async () => {
    const passed = await fate(arp(), [], { inv: offloading, trouble: false, exec: [failed] });
    expect(passed.result.findings).toEqual([]);
    expect(passed.commands).toEqual([]);
    const inline = await fate(arp(), [], { inv: { ...offloading, peer: { ...inventory.peer, txVlanOffload: false } }, probe: { ran: true, ok: false }, exec: [failed] });
    expect(inline.result.findings).toEqual([]);
  });
});
