// The objects are the ones `make -C bpf` builds from this repository (real clang output, not invented bytes).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { gplCompatible, isFragsSection, lineInfo, parseBpfObject, ElfError } from '../../src/tools/bpf-elf.js';

const obj = (p: string) => readFileSync(join(__dirname, '../../bpf/build', p));

describe('parseBpfObject', () => {
  test('two programs in one section: both names, the license, BTF and line info', () => {
    expect(parseBpfObject(obj('zoo/zoo_two_progs.o'))).toEqual({
      programs: [{ name: 'count_first', section: 'xdp' }, { name: 'drop_second', section: 'xdp' }],
      license: 'GPL', btf: true, lineInfo: true,
    });
  });
  test('a frags-aware program is in section xdp.frags', () => {
    const info = parseBpfObject(obj('zoo/zoo_pass_frags.o'));
    expect(info.programs).toEqual([{ name: 'pass_frags', section: 'xdp.frags' }]);
    expect(isFragsSection(info.programs[0]!.section)).toBe(true);
  });
  test('a proprietary license is read as written and is not GPL-compatible', () => {
    const info = parseBpfObject(obj('verifier/gpl_helper.o'));
    expect(info.license).toBe('Proprietary');
    expect(gplCompatible(info.license)).toBe(false);
  });
  test('not an object', () => {
    expect(() => parseBpfObject(Buffer.from('hello, this is not an ELF file at all; it is far too short to be one ok'))).toThrow(ElfError);
  });
});

describe('lineInfo', () => {
  test('each source line with the instruction it starts at, its file, number and text', () => {
    const lines = lineInfo(obj('verifier/pkt_no_bounds.o'));
    expect(lines.map((l) => [l.section, l.insn, l.file.split('/').pop(), l.line, l.text.trim()])).toEqual([
      ['xdp', 0, 'pkt_no_bounds.c', 9, 'struct ethhdr *eth = (void *)(long)ctx->data;'],
      ['xdp', 1, 'pkt_no_bounds.c', 11, 'if (eth->h_proto == 0x0008)'],
      ['xdp', 6, 'pkt_no_bounds.c', 14, '}'],
    ]);
  });
  test('two programs in one section: records for both, in the section\'s instruction numbering', () => {
    const lines = lineInfo(obj('zoo/zoo_two_progs.o'));
    expect(new Set(lines.map((l) => l.section))).toEqual(new Set(['xdp']));
    expect(lines.map((l) => l.insn)).toEqual([...lines.map((l) => l.insn)].sort((a, b) => a - b));
  });
});
