// The sk_buff layout read from the kernel's BTF (bpftool btf dump ... format raw). The excerpt is this machine's
// 6.18 dump cut to the types the lookup walks (test/recordings/bpftool/README.md says how); the hand-written dumps
// below are labelled as invented and reach the refusals no real kernel gave.
import { describe, expect, it } from 'vitest';
import { isSkbOffsets, parseBtfRaw, parseCachedSkbOffsets, skbOffsetsFromBtfRaw } from '../../src/tools/btf-offsets.js';
import { recording } from './helpers/recordings.js';

const EXCERPT = recording('bpftool/btf-vmlinux-skb-excerpt-6.18.txt');

describe('sk_buff offsets from BTF', () => {
  it('6.18 (recorded): head, network_header and dev through sk_buff\'s anonymous unions; ifindex, nd_net.net, ns.inum', () => {
    expect(skbOffsetsFromBtfRaw(EXCERPT)).toEqual({ head: 192, networkHeader: 180, dev: 16, ifindex: 224, devNet: 264, netInum: 176 });
  });

  it('reads members only of the types it walks, and knows the kinds it resolves through', () => {
    const types = parseBtfRaw(EXCERPT);
    const skb = [...types.values()].find((t) => t.kind === 'STRUCT' && t.name === 'sk_buff')!;
    expect(skb.size).toBe(224);
    expect(skb.members.map((m) => m.name)).toContain('head');
  });

  // Invented dumps (the shape of bpftool's raw lines), each missing or changing one thing.
  const invented = (networkHeader: string) => [
    "[1] INT 'unsigned short' size=2 bits_offset=0 nr_bits=16 encoding=(none)",
    "[2] TYPEDEF '__u16' type_id=1",
    "[3] PTR '(anon)' type_id=0",
    "[4] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED",
    "[5] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)",
    "[6] STRUCT 'sk_buff' size=64 vlen=3",
    "\t'dev' type_id=3 bits_offset=128",
    networkHeader,
    "\t'head' type_id=3 bits_offset=256",
    "[7] STRUCT 'net_device' size=64 vlen=2",
    "\t'ifindex' type_id=4 bits_offset=64",
    "\t'nd_net' type_id=8 bits_offset=128",
    "[8] STRUCT '(anon)' size=8 vlen=1",
    "\t'net' type_id=3 bits_offset=0",
    "[9] STRUCT 'ns_common' size=16 vlen=1",
    "\t'inum' type_id=5 bits_offset=64",
    "[10] STRUCT 'net' size=32 vlen=1",
    "\t'ns' type_id=9 bits_offset=128",
    '',
  ].join('\n');

  it('invented: a flat layout is read as given, through a typedef', () => {
    expect(skbOffsetsFromBtfRaw(invented("\t'network_header' type_id=2 bits_offset=192"))).toEqual({ head: 32, networkHeader: 24, dev: 16, ifindex: 8, devNet: 16, netInum: 24 });
  });

  it('invented: a field of another size, a bitfield or a missing field gives no offsets (the program keeps its casts)', () => {
    expect(skbOffsetsFromBtfRaw(invented("\t'network_header' type_id=5 bits_offset=192"))).toBeUndefined();
    expect(skbOffsetsFromBtfRaw(invented("\t'network_header' type_id=2 bits_offset=193"))).toBeUndefined();
    expect(skbOffsetsFromBtfRaw(invented("\t'mac_header' type_id=2 bits_offset=192"))).toBeUndefined();
    expect(skbOffsetsFromBtfRaw('')).toBeUndefined();
  });

  it('the per-boot cache: only this boot\'s, only whole offsets', () => {
    const offsets = { head: 192, networkHeader: 180, dev: 16, ifindex: 224, devNet: 264, netInum: 176 };
    expect(parseCachedSkbOffsets(JSON.stringify({ bootId: 'a', offsets }), 'a')).toEqual(offsets);
    expect(parseCachedSkbOffsets(JSON.stringify({ bootId: 'b', offsets }), 'a')).toBeUndefined();
    expect(parseCachedSkbOffsets(JSON.stringify({ bootId: 'a', offsets: { ...offsets, dev: 'x' } }), 'a')).toBeUndefined();
    expect(parseCachedSkbOffsets('{', 'a')).toBeUndefined();
    expect(parseCachedSkbOffsets(undefined, 'a')).toBeUndefined();
    expect(isSkbOffsets(null)).toBe(false);
    expect(isSkbOffsets({ ...offsets, netInum: 1.5 })).toBe(false);
  });
});
