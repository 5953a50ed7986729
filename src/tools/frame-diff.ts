// What a program did to one packet: the frame as it entered against the frame as it left, field by field, as
// data. Headers added in front of the original IP header are an encapsulation, headers removed a decapsulation;
// the IP headers that remain are compared from the inside out, so a tunnel's inner packet is compared with what
// came in. Unchanged is an answer too (an empty list).
import { decodeFrame, type ChecksumState, type DecodedFrame, type IpHeader } from './frame.js';

export type ChangeField =
  | 'eth.dst' | 'eth.src' | 'vlan.push' | 'vlan.pop' | 'vlan.id'
  | 'ip.src' | 'ip.dst' | 'ip.ttl' | 'ip.proto'
  | 'encap' | 'decap'
  | 'l4.sport' | 'l4.dport' | 'icmp.type'
  | 'length';

export interface PacketChange {
  field: ChangeField;
  before?: string;
  after?: string;
}

/** The transport checksum across the program: how it came in, and how it left relative to that. */
export interface ChecksumTrip {
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  before: ChecksumState;
  /**
   * `ok`/`bad`/`partial`/`none` as decoded, or `updated`: the field holds the entry's value updated incrementally
   * (RFC 1624) for the transport words the program changed — right for a full checksum, and what a partial one
   * gets from a program that cannot know its skb's checksum state.
   */
  after: ChecksumState | 'updated';
}

export interface PacketTrip {
  changes: PacketChange[];
  checksum?: ChecksumTrip;
  before: FrameSummary;
  after: FrameSummary;
}

/** A frame in a few fields, for reports: family, addresses, ports, tags, tunnels. */
export interface FrameSummary {
  len: number;
  kind: 'arp' | 'ipv4' | 'ipv6' | 'other';
  src?: string;
  dst?: string;
  proto?: string;
  sport?: number;
  dport?: number;
  vlans?: number[];
  tunnels?: string[];
  /** ARP: request or reply, and the address asked for. */
  arp?: { op: 'request' | 'reply' | number; target: string; sender: string };
  /** ICMP/ICMPv6 type. */
  icmpType?: number;
}

function summarize(f: DecodedFrame): FrameSummary {
  if (f.arp) return { len: f.len, kind: 'arp', arp: { op: f.arp.op === 1 ? 'request' : f.arp.op === 2 ? 'reply' : f.arp.op, target: f.arp.targetIp, sender: f.arp.senderIp } };
  const outer = f.ip[0];
  if (!outer) return { len: f.len, kind: 'other', ...(f.vlans.length ? { vlans: f.vlans } : {}) };
  const inner = f.ip.at(-1)!;
  return {
    len: f.len, kind: outer.family === 4 ? 'ipv4' : 'ipv6', src: inner.src, dst: inner.dst,
    ...(f.l4 ? { proto: f.l4.proto } : { proto: String(inner.proto) }),
    ...(f.l4?.sport !== undefined ? { sport: f.l4.sport, dport: f.l4.dport } : {}),
    ...(f.l4?.type !== undefined ? { icmpType: f.l4.type } : {}),
    ...(f.vlans.length ? { vlans: f.vlans } : {}),
    ...(f.tunnels.length ? { tunnels: f.tunnels } : {}),
  };
}

const describeHeader = (h: IpHeader, carrier?: string) =>
  `IPv${h.family} ${h.src} > ${h.dst}${carrier ? ` (${carrier})` : ''}`;

export function tripOf(entry: Uint8Array, exit: Uint8Array): PacketTrip {
  const a = decodeFrame(entry), b = decodeFrame(exit);
  const changes: PacketChange[] = [];
  const push = (field: ChangeField, before: unknown, after: unknown) => {
    if (before !== after) changes.push({ field, ...(before !== undefined ? { before: String(before) } : {}), ...(after !== undefined ? { after: String(after) } : {}) });
  };
  if (a.eth && b.eth) { push('eth.dst', a.eth.dst, b.eth.dst); push('eth.src', a.eth.src, b.eth.src); }
  const tags = Math.max(a.vlans.length, b.vlans.length);
  for (let i = 0; i < tags; i++) {
    const x = a.vlans[i], y = b.vlans[i];
    if (x === undefined) changes.push({ field: 'vlan.push', after: String(y) });
    else if (y === undefined) changes.push({ field: 'vlan.pop', before: String(x) });
    else push('vlan.id', x, y);
  }
  // Headers added or removed in front: aligned from the innermost header out.
  const added = b.ip.length - a.ip.length;
  if (added > 0) b.ip.slice(0, added).forEach((h, i) => changes.push({ field: 'encap', after: describeHeader(h, b.tunnels[i]) }));
  if (added < 0) a.ip.slice(0, -added).forEach((h, i) => changes.push({ field: 'decap', before: describeHeader(h, a.tunnels[i]) }));
  const pairs = Math.min(a.ip.length, b.ip.length);
  for (let i = 0; i < pairs; i++) {
    const x = a.ip[a.ip.length - pairs + i]!, y = b.ip[b.ip.length - pairs + i]!;
    push('ip.src', x.src, y.src);
    push('ip.dst', x.dst, y.dst);
    push('ip.ttl', x.ttl, y.ttl);
    if (i < pairs - 1 || !(a.l4 && b.l4)) push('ip.proto', x.proto, y.proto);
  }
  if (a.l4 && b.l4 && a.l4.proto === b.l4.proto) {
    push('l4.sport', a.l4.sport, b.l4.sport);
    push('l4.dport', a.l4.dport, b.l4.dport);
    push('icmp.type', a.l4.type, b.l4.type);
  }
  push('length', entry.length, exit.length);
  const checksum = checksumTrip(entry, exit, a, b);
  return { changes, ...(checksum ? { checksum } : {}), before: summarize(a), after: summarize(b) };
}

