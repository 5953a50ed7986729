// checks/vlan-beside.ts: where an 802.1Q tag travels when it reaches the program, the frame the program sees when
// it rode beside, and the finding when such frames came to grief. Frames are the zoo's real captures
// (test/recordings/pcap/zoo-vlan-*: tcpdump on the veth peer zc0, which shows the tag whether it rode in the frame or
// beside it); inventories and drops are built here (labelled where invented).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stripOuterTag, tagBesideFinding, tagBesideFrame } from '../../checks/vlan-beside.js';
import type { FlowDrop, InventoryFacts } from '../../src/plugins/facts.js';
import { readPcap } from '../../src/tools/pcap.js';
import { decodeFrame } from '../../src/tools/frame.js';

const pcap = (name: string) => readPcap(readFileSync(fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url)))).packets.map((p) => p.data);
const CLIENT = { kind: 'name', name: 'cli' } as const;
const veth = (txVlanOffload?: boolean): InventoryFacts => ({
  iface: 'zs0', ifindex: 2, kind: 'veth', maps: [],
  peer: { ifname: 'zc0', ifindex: 2, netns: CLIENT, up: true, ...(txVlanOffload !== undefined ? { txVlanOffload } : {}) },
});

describe('tagBesideFrame: which offload keeps the tag out of the frame', () => {
  it('a veth: its peer\'s tx-vlan-offload, with the peer\'s namespace for the fix', () => {
    expect(tagBesideFrame(veth(true))).toEqual({ why: 'the veth peer zc0 offloads the tag (tx-vlan-offload on)', device: 'zc0', netns: CLIENT, feature: 'txvlan' });
    expect(tagBesideFrame(veth(false))).toBeUndefined();
    expect(tagBesideFrame(veth())).toBeUndefined();
    // The device's own rx offload says nothing on a veth: its peer's skb arrives as it was sent.
    expect(tagBesideFrame({ ...veth(false), rxVlanOffload: true })).toBeUndefined();
  });
  it('a NIC: its own rx-vlan-offload', () => {
    const nic: InventoryFacts = { iface: 'eth0', ifindex: 3, kind: undefined, maps: [], rxVlanOffload: true };
    expect(tagBesideFrame(nic)).toEqual({ why: 'eth0 strips the tag on receive (rx-vlan-offload on)', device: 'eth0', feature: 'rxvlan' });
    expect(tagBesideFrame({ ...nic, rxVlanOffload: false })).toBeUndefined();
    expect(tagBesideFrame(undefined)).toBeUndefined();
  });
});

describe('stripOuterTag: the frame the program saw', () => {
  it('the recorded tagged ARP (46 bytes, VLAN 100) becomes the untagged 42-byte ARP', () => {
    const [arp] = pcap('zoo-vlan-beside-capture.pcap');
    expect(decodeFrame(arp!).vlans).toEqual([100]);
    const out = stripOuterTag(arp!)!;
    expect(out.vid).toBe(100);
    expect(out.frame.length).toBe(42);
    expect(decodeFrame(out.frame).vlans).toEqual([]);
    expect(decodeFrame(out.frame).arp?.targetIp).toBe('10.111.60.2');
    expect(Buffer.from(out.frame.subarray(0, 12))).toEqual(Buffer.from(arp!.subarray(0, 12)));
  });
  it('an untagged frame (the pop program\'s exit) and a runt are left alone', () => {
    const [, echo] = pcap('zoo-vlan-pop-exit.pcap');
    expect(stripOuterTag(echo!)).toBeUndefined();
    expect(stripOuterTag(new Uint8Array(14))).toBeUndefined();
  });
});

