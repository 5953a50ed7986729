// One Ethernet frame decoded the way the kernel's receive path reads it: the MACs, the VLAN tags, ARP, every IP
// header from the outside in (IPv4 and IPv6, with IPIP, IPv6-in-IPv4, IPv4/IPv6-in-IPv6, GRE and UDP tunnels
// followed to the header they carry), the transport ports, and the state of the TCP/UDP checksum: complete and
// right, wrong, or the pseudo-header sum alone (CHECKSUM_PARTIAL: the sender's checksum offload left it for the
// device to finish). Pure: bytes in, data out. The xdpdump rung compares the frame before and after the program.

import { ipv6FromBytes } from './addresses.js';

export type ChecksumState = 'ok' | 'bad' | 'partial' | 'none';

export interface IpHeader {
  family: 4 | 6;
  src: string;
  dst: string;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl: number;
  /** IPv4 protocol or IPv6 next header (after the extension headers this decoder skips). */
  proto: number;
  /** Offset of the header in the frame. */
  offset: number;
  /** Header length (IPv4 IHL × 4, IPv6 40 plus extension headers). */
  hdrLen: number;
  /** Bytes the header says the packet has (IPv4 total length, IPv6 40 + payload length). */
  totalLen: number;
}

export interface Transport {
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  sport?: number;
  dport?: number;
  /** ICMP/ICMPv6 type and code. */
  type?: number;
  code?: number;
  /** TCP flags as letters (S, A, F, R, P). */
  flags?: string;
  checksum?: number;
  checksumState?: ChecksumState;
}

