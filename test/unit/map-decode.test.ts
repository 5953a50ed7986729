// checks/map-decode.ts: BTF-formatted values from the recorded params dumps, as an operator reads them.
import { describe, it, expect } from 'vitest';
import { addressFamily, decodeIp, decodeMac, decodeValue, matchesExpectation, unsetFields, type DecodedField } from '../../checks/map-decode.js';
import { parseMapDump } from '../../src/tools/bpftool.js';
import { recording } from './helpers/recordings.js';

const [set] = parseMapDump(recording('bpftool/map-dump-params-set.json'));
const [zero] = parseMapDump(recording('bpftool/map-dump-params-zero.json'));
const fields = decodeValue(set!.formatted!.value);
const field = (path: string): DecodedField => fields.find((f) => f.path === path)!;

describe('decodeIp', () => {
  it('host order: the u32 the program compares against (vip, daddr, saddr of the lab)', () => {
    const v = set!.formatted!.value as Record<string, number>;
    expect(decodeIp(v.vip!, 'host')).toEqual({ text: '192.168.10.1', order: 'host' });
    expect(decodeIp(v.daddr!, 'host')).toEqual({ text: '10.111.222.11', order: 'host' });
    expect(decodeIp(v.saddr!, 'host')).toEqual({ text: '10.111.221.11', order: 'host' });
  });

  it('network order: the same bytes read the other way', () => {
    const v = set!.formatted!.value as Record<string, number>;
    expect(decodeIp(v.vip!, 'network')).toEqual({ text: '1.10.168.192', order: 'network' });
  });

  it('auto picks the reading that is a private address', () => {
    const v = set!.formatted!.value as Record<string, number>;
    expect(decodeIp(v.vip!)).toEqual({ text: '192.168.10.1', order: 'host' });
    // The raw value bytes read big-endian (a program storing network order): auto turns them back.
    const daddrBE = Buffer.from(set!.value!).readUInt32BE(8);
    expect(decodeIp(daddrBE)).toEqual({ text: '10.111.222.11', order: 'network' });
  });

  it('zero is 0.0.0.0 in any order', () => {
    expect(decodeIp(0).text).toBe('0.0.0.0');
  });
});

describe('decodeMac', () => {
  it('formats the next hop MAC', () => {
    expect(decodeMac((set!.formatted!.value as { dst_mac: number[] }).dst_mac)).toBe('02:42:0a:6f:dd:0c');
    expect(decodeMac(set!.value!.slice(0, 6))).toBe('02:42:0a:6f:dd:0c');
  });
});

describe('decodeValue', () => {
  it('turns the set params into MAC, IPs and filler', () => {
    expect(fields.map((f) => [f.path, f.kind, f.shown, f.zero])).toEqual([
      ['dst_mac', 'mac', '02:42:0a:6f:dd:0c', false],
      ['pad', 'other', '[0,0]', true],
      ['daddr', 'ip', '10.111.222.11', false],
      ['saddr', 'ip', '10.111.221.11', false],
      ['vip', 'ip', '192.168.10.1', false],
    ]);
    expect(field('vip').raw).toBe(3232238081);
  });

  it('shows zero addresses as 0.0.0.0 (0)', () => {
    const z = decodeValue(zero!.formatted!.value);
    expect(z.filter((f) => f.kind === 'ip').map((f) => f.shown)).toEqual(['0.0.0.0 (0)', '0.0.0.0 (0)', '0.0.0.0 (0)']);
    expect(z.find((f) => f.path === 'dst_mac')).toMatchObject({ shown: '00:00:00:00:00:00', zero: true });
  });

  // xdp_params6_array (`lab up --ipv6`): struct in6_addr is a union of byte, word and dword views in BTF.
  it('an in6_addr is one IPv6 address field, not three arrays of its union', () => {
    const [v6] = parseMapDump(recording('bpftool/map-dump-params6-set.json'));
    const f = decodeValue(v6!.formatted!.value);
    expect(f.map((x) => [x.path, x.kind, x.shown, x.zero])).toEqual([
      ['dst_mac', 'mac', '06:c4:2c:9d:bd:ca', false],
      ['pad', 'other', '[0,0]', true],
      ['daddr', 'ip', 'fd00:111:222::11', false],
      ['saddr', 'ip', 'fd00:111:221::11', false],
      ['vip', 'ip', 'fd00:192:168:10::1', false],
    ]);
    const zeroVip = decodeValue({ vip: { in6_u: { u6_addr8: new Array(16).fill(0), u6_addr16: new Array(8).fill(0) } } });
    expect(zeroVip).toEqual([{ path: 'vip', raw: new Array(16).fill(0), shown: '::', kind: 'ip', zero: true }]);
    expect(unsetFields(zeroVip).map((x) => x.path)).toEqual(['vip']);
    expect(addressFamily(f)).toBe(6);
    expect(addressFamily(fields)).toBe(4);
    expect(addressFamily([...f, ...fields])).toBeUndefined(); // dual stack: both families
    expect(addressFamily(decodeValue({ count: 3 }))).toBeUndefined();
  });

  it('a scalar value (the formatted key) is one field named value', () => {
    expect(decodeValue(set!.formatted!.key)).toEqual([{ path: 'value', raw: 0, shown: '0', kind: 'number', zero: true }]);
  });

  it('nested structs get dotted paths (the .rodata section)', () => {
    const [ro] = parseMapDump(recording('bpftool/map-dump-rodata.json'));
    const f = decodeValue(ro!.formatted!.value);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ path: '.rodata', kind: 'other', zero: false });
  });
});

describe('unsetFields', () => {
  it('the zero dump: every address and the MAC the program needs, not the padding', () => {
    expect(unsetFields(decodeValue(zero!.formatted!.value)).map((f) => f.path)).toEqual(['dst_mac', 'daddr', 'saddr', 'vip']);
  });

  it('the set dump: none', () => {
    expect(unsetFields(fields)).toEqual([]);
  });
});

describe('matchesExpectation', () => {
  it('an IP by dotted quad and by the raw number', () => {
    expect(matchesExpectation(field('vip'), '192.168.10.1')).toBe(true);
    expect(matchesExpectation(field('vip'), ' 192.168.10.1 ')).toBe(true);
    expect(matchesExpectation(field('vip'), '3232238081')).toBe(true);
    expect(matchesExpectation(field('vip'), '1.10.168.192')).toBe(true); // the same bytes in network order
    expect(matchesExpectation(field('vip'), '192.168.10.2')).toBe(false);
    expect(matchesExpectation(field('daddr'), '192.168.10.1')).toBe(false);
  });

  it('an IP field given in hex, as the program\'s bpf_printk prints it (%x: "encapsulated to a6fde0b")', () => {
    expect(matchesExpectation(field('vip'), '0xc0a80a01')).toBe(true);
    expect(matchesExpectation(field('daddr'), '0xa6fde0b')).toBe(true);
    expect(matchesExpectation(field('daddr'), '0xa6fde0c')).toBe(false);
  });

  it('a MAC in either case, with : or -', () => {
    expect(matchesExpectation(field('dst_mac'), '02:42:0A:6F:DD:0C')).toBe(true);
    expect(matchesExpectation(field('dst_mac'), '02-42-0a-6f-dd-0c')).toBe(true);
    expect(matchesExpectation(field('dst_mac'), '02:42:0a:6f:dd:0d')).toBe(false);
  });

  it('a zero field does not match the intended value', () => {
    const z = decodeValue(zero!.formatted!.value);
    expect(matchesExpectation(z.find((f) => f.path === 'vip')!, '192.168.10.1')).toBe(false);
  });
});
