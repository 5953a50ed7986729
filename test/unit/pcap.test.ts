// src/tools/pcap.ts on pcaps tcpdump wrote on this machine (test/recordings/pcap/README.md says how).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LINKTYPE_ETHERNET, PcapError, readPcap, summarizeFrame, timestampOf, writePcap } from '../../src/tools/pcap.js';

const pcap = (name: string) => readFileSync(fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url)));

describe('readPcap', () => {
  it('reads tcpdump -w (microsecond, little-endian): the two 74-byte SYNs g1 sent to l0', () => {
    const f = readPcap(pcap('g1-out-syn.pcap'));
    expect(f).toMatchObject({ linktype: LINKTYPE_ETHERNET, snaplen: 262144, precision: 'us', byteOrder: 'le', truncated: false, skipped: 0 });
    expect(f.packets).toHaveLength(2);
    for (const p of f.packets) {
      expect(p.data.length).toBe(74);
      expect(p.origLen).toBe(74);
      expect(p.nsec % 1000).toBe(0);
      // to l0's MAC, from g1's, IPv4
      expect(p.data.subarray(0, 14).toString('hex')).toBe('9a2502c471c6e65d152546ce0800');
    }
    expect(f.packets[1]!.sec * 1e9 + f.packets[1]!.nsec).toBeGreaterThan(f.packets[0]!.sec * 1e9 + f.packets[0]!.nsec);
    expect(summarizeFrame(f.packets[0]!.data)).toBe('IPv4 10.111.220.11:54338 > 192.168.10.1:50002 TCP [S]');
  });

  it('reads --time-stamp-precision=nano files: the 94-byte XDP_TX frame with the outer tot_len 0x5000', () => {
    const f = readPcap(pcap('g1-in-bad-iphdr-nano.pcap'));
    expect(f.precision).toBe('ns');
    expect(f.packets).toHaveLength(1);
    const [p] = f.packets;
    expect(p).toMatchObject({ sec: 1795526378, nsec: 510037827, origLen: 94 });
    expect(p!.data.subarray(14, 34).toString('hex')).toBe('450050000000000040045b050a6fdd0b0a6fde0b');
    expect(summarizeFrame(p!.data)).toBe('IPIP 10.111.221.11 > 10.111.222.11 (IPv4 10.111.220.11:55176 > 192.168.10.1:50002 TCP [S])');
  });

  it('stops at maxPackets and counts the rest', () => {
    const f = readPcap(pcap('variants-crafted.pcap'), { maxPackets: 2 });
    expect(f.packets).toHaveLength(2);
    expect(f.skipped).toBe(4);
  });

  it('keeps whole records of a file cut mid-record and says it was truncated', () => {
    const whole = pcap('g1-out-syn.pcap');
    const f = readPcap(whole.subarray(0, whole.length - 10));
    expect(f.truncated).toBe(true);
    expect(f.packets).toHaveLength(1);
    expect(readPcap(whole.subarray(0, 24 + 8)).truncated).toBe(true);
  });

  it('refuses what is not classic pcap, saying what it is', () => {
    expect(() => readPcap(Buffer.alloc(0))).toThrow(/empty file/);
    expect(() => readPcap(Buffer.alloc(10))).toThrow(PcapError);
    const pcapng = Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000', 'hex');
    expect(() => readPcap(pcapng)).toThrow(/pcapng/);
    expect(() => readPcap(Buffer.from('not a capture at all, really'))).toThrow(/not a pcap file/);
  });

  it('reads big-endian files', () => {
    const le = pcap('g1-out-syn.pcap');
    const be = Buffer.from(le);
    const swap32 = (o: number) => be.writeUInt32BE(le.readUInt32LE(o), o);
    const swap16 = (o: number) => be.writeUInt16BE(le.readUInt16LE(o), o);
    swap32(0); swap16(4); swap16(6); swap32(8); swap32(12); swap32(16); swap32(20);
    let off = 24;
    while (off < le.length) {
      const cap = le.readUInt32LE(off + 8);
      for (let k = 0; k < 16; k += 4) swap32(off + k);
      off += 16 + cap;
    }
    const a = readPcap(le), b = readPcap(be);
    expect(b.byteOrder).toBe('be');
    expect(b.packets).toEqual(a.packets);
  });
});

describe('writePcap', () => {
  it('writes back what tcpdump wrote, byte for byte', () => {
    const original = pcap('g1-out-syn.pcap');
    expect(writePcap(readPcap(original).packets).equals(original)).toBe(true);
    const nano = pcap('g1-in-bad-iphdr-nano.pcap');
    expect(writePcap(readPcap(nano).packets, { precision: 'ns' }).equals(nano)).toBe(true);
  });

  it('cuts packets to snaplen and keeps their wire length', () => {
    const data = Buffer.alloc(100, 0xab);
    const f = readPcap(writePcap([{ data, sec: 5, nsec: 123_456_789 }], { snaplen: 64 }));
    expect(f.snaplen).toBe(64);
    expect(f.packets[0]).toMatchObject({ sec: 5, nsec: 123_456_000, origLen: 100 });
    expect(f.packets[0]!.data.length).toBe(64);
    expect(() => writePcap([{ data, nsec: 1e9 }])).toThrow(RangeError);
  });

  it('turns a millisecond clock into sec/nsec', () => {
    expect(timestampOf(1_700_000_000_123)).toEqual({ sec: 1_700_000_000, nsec: 123_000_000 });
  });
});

describe('summarizeFrame', () => {
  it('names what is not IPv4 and survives runts', () => {
    expect(summarizeFrame(Buffer.alloc(6))).toBe('runt frame (6 bytes)');
    const arp = Buffer.alloc(42); arp.writeUInt16BE(0x0806, 12);
    expect(summarizeFrame(arp)).toBe('ARP');
    const v6 = Buffer.alloc(54); v6.writeUInt16BE(0x86dd, 12);
    expect(summarizeFrame(v6)).toBe('IPv6');
    const ip = Buffer.alloc(20); ip.writeUInt16BE(0x0800, 12);
    expect(summarizeFrame(ip)).toBe('IPv4 (truncated header)');
  });
});
