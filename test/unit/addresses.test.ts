// src/tools/addresses.ts on the values of one real lab: the params entry bpftool dumped and the MAC ip printed for
// the same interface (lab lt1, test/recordings/bpftool/map-dump-pinned-params.json and ip/lab-links-gw.json).
import { describe, expect, it } from 'vitest';
import { ipv4Octets, ipv4ToU32, ipv6Bytes, ipv6Text, ipv6Words, macOf, u32ToIpv4 } from '../../src/tools/addresses.js';
import { parseMapDump } from '../../src/tools/bpftool.js';
import { parseLinks } from '../../src/tools/ip.js';
import { recording } from './helpers/recordings.js';

const params = parseMapDump(recording('bpftool/map-dump-pinned-params.json'))[0]!.formatted!.value as
  { dst_mac: number[]; daddr: number; saddr: number; vip: number };

describe('IPv4 as a u32, first octet high', () => {
  it('reads the addresses the LB holds in host order', () => {
    expect([u32ToIpv4(params.daddr), u32ToIpv4(params.saddr), u32ToIpv4(params.vip)]).toEqual(['10.111.222.11', '10.111.221.11', '192.168.10.1']);
    expect(ipv4Octets(params.vip)).toEqual([192, 168, 10, 1]);
  });

  it('ipv4ToU32 writes what u32ToIpv4 reads, and refuses what is not an address', () => {
    expect(ipv4ToU32('10.111.221.11')).toBe(params.saddr);
    expect(ipv4ToU32('192.168.10.1')).toBe(params.vip);
    expect(ipv4ToU32('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['10.111.221', '10.111.221.256', '10.111.221.x', '']) expect(() => ipv4ToU32(bad)).toThrow('not an IPv4 address');
  });
});

describe('macOf', () => {
  it('the params dst_mac bytes are the MAC ip shows for gw g1', () => {
    const g1 = parseLinks(recording('ip/lab-links-gw.json')).find((l) => l.ifname === 'g1')!;
    expect(macOf(params.dst_mac)).toBe(g1.mac);
    expect(macOf([0, 0, 0, 0, 0, 0])).toBe('00:00:00:00:00:00');
  });
});

describe('IPv6 words and text', () => {
  it('expands :: and an IPv4 tail; refuses what is not an address', () => {
    expect(ipv6Words('fd00:111:60::2')).toEqual([0xfd00, 0x111, 0x60, 0, 0, 0, 0, 2]);
    expect(ipv6Words('::ffff:10.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0a00, 1]);
    for (const bad of ['fd00::1::2', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'fd00::g', '::1.2.3.300']) expect(ipv6Words(bad), bad).toBeUndefined();
  });
  it('prints the canonical short form, and the bytes in network order', () => {
    expect(ipv6Text([0xfd00, 0, 0, 1, 0, 0, 0, 2])).toBe('fd00:0:0:1::2');
    expect(ipv6Text([1, 2, 3, 4, 5, 6, 7, 8])).toBe('1:2:3:4:5:6:7:8');
    expect(ipv6Bytes([0xfd00, 0, 0, 0, 0, 0, 0, 1]).slice(0, 2)).toEqual([0xfd, 0]);
  });
});
