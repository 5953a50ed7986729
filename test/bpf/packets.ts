// Packet builders for the Katran-style BPF tests. Pure functions over Buffers: every byte the tests feed
// to BPF_PROG_TEST_RUN is built here, with real checksums, so a wrong output byte is the program's fault.
import { endianness } from 'node:os';

export const ETH_P_IP = 0x0800;
export const ETH_P_IPV6 = 0x86dd;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export function fromHex(hex: string): Buffer {
  const clean = hex.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex bytes: ${hex}`);
  return Buffer.from(clean, 'hex');
}

export function toHex(buf: Buffer): string {
  return buf.toString('hex');
}

/** "02:42:0a:6f:dd:0c" → 6 bytes. */
export function mac(text: string): Buffer {
  const b = fromHex(text);
  if (b.length !== 6) throw new Error(`not a MAC address: ${text}`);
  return b;
}

/** Dotted quad → 32-bit number (the host-order value the LB map stores). */
export function ipToU32(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${text}`);
  }
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

/** Dotted quad → 4 bytes in network order. */
export function ipBytes(text: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ipToU32(text));
  return b;
}

/** RFC 1071 one's complement sum of 16-bit big-endian words, folded, not yet inverted. */
function onesSum(buf: Buffer, start = 0): number {
  let sum = start;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2 === 1) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum of `buf` (an IPv4 header with its check field zeroed gives the value to store). */
export function ipv4Checksum(buf: Buffer): number {
  return ~onesSum(buf) & 0xffff;
}

/** True when an IPv4 header's stored checksum is consistent with its bytes. */
export function ipv4ChecksumValid(header: Buffer): boolean {
  return onesSum(header) === 0xffff;
}

export function eth(o: { dst: string; src: string; proto: number }): Buffer {
  const b = Buffer.alloc(14);
  mac(o.dst).copy(b, 0);
  mac(o.src).copy(b, 6);
  b.writeUInt16BE(o.proto, 12);
  return b;
}

export interface Ipv4Opts {
  src: string;
  dst: string;
  protocol: number;
  payload: Buffer;
  tos?: number;
  id?: number;
  /** Flags and fragment offset as one 16-bit field; 0x4000 is DF. */
  fragOff?: number;
  ttl?: number;
}

/** A 20-byte IPv4 header with a correct checksum, followed by the payload. */
export function ipv4(o: Ipv4Opts): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h[1] = o.tos ?? 0;
  h.writeUInt16BE(20 + o.payload.length, 2);
  h.writeUInt16BE(o.id ?? 0, 4);
  h.writeUInt16BE(o.fragOff ?? 0x4000, 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.protocol;
  ipBytes(o.src).copy(h, 12);
  ipBytes(o.dst).copy(h, 16);
  h.writeUInt16BE(ipv4Checksum(h), 10);
  return Buffer.concat([h, o.payload]);
}

function pseudoHeaderSum(src: string, dst: string, protocol: number, length: number): number {
  const p = Buffer.alloc(12);
  ipBytes(src).copy(p, 0);
  ipBytes(dst).copy(p, 4);
  p[9] = protocol;
  p.writeUInt16BE(length, 10);
  return onesSum(p);
}

export const TCP_SYN = 0x02;
export const TCP_ACK = 0x10;

export interface TcpOpts {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  /** Raw option bytes, padded here to a multiple of 4. */
  options?: Buffer;
  payload?: Buffer;
}

/** A TCP segment with a full checksum over the IPv4 pseudo header (no offload left to do). */
export function tcp(o: TcpOpts): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const optLen = Math.ceil(opts.length / 4) * 4;
  const h = Buffer.alloc(20 + optLen);
  h.writeUInt16BE(o.sport, 0);
  h.writeUInt16BE(o.dport, 2);
  h.writeUInt32BE(o.seq ?? 0, 4);
  h.writeUInt32BE(o.ack ?? 0, 8);
  h[12] = ((20 + optLen) / 4) << 4;
  h[13] = o.flags ?? TCP_SYN;
  h.writeUInt16BE(o.window ?? 64240, 14);
  opts.copy(h, 20);
  const seg = Buffer.concat([h, o.payload ?? Buffer.alloc(0)]);
  const sum = onesSum(seg, pseudoHeaderSum(o.src, o.dst, IPPROTO_TCP, seg.length));
  seg.writeUInt16BE(~sum & 0xffff, 16);
  return seg;
}

/** The options Linux puts on a SYN: mss, sackOK, timestamps, nop, wscale (20 bytes). */
export function linuxSynOptions(o: { mss: number; tsval: number; wscale: number }): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt8(2, 0); b.writeUInt8(4, 1); b.writeUInt16BE(o.mss, 2);
  b.writeUInt8(4, 4); b.writeUInt8(2, 5);
  b.writeUInt8(8, 6); b.writeUInt8(10, 7); b.writeUInt32BE(o.tsval, 8); b.writeUInt32BE(0, 12);
  b.writeUInt8(1, 16);
  b.writeUInt8(3, 17); b.writeUInt8(3, 18); b.writeUInt8(o.wscale, 19);
  return b;
}

export function udp(o: { src: string; dst: string; sport: number; dport: number; payload?: Buffer }): Buffer {
  const payload = o.payload ?? Buffer.alloc(0);
  const seg = Buffer.alloc(8 + payload.length);
  seg.writeUInt16BE(o.sport, 0);
  seg.writeUInt16BE(o.dport, 2);
  seg.writeUInt16BE(seg.length, 4);
  payload.copy(seg, 8);
  const sum = ~onesSum(seg, pseudoHeaderSum(o.src, o.dst, IPPROTO_UDP, seg.length)) & 0xffff;
  seg.writeUInt16BE(sum === 0 ? 0xffff : sum, 6); // 0 means "no checksum" in UDP over IPv4
  return seg;
}

/** A bare IPv6 header (no checksum in IPv6) in front of the payload. Addresses as 16 raw bytes in hex. */
export function ipv6(o: { srcHex: string; dstHex: string; nextHeader: number; payload: Buffer; hopLimit?: number }): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(o.payload.length, 4);
  h[6] = o.nextHeader;
  h[7] = o.hopLimit ?? 64;
  const src = fromHex(o.srcHex);
  const dst = fromHex(o.dstHex);
  if (src.length !== 16 || dst.length !== 16) throw new Error('IPv6 addresses must be 16 bytes');
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, o.payload]);
}

export interface XdpParams {
  dstMac: string;
  daddr: string;
  saddr: string;
  vip: string;
}

/**
 * The 20-byte value of the LB's xdp_params_array: dst_mac[6], pad[2], then daddr, saddr, vip as __u32 in
 * the machine's byte order (the program compares them with bpf_ntohl(packet field)).
 */
export function xdpParamsValue(p: XdpParams, order: 'LE' | 'BE' = endianness()): Buffer {
  const b = Buffer.alloc(20);
  mac(p.dstMac).copy(b, 0);
  const put = (v: string, off: number) =>
    order === 'LE' ? b.writeUInt32LE(ipToU32(v), off) : b.writeUInt32BE(ipToU32(v), off);
  put(p.daddr, 8);
  put(p.saddr, 12);
  put(p.vip, 16);
  return b;
}