function checksumTrip(entry: Uint8Array, exit: Uint8Array, a: DecodedFrame, b: DecodedFrame): ChecksumTrip | undefined {
  if (!a.l4?.checksumState || !b.l4?.checksumState || a.l4.proto !== b.l4.proto) return undefined;
  const after = b.l4.checksumState;
  if (after === 'bad' && a.l4.checksum !== undefined && b.l4.checksum !== undefined &&
      incrementallyUpdated(entry, exit, a, b) === b.l4.checksum) {
    return { proto: a.l4.proto, before: a.l4.checksumState, after: 'updated' };
  }
  return { proto: a.l4.proto, before: a.l4.checksumState, after };
}

const CHECKSUM_AT: Record<string, number> = { tcp: 16, udp: 6, icmp: 2, icmpv6: 2 };

/**
 * The entry's checksum field updated the way RFC 1624 updates a checksum for changed words (HC' = ~(~HC + ~m + m'))
 * over the transport header's first 20 bytes (ports, flags, type), the checksum field itself excluded.
 */
function incrementallyUpdated(entry: Uint8Array, exit: Uint8Array, a: DecodedFrame, b: DecodedFrame): number | undefined {
  const x = a.ip.at(-1)!, y = b.ip.at(-1)!;
  const oa = x.offset + x.hdrLen, ob = y.offset + y.hdrLen;
  const at = CHECKSUM_AT[a.l4!.proto]!;
  const words = a.l4!.proto === 'tcp' ? 10 : 4;
  if (oa + 2 * words > entry.length || ob + 2 * words > exit.length) return undefined;
  let s = ~a.l4!.checksum! & 0xffff;
  for (let i = 0; i < words; i++) {
    if (2 * i === at) continue;
    const m = (entry[oa + 2 * i]! << 8) | entry[oa + 2 * i + 1]!;
    const n = (exit[ob + 2 * i]! << 8) | exit[ob + 2 * i + 1]!;
    if (m !== n) s += (~m & 0xffff) + n;
  }
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** "dport 8081 → 8080, VLAN 100 pushed": the changes in words, for summaries. */
export function describeChanges(changes: PacketChange[]): string {
  if (!changes.length) return 'unchanged';
  return changes.map(describeChange).join(', ');
}

const NAMES: Record<ChangeField, string> = {
  'eth.dst': 'destination MAC', 'eth.src': 'source MAC', 'vlan.push': 'VLAN tag pushed', 'vlan.pop': 'VLAN tag popped',
  'vlan.id': 'VLAN id', 'ip.src': 'source address', 'ip.dst': 'destination address', 'ip.ttl': 'TTL/hop limit',
  'ip.proto': 'IP protocol', encap: 'encapsulated in', decap: 'decapsulated from', 'l4.sport': 'source port',
  'l4.dport': 'destination port', 'icmp.type': 'ICMP type', length: 'length',
};

export function describeChange(c: PacketChange): string {
  if (c.field === 'vlan.push') return `802.1Q tag VLAN ${c.after} pushed`;
  if (c.field === 'vlan.pop') return `802.1Q tag VLAN ${c.before} popped`;
  if (c.field === 'encap') return `encapsulated in ${c.after}`;
  if (c.field === 'decap') return `decapsulated from ${c.before}`;
  return `${NAMES[c.field]} ${c.before} → ${c.after}`;
}

/** "TCP 10.0.0.1:40000 > 10.0.0.2:8081 ×3 XDP_PASS: destination port 8081 → 8080": one group of packets in words. */
export function describePacketGroup(g: { action: string; packets: number[]; before: FrameSummary; changes: PacketChange[] }): string {
  const b = g.before;
  const port = (p?: number) => (p !== undefined ? `:${p}` : '');
  const what = b.kind === 'arp' ? `ARP ${b.arp?.op} for ${b.arp?.target}`
    : b.kind === 'other' ? 'non-IP frame'
      : `${(b.proto ?? '').toUpperCase()}${b.icmpType !== undefined ? ` type ${b.icmpType}` : ''} ${b.src}${port(b.sport)} > ${b.dst}${port(b.dport)}`;
  return `${what} ×${g.packets.length} ${g.action}: ${describeChanges(g.changes)}`;
}
