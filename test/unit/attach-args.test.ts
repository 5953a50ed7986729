import { describe, expect, test } from 'vitest';
import { resolve } from 'node:path';
import { attachArgv, detachArgv, parseAttachArgs } from '../../src/attach/request.js';
import { UsageError } from '../../src/cli-args.js';
import { vethMtuLimit } from '../../src/attach/veth-limits.js';
import { parseEthtoolChannels } from '../../src/tools/ethtool-channels.js';
import { parseCapEff } from '../../src/attach/rung-privileges.js';
import { recording } from './helpers/recordings.js';

describe('attach arguments', () => {
  test('object made absolute, namespace by name or pid, auto mode by default', () => {
    expect(parseAttachArgs(['x.o', '--iface', 'eth0', '--netns', 'lb']).request).toEqual({ object: resolve('x.o'), iface: 'eth0', netns: { kind: 'name', name: 'lb' }, mode: 'auto' });
    expect(parseAttachArgs(['/o/x.o', '-i', 'v0', '--netns', '/proc/42/ns/net', '--mode', 'native', '--prog', 'xdp_main']).request)
      .toEqual({ object: '/o/x.o', iface: 'v0', netns: { kind: 'pid', pid: 42 }, mode: 'native', prog: 'xdp_main' });
  });
  test.each([
    [['--iface', 'eth0'], /give the BPF object/],
    [['x.o'], /--iface IFACE is required/],
    [['x.o', '--iface', 'eth0; rm'], /not a valid interface name/],
    [['x.o', '--iface', 'eth0', '--mode', 'offload'], /give native, generic or auto/],
    [['x.o', '--iface', 'eth0', '--prog', 'a b'], /function name/],
    [['x.o', '--iface', 'eth0', '--netns', '../x'], /--netns/],
  ])('%j is refused', (argv, why) => {
    expect(() => parseAttachArgs(argv)).toThrow(UsageError);
    expect(() => parseAttachArgs(argv)).toThrow(why);
  });
  test('argv: by section, or by program name; detach in the same mode word', () => {
    const req = { object: '/o/x.o', iface: 'v0', mode: 'auto' as const };
    expect(attachArgv(req, 'native', 'xdp.frags')).toEqual(['ip', 'link', 'set', 'dev', 'v0', 'xdpdrv', 'obj', '/o/x.o', 'sec', 'xdp.frags']);
    expect(attachArgv({ ...req, prog: 'p' }, 'auto')).toEqual(['ip', 'link', 'set', 'dev', 'v0', 'xdp', 'obj', '/o/x.o', 'program', 'p']);
    expect(detachArgv('v0', 'generic')).toEqual(['ip', 'link', 'set', 'dev', 'v0', 'xdpgeneric', 'off']);
  });
});

describe('veth MTU limit', () => {
  test('4 KiB pages on x86-64: 3506 without frags (bisected on a real veth here: 3506 attaches, 3507 is refused)', () => {
    expect(vethMtuLimit(4096, false).limit).toBe(3506);
  });
  test('frags add a page per fragment; 64 KiB pages without frags', () => {
    expect(vethMtuLimit(4096, true).limit).toBe(3506 + 17 * 4096);
    expect(vethMtuLimit(65536, false, 2).limit).toBe(65536 - 258 - 320 - 14);
  });
});

describe('ethtool -l and CapEff on recorded output', () => {
  test('veth with 4 TX and 1 RX queues', () => {
    expect(parseEthtoolChannels(recording('attach/veth-queues.ethtool-l.stdout'))).toEqual({ max: { rx: 1, tx: 4 }, current: { rx: 1, tx: 4 } });
    expect(parseEthtoolChannels('no channels here (invented)')).toBeUndefined();
  });
  test('root has CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_BPF', () => {
    const caps = parseCapEff(recording('attach/proc-self-status.stdout'))!;
    for (const bit of [12n, 21n, 39n]) expect((caps >> bit) & 1n).toBe(1n);
  });
});

describe('attach --help and usage errors', () => {
  test('--help teaches the subcommand within 100 columns; a missing --iface is exit 2 with the usage', async () => {
    const { main } = await import('../../src/main.js');
    const out = { text: '', write(s: string) { this.text += s; return true; } };
    const err = { text: '', write(s: string) { this.text += s; return true; } };
    expect(await main(['attach', '--help'], { stdout: out as never, stderr: err as never })).toBe(0);
    expect(out.text).toMatch(/diagnosis\[0\] names the cause/);
    expect(out.text.split('\n').every((l) => l.length <= 100)).toBe(true);
    expect(await main(['attach', 'x.o'], { stdout: out as never, stderr: err as never })).toBe(2);
    expect(err.text).toMatch(/^xdp-doctor attach: --iface IFACE is required\nusage: /);
  });
});
