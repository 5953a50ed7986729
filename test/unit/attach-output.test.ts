// What iproute2 printed on this machine for each refusal (test/recordings/attach/, record.sh there).
import { describe, expect, test } from 'vitest';
import { parseAttachFailure } from '../../src/tools/attach-output.js';
import { findRefusal } from '../../src/kb/attach-refusals.js';
import { recording } from './helpers/recordings.js';

describe('parseAttachFailure on recorded iproute2 output', () => {
  test.each([
    ['veth-mtu-erange', 'attach-veth-peer-mtu', 'ERANGE'],
    ['veth-queues-enospc', 'attach-veth-queues', 'ENOSPC'],
    ['macvlan-native', 'attach-native-unsupported', 'EOPNOTSUPP'],
    ['veth-generic-over-native', 'attach-mode-conflict', 'EEXIST'],
    ['veth-native-over-generic', 'attach-mode-conflict', 'EEXIST'],
    ['veth-native-over-native', 'attach-already-attached', 'EBUSY'],
    ['link-held-native', 'attach-link-held', 'EBUSY'],
    ['link-held-force', 'attach-link-held', 'EBUSY'],
  ])('%s → %s (%s)', (file, cause, errno) => {
    const f = parseAttachFailure(recording(`attach/${file}.stderr`));
    expect(f.kind).toBe('refused');
    const row = findRefusal((f as { message: string }).message);
    expect(row?.cause).toBe(cause);
    expect(row?.errnoName).toBe(errno);
    expect(row?.verified).toBe(true);
  });

  test('a section or program the object does not have', () => {
    expect(parseAttachFailure(recording('attach/wrong-section.stderr'))).toEqual({ kind: 'not-in-object', what: 'sec', name: 'nope' });
    expect(parseAttachFailure(recording('attach/wrong-program.stderr'))).toEqual({ kind: 'not-in-object', what: 'prog', name: 'nope' });
  });

  test('a verifier rejection is a load failure', () => {
    const f = parseAttachFailure(recording('verifier/map_null.ip-stderr'));
    expect(f.kind).toBe('load');
  });

  test("bpftool's way of printing the same extack (libbpf: Kernel error message:) reads the same", () => {
    // `bpftool net attach xdpdrv pinned PIN dev xv0` on this machine, peer MTU 9000.
    const f = parseAttachFailure(recording('attach/bpftool-net-attach-erange.stderr'));
    expect(f).toEqual({ kind: 'refused', message: 'veth: Peer MTU is too large to set XDP' });
  });

  test('anything else is kept as its last lines (an invented line: no loader printed it)', () => {
    expect(parseAttachFailure('ip: something new\n')).toEqual({ kind: 'other', text: 'ip: something new' });
  });
});