export interface DecodedFrame {
  len: number;
  eth?: { dst: string; src: string };
  /** VLAN ids of the 802.1Q/802.1ad tags, outermost first. */
  vlans: number[];
  /** The EtherType after the tags. */
  ethertype?: number;
  arp?: { op: number; senderIp: string; targetIp: string };
  /** IP headers, outermost first: more than one when the packet is encapsulated. */
  ip: IpHeader[];
  /** What carries each inner IP header, in words: "IPIP", "GRE", "UDP 4789 (VXLAN)". */
  tunnels: string[];
  /** The innermost transport header. */
  l4?: Transport;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const mac = (b: Uint8Array, o: number) => [...b.subarray(o, o + 6)].map(hex2).join(':');
const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const ip4 = (b: Uint8Array, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** An IPv6 address in its canonical short form (RFC 5952): fd00:111:60::2. */
export const ip6 = (b: Uint8Array, o: number): string => ipv6FromBytes(b, o);

const ETH_P_IP = 0x0800, ETH_P_IPV6 = 0x86dd, ETH_P_ARP = 0x0806, ETH_P_TEB = 0x6558;
const EXT_HEADERS = new Set([0, 43, 60]); // hop-by-hop, routing, destination options
const UDP_TUNNELS: Record<number, string> = { 4789: 'VXLAN', 6081: 'Geneve', 5555: 'GUE', 6635: 'MPLS-in-UDP' };

export function decodeFrame(frame: Uint8Array): DecodedFrame {
  const out: DecodedFrame = { len: frame.length, vlans: [], ip: [], tunnels: [] };
  if (frame.length < 14) return out;
  out.eth = { dst: mac(frame, 0), src: mac(frame, 6) };
  let off = 12;
  let type = u16(frame, off);
  while ((type === 0x8100 || type === 0x88a8) && off + 6 <= frame.length) {
    out.vlans.push(u16(frame, off + 2) & 0x0fff);
    off += 4;
    type = u16(frame, off);
  }
  out.ethertype = type;
  off += 2;
  if (type === ETH_P_ARP && off + 28 <= frame.length) {
    out.arp = { op: u16(frame, off + 6), senderIp: ip4(frame, off + 14), targetIp: ip4(frame, off + 24) };
    return out;
  }
  decodeIp(frame, off, type, out, 0);
  return out;
}

function decodeIp(b: Uint8Array, off: number, ethertype: number, out: DecodedFrame, depth: number): void {
  if (depth > 3) return;
  let h: IpHeader | undefined;
  if (ethertype === ETH_P_IP && off + 20 <= b.length && b[off]! >> 4 === 4) {
    const ihl = (b[off]! & 0x0f) * 4;
    h = { family: 4, src: ip4(b, off + 12), dst: ip4(b, off + 16), ttl: b[off + 8]!, proto: b[off + 9]!, offset: off, hdrLen: ihl, totalLen: u16(b, off + 2) };
    // A fragment after the first carries no transport header.
    if ((u16(b, off + 6) & 0x1fff) !== 0) { out.ip.push(h); return; }
  } else if (ethertype === ETH_P_IPV6 && off + 40 <= b.length && b[off]! >> 4 === 6) {
    let next = b[off + 6]!;
    let len = 40;
    while (EXT_HEADERS.has(next) && off + len + 8 <= b.length) {
      const extLen = (b[off + len + 1]! + 1) * 8;
      next = b[off + len]!;
      len += extLen;
    }
    h = { family: 6, src: ip6(b, off + 8), dst: ip6(b, off + 24), ttl: b[off + 7]!, proto: next, offset: off, hdrLen: len, totalLen: 40 + u16(b, off + 4) };
  }
  if (!h) return;
  out.ip.push(h);
  const l4 = off + h.hdrLen;
  if (h.family === 4 && h.hdrLen < 20) return;
  if (h.proto === 4) { out.tunnels.push(h.family === 4 ? 'IPIP' : 'IPv4-in-IPv6'); decodeIp(b, l4, ETH_P_IP, out, depth + 1); return; }
  if (h.proto === 41) { out.tunnels.push(h.family === 4 ? 'IPv6-in-IPv4 (SIT)' : 'IPv6-in-IPv6'); decodeIp(b, l4, ETH_P_IPV6, out, depth + 1); return; }
  if (h.proto === 47 && l4 + 4 <= b.length) {
    const flags = u16(b, l4);
    const proto = u16(b, l4 + 2);
    const grelen = 4 + (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) + (flags & 0x1000 ? 4 : 0);
    out.tunnels.push('GRE');
    if (proto === ETH_P_TEB) { decodeInnerEthernet(b, l4 + grelen, out, depth); return; }
    decodeIp(b, l4 + grelen, proto, out, depth + 1);
    return;
  }
  decodeTransport(b, h, out, depth);
}

function decodeInnerEthernet(b: Uint8Array, off: number, out: DecodedFrame, depth: number): void {
  if (off + 14 > b.length) return;
  decodeIp(b, off + 14, u16(b, off + 12), out, depth + 1);
}

function decodeTransport(b: Uint8Array, h: IpHeader, out: DecodedFrame, depth: number): void {
  const o = h.offset + h.hdrLen;
  // The segment as the IP header bounds it (bytes after it are Ethernet padding), but never past the frame.
  const end = Math.min(b.length, h.offset + h.totalLen);
  if (h.proto === 6 && o + 20 <= b.length) {
    const flags = b[o + 13]!;
    const letters = [[2, 'S'], [16, 'A'], [1, 'F'], [4, 'R'], [8, 'P']].filter(([bit]) => flags & (bit as number)).map(([, c]) => c).join('');
    out.l4 = { proto: 'tcp', sport: u16(b, o), dport: u16(b, o + 2), flags: letters, checksum: u16(b, o + 16), checksumState: checksumState(b, h, o, end, 16) };
    return;
  }
  if (h.proto === 17 && o + 8 <= b.length) {
    const sport = u16(b, o), dport = u16(b, o + 2), checksum = u16(b, o + 6);
    const tunnel = UDP_TUNNELS[dport];
    // A UDP tunnel that carries an IP packet: VXLAN carries Ethernet after 8 bytes, GUE (variant 1) IP directly.
    if (tunnel && depth < 3) {
      // A zero UDP checksum means "none" over IPv4 and is refused over IPv6 (RFC 8200 §8.1): say it where it counts.
      out.tunnels.push(`UDP ${dport} (${tunnel}${checksum === 0 && h.family === 6 ? ', checksum 0' : ''})`);
      if (tunnel === 'VXLAN' || tunnel === 'Geneve') decodeInnerEthernet(b, o + 8 + (tunnel === 'Geneve' ? 8 + (b[o + 8]! & 0x3f) * 4 : 8), out, depth);
      else if (tunnel === 'GUE' && o + 8 < b.length) decodeIp(b, o + 8, b[o + 8]! >> 4 === 6 ? ETH_P_IPV6 : ETH_P_IP, out, depth + 1);
      if (out.ip.length > 1) return;
    }
    out.l4 = {
      proto: 'udp', sport, dport, checksum,
      checksumState: checksum === 0 && h.family === 4 ? 'none' : checksumState(b, h, o, end, 6),
    };
    return;
  }
  if ((h.proto === 1 || h.proto === 58) && o + 4 <= b.length) {
    out.l4 = {
      proto: h.proto === 1 ? 'icmp' : 'icmpv6', type: b[o]!, code: b[o + 1]!, checksum: u16(b, o + 2),
      checksumState: h.proto === 58 ? checksumState(b, h, o, end, 2) : fold(sum(b, o, end)) === 0xffff ? 'ok' : 'bad',
    };
  }
}

function sum(b: Uint8Array, from: number, to: number, acc = 0): number {
  let s = acc;
  for (let i = from; i + 1 < to; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if ((to - from) % 2 === 1 && to - 1 < b.length) s += b[to - 1]! << 8;
  return s;
}

function fold(s: number): number {
  let x = s;
  while (x > 0xffff) x = (x & 0xffff) + Math.floor(x / 0x10000);
  return x;
}

/** The one's-complement sum (not inverted) of the pseudo-header: what a CHECKSUM_PARTIAL packet carries. */
function pseudoHeaderSum(b: Uint8Array, h: IpHeader, l4Len: number, proto: number): number {
  const addrLen = h.family === 4 ? 4 : 16;
  const srcAt = h.offset + (h.family === 4 ? 12 : 8);
  let s = sum(b, srcAt, srcAt + 2 * addrLen);
  s += proto + (l4Len & 0xffff) + Math.floor(l4Len / 0x10000);
  return fold(s);
}

/**
 * `ok` when the checksum over the pseudo-header and segment is complete, `partial` when the field holds only
 * the pseudo-header sum (the sender's offload left it for the device: veth and virtio pass such skbs on as
 * CHECKSUM_PARTIAL, and the receiving stack trusts them), `bad` otherwise.
 */
function checksumState(b: Uint8Array, h: IpHeader, o: number, end: number, field: number): ChecksumState {
  if (end <= o + field + 1) return 'bad';
  const proto = h.proto;
  const pseudo = pseudoHeaderSum(b, h, end - o, proto);
  if (fold(sum(b, o, end, pseudo)) === 0xffff) return 'ok';
  const value = u16(b, o + field);
  return value === pseudo || value === (~pseudo & 0xffff) ? 'partial' : 'bad';
}
