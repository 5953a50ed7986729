// Classic libpcap files (what `tcpdump -w` writes), read and written in memory. Pure: no I/O here, so the
// xdpdump rung and its tests share one implementation. Format: a 24-byte global header (magic, version 2.4,
// thiszone, sigfigs, snaplen, linktype) then records of a 16-byte header (ts_sec, ts_usec|ts_nsec, caplen,
// len) and caplen bytes. The magic gives the byte order and the timestamp precision. pcapng (xdpdump -w
// without --use-pcap) is a different format and is refused with a message that says so.

import { ToolOutputError } from './json.js';

export const LINKTYPE_ETHERNET = 1;
const DEFAULT_SNAPLEN = 262_144;

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** A record larger than this is a corrupt file, not a packet (libpcap's own limit is 256 KiB by default). */
const MAX_RECORD = 16 * 1024 * 1024;

export interface PcapPacket {
  /** Seconds since the epoch. */
  sec: number;
  /** Nanoseconds within the second (microsecond files are scaled up). */
  nsec: number;
  /** Length on the wire; data.length is the captured length. */
  origLen: number;
  data: Buffer;
}

export interface PcapFile {
  linktype: number;
  snaplen: number;
  precision: 'us' | 'ns';
  byteOrder: 'le' | 'be';
  packets: PcapPacket[];
  /** The file ended inside a record (a capture killed mid-write): the partial record is not in packets. */
  truncated: boolean;
  /** Records left unread because maxPackets was reached. */
  skipped: number;
}

/** A capture that is not what it should be: tool output, so the rung reports it with what it saw. */
export class PcapError extends ToolOutputError {
  override name = 'PcapError';
  constructor(message: string) { super('pcap', message, message); }
}

/** Parses a classic pcap file. Throws PcapError on anything that is not one (with what it is, when known). */
export function readPcap(buf: Buffer, opts: { maxPackets?: number } = {}): PcapFile {
  if (buf.length < GLOBAL_HEADER) {
    throw new PcapError(buf.length === 0 ? 'empty file: no pcap header (the capture never started?)' : `file too short for a pcap header (${buf.length} bytes)`);
  }
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  let byteOrder: 'le' | 'be';
  let precision: 'us' | 'ns';
  if (le === MAGIC_US || le === MAGIC_NS) { byteOrder = 'le'; precision = le === MAGIC_NS ? 'ns' : 'us'; }
  else if (be === MAGIC_US || be === MAGIC_NS) { byteOrder = 'be'; precision = be === MAGIC_NS ? 'ns' : 'us'; }
  else if (le === PCAPNG_SHB) throw new PcapError('this is a pcapng file, not classic pcap (xdpdump writes pcapng unless --use-pcap)');
  else throw new PcapError(`not a pcap file (magic 0x${be.toString(16).padStart(8, '0')})`);

  const u16 = (o: number) => (byteOrder === 'le' ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (byteOrder === 'le' ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const major = u16(4);
  if (major !== 2) throw new PcapError(`unsupported pcap version ${major}.${u16(6)}`);
  const snaplen = u32(16);
  // The upper bits of the link-type word carry FCS information (pcap-savefile(5)); the type is the low 16.
  const linktype = u32(20) & 0xffff;

  const packets: PcapPacket[] = [];
  const max = opts.maxPackets ?? Infinity;
  let off = GLOBAL_HEADER;
  let truncated = false;
  let skipped = 0;
  while (off < buf.length) {
    if (off + RECORD_HEADER > buf.length) { truncated = true; break; }
    const sec = u32(off);
    const frac = u32(off + 4);
    const capLen = u32(off + 8);
    const origLen = u32(off + 12);
    if (capLen > MAX_RECORD) throw new PcapError(`corrupt record at byte ${off}: captured length ${capLen}`);
    const start = off + RECORD_HEADER;
    if (start + capLen > buf.length) { truncated = true; break; }
    if (packets.length < max) {
      packets.push({
        sec, nsec: precision === 'ns' ? frac : frac * 1000, origLen,
        data: Buffer.from(buf.subarray(start, start + capLen)),
      });
    } else {
      skipped++;
    }
    off = start + capLen;
  }
  return { linktype, snaplen, precision, byteOrder, packets, truncated, skipped };
}

export interface WritePacket {
  data: Buffer;
  /** Defaults to data.length. */
  origLen?: number;
  sec?: number;
  nsec?: number;
}

/**
 * A little-endian pcap file (the byte order tcpdump writes on x86). Microsecond timestamps unless asked for
 * nanoseconds; packets longer than snaplen are cut to it, their origLen kept.
 */
export function writePcap(
  packets: WritePacket[],
  opts: { linktype?: number; snaplen?: number; precision?: 'us' | 'ns' } = {},
): Buffer {
  const precision = opts.precision ?? 'us';
  const snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
  const header = Buffer.alloc(GLOBAL_HEADER);
  header.writeUInt32LE(precision === 'ns' ? MAGIC_NS : MAGIC_US, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(snaplen, 16);
  header.writeUInt32LE(opts.linktype ?? LINKTYPE_ETHERNET, 20);
  const parts: Buffer[] = [header];
  for (const p of packets) {
    const data = p.data.length > snaplen ? p.data.subarray(0, snaplen) : p.data;
    const rec = Buffer.alloc(RECORD_HEADER);
    const nsec = p.nsec ?? 0;
    if (!Number.isInteger(nsec) || nsec < 0 || nsec >= 1e9) throw new RangeError(`nsec out of range: ${nsec}`);
    rec.writeUInt32LE(p.sec ?? 0, 0);
    rec.writeUInt32LE(precision === 'ns' ? nsec : Math.floor(nsec / 1000), 4);
    rec.writeUInt32LE(data.length, 8);
    rec.writeUInt32LE(p.origLen ?? p.data.length, 12);
    parts.push(rec, data);
  }
  return Buffer.concat(parts);
}

const ip4 = (b: Buffer, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const TCP_FLAGS: [number, string][] = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U']];

/**
 * One line about an Ethernet frame for evidence: "IPv4 10.111.220.11:54338 > 192.168.10.1:50002 TCP [S]",
 * IPIP as "IPIP 10.111.221.11 > 10.111.222.11 (IPv4 ... TCP [S])". It reads headers as they are, even when
 * their lengths lie (that is what packet-sanity is for).
 */
export function summarizeFrame(frame: Buffer): string {
  if (frame.length < 14) return `runt frame (${frame.length} bytes)`;
  let off = 12;
  let type = frame.readUInt16BE(off);
  while ((type === 0x8100 || type === 0x88a8) && off + 6 <= frame.length) { off += 4; type = frame.readUInt16BE(off); }
  off += 2;
  if (type === 0x0806) return 'ARP';
  if (type === 0x86dd) return 'IPv6';
  if (type !== 0x0800) return `ethertype 0x${type.toString(16).padStart(4, '0')}`;
  return summarizeIpv4(frame, off, 0);
}

function summarizeIpv4(b: Buffer, off: number, depth: number): string {
  if (off + 20 > b.length) return 'IPv4 (truncated header)';
  const ihl = (b[off]! & 0x0f) * 4;
  const proto = b[off + 9]!;
  const src = ip4(b, off + 12), dst = ip4(b, off + 16);
  const l4 = off + Math.max(ihl, 20);
  if (proto === 4 && depth < 2) return `IPIP ${src} > ${dst} (${summarizeIpv4(b, l4, depth + 1)})`;
  if ((proto === 6 || proto === 17) && l4 + 4 <= b.length) {
    const sport = b.readUInt16BE(l4), dport = b.readUInt16BE(l4 + 2);
    if (proto === 17) return `IPv4 ${src}:${sport} > ${dst}:${dport} UDP`;
    const flags = l4 + 14 <= b.length ? TCP_FLAGS.filter(([bit]) => b[l4 + 13]! & bit).map(([, c]) => c).join('') : '?';
    return `IPv4 ${src}:${sport} > ${dst}:${dport} TCP [${flags}]`;
  }
  return `IPv4 ${src} > ${dst} proto ${proto}`;
}

/** Seconds and nanoseconds of a Date.now()-style millisecond clock, for packets made now. */
export function timestampOf(ms: number): { sec: number; nsec: number } {
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.round(ms - sec * 1000) * 1_000_000 };
}