describe('tagBesideFinding: frames whose tag rode beside them, come to grief', () => {
  const rule = tagBesideFrame(veth(true));
  // Invented verdicts, reduced to what the judgement reads.
  const trip = (before: object) => ({ before, after: before, changes: [] }) as any;
  const arp = { action: 'XDP_PASS', tagBeside: 100, trip: trip({ kind: 'arp', len: 42 }) };
  const ns = { action: 'XDP_PASS', tagBeside: 100, trip: trip({ kind: 'ipv6', len: 86, proto: 'icmpv6', icmpType: 135 }) };
  const echo = { action: 'XDP_PASS', tagBeside: 100, trip: trip({ kind: 'ipv4', len: 98 }) };
  // Invented: the drop the stack makes of an IP packet it marked for another host.
  const otherhost: FlowDrop = { reason: 'OTHERHOST', count: 3, ifindex: 2, ifname: 'zs0', where: 'zs0 (netns srv)', location: 'ip_rcv_core', l3: 'IPv4', proto: 1, onXdpIface: true, byProgram: false, routine: false };
  const HEAD = 'the frames reach zs0 with VLAN 100 beside them, in the skb\'s metadata, not in the frame: the veth peer zc0 offloads the tag (tx-vlan-offload on). The program never sees it: ';

  it('ARP passed and consumed, the neighbour unresolved: the run\'s own case, with the fix and its undo', () => {
    const f = tagBesideFinding(rule, [arp, arp], [], 'zs0', ['10.111.60.2 FAILED on zc0'])!;
    expect(f.cause).toBe('vlan-tag-beside-frame');
    expect(f.signal).toBe('VLAN 100 beside the frame + neighbour unresolved');
    expect(f.message).toBe(HEAD + 'it parsed 2 untagged frame(s) and returned XDP_PASS, and the stack, which still sees the tag, found no VLAN 100 device on zs0 and took them as for another host: its ARP requests (2) go unanswered (arp_rcv() consumes a frame for another host without a drop reason), so the client never resolved its neighbour (10.111.60.2 FAILED on zc0)');
    expect(f.fixes).toEqual([{
      title: 'put the tag back in the frame: ethtool -K zc0 txvlan off (or read it in the program with the bpf_xdp_metadata_rx_vlan_tag kfunc, where the driver supports it)',
      commands: [['ethtool', '-K', 'zc0', 'txvlan', 'off']], undo: [['ethtool', '-K', 'zc0', 'txvlan', 'on']], netns: CLIENT, verify: 'probe',
    }]);
  });

  it('IPv6: the neighbour solicitations go unanswered', () => {
    const f = tagBesideFinding(rule, [ns], [], 'zs0', ['fd00:111:60::2 FAILED on zc0'])!;
    expect(f.message).toMatch(/: its neighbour solicitations \(1\) go unanswered \(ipv6_rcv\(\) drops a frame for another host as OTHERHOST\), so the client never resolved its neighbour \(fd00:111:60::2 FAILED on zc0\)$/);
    expect(tagBesideFinding(rule, [echo], [], 'zs0', ['fd00:111:60::2 FAILED on zc0'])).toBeUndefined();
  });

  it('IP packets passed and dropped as OTHERHOST on the XDP interface: the drops named', () => {
    const f = tagBesideFinding(rule, [echo, echo, echo], [otherhost], 'zs0')!;
    expect(f.signal).toBe('VLAN 100 beside the frame + skb:kfree_skb OTHERHOST');
    expect(f.message).toBe(HEAD + 'it parsed 3 untagged frame(s) and returned XDP_PASS, and the stack, which still sees the tag, found no VLAN 100 device on zs0 and dropped 3 frame(s) as for another host (OTHERHOST ×3 at zs0 (netns srv) in ip_rcv_core)');
  });

  it('the program dropped what it took for untagged', () => {
    const f = tagBesideFinding(rule, [{ ...echo, action: 'XDP_DROP' }, { ...echo, action: 'XDP_ABORTED' }], [], 'zs0')!;
    expect(f.message).toBe(HEAD + 'it returned XDP_DROP/XDP_ABORTED for 2 frame(s) it took for untagged');
  });

  it('nothing observed went wrong, no tag beside, or no offload: no finding', () => {
    expect(tagBesideFinding(rule, [arp], [], 'zs0')).toBeUndefined(); // ARP passed, neighbour resolved
    expect(tagBesideFinding(rule, [echo], [{ ...otherhost, onXdpIface: false }], 'zs0')).toBeUndefined();
    expect(tagBesideFinding(rule, [echo], [{ ...otherhost, byProgram: true }], 'zs0')).toBeUndefined();
    expect(tagBesideFinding(rule, [{ ...echo, tagBeside: undefined }], [otherhost], 'zs0')).toBeUndefined();
    expect(tagBesideFinding(undefined, [echo], [otherhost], 'zs0')).toBeUndefined();
    expect(tagBesideFinding(rule, [{ ...echo, action: 'XDP_TX' }], [otherhost], 'zs0')).toBeUndefined();
  });
});
