// Each program of test/verifier/ was loaded on this machine (6.18) with `ip link set dev lo xdpgeneric obj … sec xdp`,
// as `xdp-doctor attach` runs it; what iproute2 printed is in test/recordings/verifier/ (record.sh in
// test/recordings/attach/). The parser must find the rejected instruction, its source line and the rule.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateSource, parseVerifierRejection } from '../../src/tools/verifier-log.js';
import { lineInfo } from '../../src/tools/bpf-elf.js';
import { classifyRejection } from '../../src/kb/verifier-rules.js';
import { recording } from './helpers/recordings.js';

const CASES: [string, string, number, RegExp, number][] = [
  // program, cause, source line, the verifier's words, errno
  ['pkt_no_bounds', 'verifier-packet-bounds', 11, /invalid access to packet, off=12 size=1/, 13],
  ['map_null', 'verifier-map-value-null', 18, /R0 invalid mem access 'map_value_or_null'/, 13],
  ['pkt_after_adjust', 'verifier-packet-after-adjust', 17, /R6 invalid mem access 'scalar'/, 13],
  ['stack_oob', 'verifier-out-of-bounds', 14, /invalid variable-offset write to stack/, 22],
  ['unbounded_loop', 'verifier-too-complex', 15, /BPF program is too large/, 7],
  ['helper_not_allowed', 'verifier-helper-not-allowed', 10, /program of this type cannot use helper bpf_skb_load_bytes#26/, 22],
  ['gpl_helper', 'verifier-gpl-helper', 8, /cannot call GPL-restricted function from non-GPL compatible program/, 22],
  ['core_missing_field', 'verifier-core-relocation', 15, /failed to resolve CO-RE relocation/, 22],
];

describe('verifier rejections recorded on this kernel', () => {
  test.each(CASES)('%s → %s at line %i', (name, cause, line, words, errno) => {
    const r = parseVerifierRejection(recording(`verifier/${name}.ip-stderr`))!;
    expect(r.program).toBe(name);
    expect(r.errno).toBe(errno);
    expect(r.hasLog).toBe(true);
    expect(r.source).toMatchObject({ file: `${name}.c`, line });
    expect(r.message.join('\n')).toMatch(words);
    expect(classifyRejection(r.message, r.walk.join('\n')).rule?.cause).toBe(cause);
  });

  test('the source text is the line as written, the rejected instruction without its state comment', () => {
    const r = parseVerifierRejection(recording('verifier/pkt_no_bounds.ip-stderr'))!;
    expect(r.source!.text).toBe('if (eth->h_proto == 0x0008)');
    expect(r.insn).toEqual({ index: 1, text: '(71) r2 = *(u8 *)(r1 +12)' });
    expect(r.processedInsns).toBe(2);
  });

  test('a packet access that fails without an adjust call before it is a bounds problem, not an invalidation', () => {
    const r = parseVerifierRejection(recording('verifier/pkt_no_bounds.ip-stderr'))!;
    expect(classifyRejection(r.message, '').rule?.cause).toBe('verifier-packet-bounds');
  });

  test('an attach refusal is not a verifier rejection', () => {
    expect(parseVerifierRejection(recording('attach/veth-mtu-erange.stderr'))).toBeUndefined();
  });
});

// The same programs loaded on the kernels of test/kernels/matrix (test/kernels/attach.test.ts recorded what their
// verifiers printed): the words differ between kernels, the rule and the source line must not. Before 6.4 the
// verifier prints a line's text without `@ file:N`: its file and number come from the object's own line info
// (the objects `make -C bpf` builds). unbounded_loop is only walked on the host's kernel (minutes under TCG).
const MATRIX = ['5.10', '6.1', '6.12'];
describe.each(MATRIX)('verifier rejections recorded on %s', (kernel) => {
  test.each(CASES.filter(([name]) => name !== 'unbounded_loop'))('%s → %s at line %i', (name, cause, line) => {
    const r = parseVerifierRejection(recording(`kernels/${kernel}/attach/verifier-${name}.ip-stderr`))!;
    expect(r, 'a rejection is found').toBeDefined();
    expect(r.program).toBe(name);
    const lines = lineInfo(readFileSync(join(__dirname, '../../bpf/build/verifier', `${name}.o`)));
    expect(locateSource(r, lines, 'xdp')).toMatchObject({ file: `${name}.c`, line });
    expect(classifyRejection(r.message, r.walk.join('\n')).rule?.cause).toBe(cause);
  });
});

describe('locateSource: the line\'s file and number from the object when the kernel prints only its text', () => {
  const rec = (insn: number, line: number, text: string, section = 'xdp') => ({ section, insn, file: '/src/dir/p.c', line, text });
  const rejection = (sourceText: string | undefined, index: number) => ({ message: [], hasLog: true, walk: [], insn: { index, text: '' }, ...(sourceText ? { sourceText } : {}) });
  test('the record with that text in the program\'s section; of several, the last at or before the instruction', () => {
    const lines = [rec(0, 3, '\tx = 1;'), rec(4, 9, '\ty = *p;'), rec(9, 12, '\ty = *p;'), rec(4, 40, '\ty = *p;', 'tc')];
    expect(locateSource(rejection('y = *p;', 10), lines, 'xdp')).toEqual({ file: 'p.c', line: 12, text: 'y = *p;' });
    expect(locateSource(rejection('y = *p;', 5), lines, 'xdp')).toEqual({ file: 'p.c', line: 9, text: 'y = *p;' });
    expect(locateSource(rejection('y = *p;', 2), lines, 'xdp')!.line).toBe(12);
    expect(locateSource(rejection('y = *p;', 5), lines, 'tc')!.line).toBe(40);
  });
  test('no text, a text in no record, or line 0 (compiler-made code): nothing claimed', () => {
    expect(locateSource(rejection(undefined, 3), [rec(0, 3, 'x')], 'xdp')).toBeUndefined();
    expect(locateSource(rejection('z', 3), [rec(0, 3, 'x')], 'xdp')).toBeUndefined();
    expect(locateSource(rejection('x', 3), [rec(0, 0, 'x')], 'xdp')).toBeUndefined();
  });
  test('a kernel that names the file and line is taken at its word', () => {
    const r = parseVerifierRejection(recording('verifier/pkt_no_bounds.ip-stderr'))!;
    expect(locateSource(r, [], 'xdp')).toEqual({ file: 'pkt_no_bounds.c', line: 11, text: 'if (eth->h_proto == 0x0008)' });
    expect(r.sourceText).toBe('if (eth->h_proto == 0x0008)');
  });
});
