// Where an 802.1Q tag travels when it reaches the XDP program: in the frame, or beside it in the skb's metadata.
// A NIC with rx VLAN offload strips the tag before XDP runs (native or generic); a veth passes its peer's skb on
// as it is, so a tag the peer offloaded (tx-vlan-offload: a VLAN device or tc put it in the metadata) stays beside
// the frame. Either way the program parses an untagged frame, while tcpdump shows the tag (libpcap puts it back
// from the metadata). The stack then still sees the tag and hands the frame to a VLAN device, or drops it.
import type { Finding, FlowDrop, InventoryFacts, NetnsRef } from '../src/plugins/api.js';
import { isNeighbourFrame, type Verdict } from './xdpdump-verdicts.js';

/** Which setting moves the tag beside the frame on this interface, and the command that turns it off. */
interface TagBeside {
  /** "the veth peer zc0 offloads the tag (tx-vlan-offload on)" */
  why: string;
  device: string;
  netns?: NetnsRef;
  /** ethtool -K argument: `txvlan` on the veth peer, `rxvlan` on a NIC. */
  feature: 'txvlan' | 'rxvlan';
}

/** The offload that keeps tags out of the frame the program sees, or undefined when tags arrive in the frame. */
export function tagBesideFrame(inv: InventoryFacts | undefined): TagBeside | undefined {
  if (!inv) return undefined;
  if (inv.kind === 'veth') {
    const peer = inv.peer;
    if (!peer?.txVlanOffload) return undefined;
    return { why: `the veth peer ${peer.ifname} offloads the tag (tx-vlan-offload on)`, device: peer.ifname, ...(peer.netns ? { netns: peer.netns } : {}), feature: 'txvlan' };
  }
  if (!inv.rxVlanOffload) return undefined;
  return { why: `${inv.iface} strips the tag on receive (rx-vlan-offload on)`, device: inv.iface, ...(inv.netns ? { netns: inv.netns } : {}), feature: 'rxvlan' };
}

const TPID = new Set([0x8100, 0x88a8]);

/**
 * The frame as the program sees it when its outer tag rode beside it: the 4 tag bytes taken out after the MACs.
 * Returns the VLAN id and the stripped frame, or undefined for a frame without a tag.
 */
export function stripOuterTag(frame: Uint8Array): { vid: number; frame: Uint8Array } | undefined {
  if (frame.length < 18) return undefined;
  const tpid = (frame[12]! << 8) | frame[13]!;
  if (!TPID.has(tpid)) return undefined;
  const vid = ((frame[14]! << 8) | frame[15]!) & 0x0fff;
  const out = new Uint8Array(frame.length - 4);
  out.set(frame.subarray(0, 12), 0);
  out.set(frame.subarray(16), 12);
  return { vid, frame: out };
}

type TaggedVerdict = Pick<Verdict, 'action' | 'tagBeside' | 'trip'>;

/**
 * The finding when frames whose tag rode beside them came to grief: passed to a stack that took them as for
 * another host (no device for that VLAN): IP packets dropped as OTHERHOST on the XDP interface, ARP requests
 * consumed without a drop reason (arp_rcv) or neighbour solicitations dropped, which leaves the client's neighbour
 * entry unresolved (`unresolved`:
 * the probe side's entries, as "10.0.0.2 FAILED on eth0"); or dropped by the program itself, which took them for
 * untagged. Undefined when no such frame was followed, or nothing observed went wrong with them.
 */
export function tagBesideFinding(
  beside: TagBeside | undefined, verdicts: TaggedVerdict[], drops: readonly FlowDrop[], iface: string, unresolved: string[] = [],
): Finding | undefined {
  const tagged = verdicts.filter((v) => v.tagBeside !== undefined);
  if (!beside || !tagged.length) return undefined;
  const vid = tagged[0]!.tagBeside!;
  const otherhost = drops.filter((d) => d.reason === 'OTHERHOST' && d.onXdpIface && !d.byProgram);
  const passed = tagged.filter((v) => v.action === 'XDP_PASS');
  const neighbourPassed = passed.filter((v) => isNeighbourFrame(v));
  const arp = neighbourPassed.some((v) => v.trip?.before.kind === 'arp');
  const asked = arp ? 'ARP requests' : 'neighbour solicitations';
  const silently = arp ? 'arp_rcv() consumes a frame for another host without a drop reason' : 'ipv6_rcv() drops a frame for another host as OTHERHOST';
  const dropped = tagged.filter((v) => v.action === 'XDP_DROP' || v.action === 'XDP_ABORTED').length;
  const head = `the frames reach ${iface} with VLAN ${vid} beside them, in the skb's metadata, not in the frame: ${beside.why}. ` +
    'The program never sees it: ';
  const stackSaw = `it parsed ${passed.length} untagged frame(s) and returned XDP_PASS, and the stack, which still sees the tag, found no VLAN ${vid} device on ${iface}`;
  let what: string;
  let signal = `VLAN ${vid} beside the frame`;
  if (otherhost.length && passed.length) {
    const total = otherhost.reduce((n, d) => n + d.count, 0);
    const where = otherhost.map((d) => `OTHERHOST ×${d.count} at ${d.where} in ${d.location || '?'}`).join('; ');
    what = `${stackSaw} and dropped ${total} frame(s) as for another host (${where})`;
    signal += ' + skb:kfree_skb OTHERHOST';
  } else if (neighbourPassed.length && unresolved.length) {
    what = `${stackSaw} and took them as for another host: its ${asked} (${neighbourPassed.length}) go unanswered (${silently}), so the client never resolved its neighbour (${unresolved.join('; ')})`;
    signal += ' + neighbour unresolved';
  } else if (dropped) {
    what = `it returned XDP_DROP/XDP_ABORTED for ${dropped} frame(s) it took for untagged`;
  } else {
    return undefined;
  }
  return {
    cause: 'vlan-tag-beside-frame', iface, signal,
    message: head + what,
    fixes: [{
      title: `put the tag back in the frame: ethtool -K ${beside.device} ${beside.feature} off (or read it in the program with the bpf_xdp_metadata_rx_vlan_tag kfunc, where the driver supports it)`,
      commands: [['ethtool', '-K', beside.device, beside.feature, 'off']],
      undo: [['ethtool', '-K', beside.device, beside.feature, 'on']],
      ...(beside.netns ? { netns: beside.netns } : {}),
      verify: 'probe',
    }],
  };
}
