// checks/xdpdump-verdicts.ts, one frame at a time and in groups: what verdictOf keeps of a frame's trip (its
// destination, unchanged, addresses kept), which frames are neighbour resolution, how size changes and groups of
// packets are listed. Frames are the recorded pcaps of test/recordings/pcap/; a frame edited from a recorded one,
// or an invented trip, is labelled where it is used.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isNeighbourFrame, packetsObservation, sizeChanges, summarizeVerdicts, verdictOf, type Verdict } from '../../checks/xdpdump-verdicts.js';
import { readPcap } from '../../src/tools/pcap.js';

const pcap = (name: string) => readPcap(readFileSync(fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url)))).packets.map((p) => p.data);
function zoo(scenario: string, action = 'XDP_PASS'): Verdict[] {
  const entry = pcap(`zoo-${scenario}-entry.pcap`), exit = pcap(`zoo-${scenario}-exit.pcap`);
  return entry.map((e, i) => verdictOf(i + 1, e, exit[i]!, action));
}
const labTx = () => pcap('g1-out-syn.pcap').map((e, i) => verdictOf(i + 1, e, pcap('healthy-exit-replay.pcap')[0]!, 'XDP_TX'));

describe('verdictOf', () => {
  it('an ARP request: no destination and no "addresses kept" (it has no IP header), unchanged when it came out as it went in', () => {
    const [arp] = zoo('port-rewrite');
    expect(arp!.trip!.before.kind).toBe('arp');
    expect(arp).not.toHaveProperty('dst');
    expect(arp).not.toHaveProperty('addressesKept');
    expect(arp).toMatchObject({ index: 1, inLen: 42, outLen: 42, action: 'XDP_PASS', unchanged: true });
  });

  it('a SYN whose port was rewritten: its destination, same length but changed, addresses kept', () => {
    expect(zoo('port-rewrite')[1]).toMatchObject({ dst: '10.111.60.2', inLen: 74, outLen: 74, unchanged: false, addressesKept: true });
  });

  it('a frame that grew (a VLAN tag pushed) is changed; the LB\'s XDP_TX answer has its addresses rewritten', () => {
    expect(zoo('vlan-push')[1]).toMatchObject({ inLen: 98, outLen: 102, unchanged: false });
    expect(labTx()[0]).toMatchObject({ dst: '192.168.10.1', unchanged: false, addressesKept: false });
  });

  it('any one of the MACs or IP addresses rewritten is "not kept"', () => {
    // Edited from the recorded port-rewrite SYN: its exit frame is the entry with one address field's bytes changed
    // (Ethernet: dst 0-5, src 6-11; IPv4 after 14 bytes: src 26-29, dst 30-33).
    const syn = pcap('zoo-port-rewrite-entry.pcap')[1]!;
    for (const [field, at] of [['eth.dst', 0], ['eth.src', 6], ['ip.src', 26], ['ip.dst', 30]] as const) {
      const exit = Buffer.from(syn);
      exit[at + 3] = exit[at + 3]! ^ 0x01;
      const v = verdictOf(2, syn, exit, 'XDP_TX');
      expect(v.trip!.changes.map((c) => c.field), field).toContain(field);
      expect(v.addressesKept, field).toBe(false);
    }
  });
});

describe('isNeighbourFrame', () => {
  it('ARP and the recorded ICMPv6 neighbour solicitation (135) are; an IPv4 SYN is not', () => {
    expect(isNeighbourFrame(zoo('port-rewrite')[0]!)).toBe(true);
    expect(isNeighbourFrame(zoo('ip-only-nd')[0]!)).toBe(true);
    expect(isNeighbourFrame(zoo('port-rewrite')[1]!)).toBe(false);
  });

  it('ICMPv6 types 133 to 136 (router and neighbour discovery) are, 132 and 137 are not', () => {
    // Invented trips: only the ICMPv6 type is read.
    const icmpv6 = (icmpType: number) => ({ trip: { before: { kind: 'ipv6', proto: 'icmpv6', icmpType } } } as unknown as Verdict);
    expect([132, 133, 136, 137].map((t) => isNeighbourFrame(icmpv6(t)))).toEqual([false, true, true, false]);
  });
});

describe('sizeChanges and the summary', () => {
  // The recorded runs' packets side by side: five distinct size changes.
  const five = [...zoo('vlan-push'), ...zoo('ipip-local-source'), ...labTx(), ...zoo('ip-only-nd')];

  it('each distinct change once, at most four, then "..."', () => {
    expect(sizeChanges(five)).toBe('42 → 42, 98 → 102, 98 → 118, 74 → 94, ... bytes');
    expect(sizeChanges(five.filter((v) => v.inLen !== 86))).toBe('42 → 42, 98 → 102, 98 → 118, 74 → 94 bytes');
    expect(sizeChanges([])).toBe('');
  });

  it('two actions among the packets: both counted, comma-separated', () => {
    const v = zoo('vlan-push').map((x, i) => ({ ...x, action: i === 3 ? 'XDP_DROP' : 'XDP_TX' }));
    expect(summarizeVerdicts(v)).toBe('3 packet(s): XDP_TX ×2, XDP_DROP ×1, 98 → 102 bytes; 1 neighbour resolution frame(s) (ARP/ND): XDP_TX ×1');
  });
});

describe('packetsObservation', () => {
  it('groups frames by action, kind and changes: the ARP request apart from the three tagged echo requests', () => {
    const o = packetsObservation(zoo('vlan-push'), 'replay')!;
    expect(o.source).toBe('replay');
    expect(o.groups.map((g) => [g.action, g.packets, g.changes.map((c) => c.field)])).toEqual([
      ['XDP_PASS', [1], []], ['XDP_PASS', [2, 3, 4], ['vlan.push', 'length']],
    ]);
    expect(o.groups[0]).not.toHaveProperty('checksum');
  });

  it('the LB\'s two SYNs answered alike: one group, carrying the TCP checksum verdict of before and after', () => {
    const o = packetsObservation(labTx(), 'replay')!;
    expect(o.groups).toHaveLength(1);
    expect(o.groups[0]).toMatchObject({ action: 'XDP_TX', packets: [1, 2], checksum: { proto: 'tcp', before: 'ok', after: 'ok' } });
  });

  it('verdicts without a trip (xdpdump saw no frame): no observation', () => {
    const v = zoo('vlan-push').map(({ trip: _trip, ...rest }) => rest as Verdict);
    expect(packetsObservation(v, 'xdpdump')).toBeUndefined();
  });
});
