// src/tools/frame.ts and frame-diff.ts: frames decoded as the kernel reads them and compared before and after the
// program, on the entry/exit pcaps the xdpdump rung wrote on real zoo runs (test/recordings/pcap/README.md).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPcap } from '../../src/tools/pcap.js';
import { decodeFrame, ip6 } from '../../src/tools/frame.js';
import { describeChanges, describePacketGroup, tripOf } from '../../src/tools/frame-diff.js';

const frames = (name: string) => readPcap(readFileSync(fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url)))).packets.map((p) => p.data);
const pair = (scenario: string) => ({ entry: frames(`zoo-${scenario}-entry.pcap`), exit: frames(`zoo-${scenario}-exit.pcap`) });

describe('decodeFrame', () => {
  it('ARP: the addresses asked about, no IP header', () => {
    const [arp] = pair('port-rewrite').entry;
    expect(decodeFrame(arp!)).toMatchObject({ ethertype: 0x0806, arp: { op: 1, senderIp: '10.111.60.1', targetIp: '10.111.60.2' }, ip: [] });
  });
  it('a SYN from a veth with checksum offload: the TCP checksum is the pseudo-header sum alone (partial)', () => {
    const [, syn] = pair('port-rewrite').entry;
    expect(decodeFrame(syn!)).toMatchObject({
      ip: [{ family: 4, src: '10.111.60.1', dst: '10.111.60.2', proto: 6, ttl: 64, hdrLen: 20, totalLen: 60 }],
      l4: { proto: 'tcp', dport: 8081, flags: 'S', checksumState: 'partial' },
    });
  });
  it('IPv6: a neighbour solicitation to the solicited-node address, its ICMPv6 checksum complete', () => {
    const [ns] = pair('ip-only-nd').entry;
    expect(decodeFrame(ns!)).toMatchObject({
      ethertype: 0x86dd, ip: [{ family: 6, src: 'fd00:111:60::1', dst: 'ff02::1:ff00:2', ttl: 255, proto: 58 }],
      l4: { proto: 'icmpv6', type: 135, checksumState: 'ok' },
    });
  });
  it('a pushed 802.1Q tag and an IPIP header are read through to the inner packet', () => {
    const vlan = decodeFrame(pair('vlan-push').exit.at(-1)!);
    expect(vlan.vlans).toEqual([100]);
    expect(vlan.ip[0]).toMatchObject({ offset: 18, src: '10.111.60.1' });
    const ipip = decodeFrame(pair('ipip-local-source').exit.at(-1)!);
    expect(ipip.tunnels).toEqual(['IPIP']);
    expect(ipip.ip.map((h) => `${h.src} > ${h.dst} proto ${h.proto}`)).toEqual(['10.111.60.2 > 10.111.60.2 proto 4', '10.111.60.1 > 10.111.60.2 proto 1']);
    expect(ipip.l4).toMatchObject({ proto: 'icmp', type: 8, checksumState: 'ok' });
  });
  // exit pcaps of the replay: GUE over IPv4 (zero UDP checksum: none, allowed) and over IPv6 (zero: refused).
  it('GUE: the inner packet read through UDP 5555; a zero checksum named over IPv6 only', () => {
    const v4 = decodeFrame(frames('zoo-gue-exit.pcap').at(-1)!);
    expect(v4.tunnels).toEqual(['UDP 5555 (GUE)']);
    expect(v4.ip.map((h) => h.family)).toEqual([4, 4]);
    const v6 = decodeFrame(frames('zoo-gue-v6-zero-csum-exit.pcap').at(-1)!);
    expect(v6.tunnels).toEqual(['UDP 5555 (GUE, checksum 0)']);
    expect(v6.ip.map((h) => `${h.src} > ${h.dst} proto ${h.proto}`)).toEqual(['fd00:111:60::1 > fd00:111:60::2 proto 17', 'fd00:111:60::1 > fd00:111:60::2 proto 58']);
    expect(v6.l4).toMatchObject({ proto: 'icmpv6', type: 128 });
  });
  it('IPv6 addresses in their canonical short form; runts decode to nothing', () => {
    expect(ip6(Uint8Array.from([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 0)).toBe('fd00::1');
    expect(ip6(Uint8Array.from([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]), 0)).toBe('1:2:3:4:5:6:7:8');
    expect(decodeFrame(new Uint8Array(10))).toEqual({ len: 10, vlans: [], ip: [], tunnels: [] });
  });
});

describe('tripOf: what the program did', () => {
  it('the port rewrite (IPv4 and IPv6): destination port 8081 → 8080, the partial checksum updated incrementally', () => {
    for (const scenario of ['port-rewrite', 'port-rewrite-v6']) {
      const { entry, exit } = pair(scenario);
      const t = tripOf(entry.at(-1)!, exit.at(-1)!);
      expect(t.changes).toEqual([{ field: 'l4.dport', before: '8081', after: '8080' }]);
      expect(t.checksum).toEqual({ proto: 'tcp', before: 'partial', after: 'updated' });
      expect(t.before.kind).toBe(scenario.endsWith('v6') ? 'ipv6' : 'ipv4');
    }
  });
  it('the VLAN push: the tag and the four bytes it adds', () => {
    const { entry, exit } = pair('vlan-push');
    const t = tripOf(entry.at(-1)!, exit.at(-1)!);
    expect(t.changes).toEqual([{ field: 'vlan.push', after: '100' }, { field: 'length', before: '98', after: '102' }]);
    expect(describeChanges(t.changes)).toBe('802.1Q tag VLAN 100 pushed, length 98 → 102');
  });
  it('the encapsulation: an outer header added in front, the inner packet compared with what came in (unchanged)', () => {
    const { entry, exit } = pair('ipip-local-source');
    const t = tripOf(entry.at(-1)!, exit.at(-1)!);
    expect(t.changes).toEqual([{ field: 'encap', after: 'IPv4 10.111.60.2 > 10.111.60.2 (IPIP)' }, { field: 'length', before: '98', after: '118' }]);
    // ...and the other way round: taking the header off is a decapsulation.
    expect(tripOf(exit.at(-1)!, entry.at(-1)!).changes[0]).toEqual({ field: 'decap', before: 'IPv4 10.111.60.2 > 10.111.60.2 (IPIP)' });
  });
  it('unchanged is an answer: an empty list, the checksum as it came', () => {
    const [ns] = pair('ip-only-nd').entry;
    const t = tripOf(ns!, ns!);
    expect(t.changes).toEqual([]);
    expect(t.checksum).toEqual({ proto: 'icmpv6', before: 'ok', after: 'ok' });
    expect(describePacketGroup({ action: 'XDP_DROP', packets: [1, 2], before: t.before, changes: t.changes })).toBe('ICMPV6 type 135 fd00:111:60::1 > ff02::1:ff00:2 ×2 XDP_DROP: unchanged');
  });
  it('a port changed without touching the checksum: still partial when it came partial (the device completes it), bad when it came complete', () => {
    // Invented from the recorded frames: one byte changed by hand.
    const [, syn] = pair('port-rewrite').entry;
    const forgot = Uint8Array.from(syn!);
    forgot[14 + 20 + 3] = 0x90; // dport 8081 → 8080
    expect(tripOf(syn!, forgot).checksum).toEqual({ proto: 'tcp', before: 'partial', after: 'partial' });
    const [ns] = pair('ip-only-nd').entry;
    const bad = Uint8Array.from(ns!);
    bad[14 + 40 + 1] = 1; // ICMPv6 code 0 → 1, checksum left
    expect(tripOf(ns!, bad).checksum).toEqual({ proto: 'icmpv6', before: 'ok', after: 'bad' });
  });
});
