// src/engine/fix-state.ts (what a fix changes, compared then and now) and fix-state-readers.ts (reading it back
// through an Exec: recorded real output of ip -j link, sysctl -n, ethtool -k).
import { describe, it, expect } from 'vitest';
import { compareFacts, netnsOfArgv, netnsVerdict, parseEthtoolFeature, parseProcStartTime, parseSysctlValue, watchesOf, type Fact } from '../../src/engine/fix-state.js';
import { observe, realStateReaders } from '../../src/engine/fix-state-readers.js';
import { txChecksumFixes, vethPeerFixes } from '../../src/kb/fixes.js';
import { fakeExec } from '../../src/plugins/testing/fake-exec.js';
import { recording } from './helpers/recordings.js';

const gw = { kind: 'name', name: 'xdpd-gw' } as const;
const lb = { kind: 'name', name: 'xdpd-lb' } as const;

describe('watchesOf: what the fixes xdp-doctor builds change', () => {
  it('the veth-peer fixes: the peer\'s XDP attachment; generic mode: the target\'s', () => {
    const [peer, generic] = vethPeerFixes({ iface: 'l0', netns: lb, progId: 1637, peer: { ifname: 'g1', netns: gw } });
    expect(watchesOf([...peer!.commands, ...peer!.undo!])).toEqual([{ kind: 'xdp', iface: 'g1' }]);
    expect(watchesOf([...generic!.commands, ...generic!.undo!])).toEqual([{ kind: 'xdp', iface: 'l0' }]);
  });

  it('TX checksum: the ethtool feature under the name ethtool -k prints', () => {
    const [fix] = txChecksumFixes({ iface: 'c0', netns: { kind: 'name', name: 'xdpd-client' } });
    expect(watchesOf(fix!.commands)).toEqual([{ kind: 'ethtool', iface: 'c0', feature: 'tx-checksumming' }]);
    expect(watchesOf([['ethtool', '-K', 'c0', 'gro', 'off', 'rx-vlan-filter', 'on']])).toEqual([
      { kind: 'ethtool', iface: 'c0', feature: 'generic-receive-offload' }, { kind: 'ethtool', iface: 'c0', feature: 'rx-vlan-filter' },
    ]);
  });

  it('sysctl -w (the rp_filter plugin\'s fix): every key set, flags skipped, no duplicates', () => {
    expect(watchesOf([
      ['sysctl', '-w', 'net.ipv4.conf.all.rp_filter=2'], ['sysctl', '-q', '-w', 'net.ipv4.conf.g2.rp_filter=2', 'net.ipv4.conf.all.rp_filter=2'],
    ])).toEqual([{ kind: 'sysctl', key: 'net.ipv4.conf.all.rp_filter' }, { kind: 'sysctl', key: 'net.ipv4.conf.g2.rp_filter' }]);
  });

  it('commands it cannot read back add nothing', () => {
    expect(watchesOf([['bpftool', 'prog', 'pin', 'id', '5', '/sys/fs/bpf/x'], ['rm', '-f', '/sys/fs/bpf/x'], ['ip', 'link', 'set', 'dev', 'g1', 'up']])).toEqual([]);
  });
});

describe('compareFacts', () => {
  const left: Fact[] = [
    { kind: 'xdp', iface: 'g1', exists: true, progId: 676, mode: 'native' },
    { kind: 'sysctl', key: 'net.ipv4.conf.g2.rp_filter', value: '2' },
    { kind: 'ethtool', iface: 'c0', feature: 'tx-checksumming', value: 'off' },
  ];
  it('the same values: no change', () => {
    expect(compareFacts(left, structuredClone(left))).toEqual([]);
  });
  it('another program, a detached one, a gone interface, a moved sysctl or feature: one line each', () => {
    expect(compareFacts(left, [
      { kind: 'xdp', iface: 'g1', exists: true, progId: 900, mode: 'native' },
      { kind: 'sysctl', key: 'net.ipv4.conf.g2.rp_filter', value: '1' },
      { kind: 'ethtool', iface: 'c0', feature: 'tx-checksumming', value: 'on' },
    ])).toEqual([
      'g1: program 900 (native) attached now; the fix left program 676 (native)',
      'net.ipv4.conf.g2.rp_filter is 1 now; the fix left 2',
      'c0 tx-checksumming is on now; the fix left off',
    ]);
    expect(compareFacts([left[0]!], [{ kind: 'xdp', iface: 'g1', exists: true }])).toEqual(['g1: no program attached now; the fix left program 676 (native)']);
    expect(compareFacts([left[0]!], [{ kind: 'xdp', iface: 'g1', exists: false }])).toEqual(['g1 no longer exists']);
    expect(compareFacts([left[0]!], [{ kind: 'xdp', iface: 'g1', exists: true, progId: 676, mode: 'generic' }]))
      .toEqual(['g1: program 676 (generic) attached now; the fix left program 676 (native)']);
  });
  it('unreadable then or now is a difference, never a pass', () => {
    expect(compareFacts([left[1]!], [{ kind: 'sysctl', key: 'net.ipv4.conf.g2.rp_filter', error: 'permission denied' }]))
      .toEqual(['net.ipv4.conf.g2.rp_filter: cannot be read now (permission denied)']);
    expect(compareFacts([{ kind: 'sysctl', key: 'k', error: 'x' }], [{ kind: 'sysctl', key: 'k', value: '1' }])[0]).toMatch(/^k: was not readable when the fix was applied/);
  });
});

describe('netnsVerdict', () => {
  const then = { inode: 4026532900, born: 'ctime 1764549930020057476' };
  it('same inode and birth: ok; gone or another inode under the name: stale; unknown then: not ok, not stale', () => {
    expect(netnsVerdict(gw, then, { ...then })).toEqual({ ok: true });
    expect(netnsVerdict(gw, then, undefined)).toEqual({ ok: false, stale: true, why: 'namespace xdpd-gw is gone' });
    expect(netnsVerdict(gw, then, { inode: 4026533100, born: then.born })).toEqual({ ok: false, stale: true, why: 'namespace xdpd-gw was removed and made again (inode 4026533100; the fix ran in 4026532900)' });
    expect(netnsVerdict({ kind: 'pid', pid: 42 }, undefined, { inode: 1 })).toMatchObject({ ok: false, stale: false });
  });

  it('the kernel reuses a freed namespace\'s inode number: the same number born later is another namespace', () => {
    expect(netnsVerdict(gw, then, { inode: 4026532900, born: 'ctime 1764550000000000000' })).toEqual({
      ok: false, stale: true, why: 'namespace xdpd-gw was removed and made again (inode number 4026532900 reused, made later than the one the fix ran in)',
    });
    // Entries whose birth was not read compare by inode alone.
    expect(netnsVerdict(gw, { inode: 4026532900 }, then)).toEqual({ ok: true });
  });

  it('parseProcStartTime: field 22 of /proc/PID/stat, whatever the command name holds', () => {
    const stat = recording('proc/self-stat.txt');
    expect(parseProcStartTime(stat)).toBe('85926');
    expect(parseProcStartTime(stat.replace('(cat)', '(a) b (c)'))).toBe('85926');
    expect(parseProcStartTime('garbage')).toBeUndefined();
  });
  it('netnsOfArgv reads the namespace an old entry\'s undo enters', () => {
    expect(netnsOfArgv(['nsenter', '--net=/run/netns/xdpd-gw', '--', 'ip', 'link'])).toEqual({ kind: 'path', path: '/run/netns/xdpd-gw' });
    expect(netnsOfArgv(['ip', 'link'])).toBeUndefined();
  });
});

describe('parsers on recorded output', () => {
  it('sysctl -n', () => {
    expect(parseSysctlValue(recording('sysctl/n-all-rp-filter.txt'))).toBe('0');
    expect(parseSysctlValue('')).toBeUndefined();
  });
  it('ethtool -k: top-level and indented features', () => {
    const text = recording('ethtool/features-lo.txt');
    expect(parseEthtoolFeature(text, 'tx-checksumming')).toBe('on');
    expect(parseEthtoolFeature(text, 'tx-checksum-ipv4')).toBe('off');
    expect(parseEthtoolFeature(text, 'large-receive-offload')).toBe('off');
    expect(parseEthtoolFeature(text, 'no-such-feature')).toBeUndefined();
  });
});

describe('realStateReaders through a fake Exec', () => {
  const exec = fakeExec([
    { argv: ['ip', '-j', 'link', 'show', 'dev', 'g1'], netns: 'xdpd-gw', stdout: recording('ip/lab-gw-links-peer-xdp-pass.json') },
    { argv: ['ip', '-j', 'link', 'show', 'dev', 'lo'], netns: null, stdout: recording('ip/link-show-dev-lo.json') },
    { argv: ['ip', '-j', 'link', 'show', 'dev', 'ut-nope0'], stderr: recording('ip/link-show-missing-dev-stderr.txt'), exitCode: 1 },
    { argv: ['ip', '-j', 'link', 'show', 'dev', 'g9'], netns: 'ut-nope', stderr: recording('ip/nsenter-missing-netns-stderr.txt'), exitCode: 1 },
    { argv: ['sysctl', '-n', 'net.ipv4.conf.all.rp_filter'], stdout: recording('sysctl/n-all-rp-filter.txt') },
    { argv: ['sysctl', '-n', 'net.ipv4.conf.nope0.rp_filter'], stderr: recording('sysctl/n-missing-key-stderr.txt'), exitCode: 1 },
    { argv: ['ethtool', '-k', 'lo'], stdout: recording('ethtool/features-lo.txt') },
    { argv: ['ethtool', '-k', 'nope0'], stderr: recording('ethtool/features-missing-dev-stderr.txt'), exitCode: 1 },
  ]);
  const files = {
    async stat(p: string) { if (p === '/run/netns/xdpd-gw' || p === '/proc/4466/ns/net') return { ino: 4026532900, ctimeNs: 1764549930020057476n }; throw new Error('ENOENT'); },
    async readFile(p: string) { if (p === '/proc/4466/stat') return recording('proc/self-stat.txt'); throw new Error('ENOENT'); },
  };
  const readers = realStateReaders(exec, files);

  it('XDP: the program and mode in the namespace; no program; no device; a namespace that cannot be entered', async () => {
    expect(await observe(readers, [{ kind: 'xdp', iface: 'g1' }], gw)).toEqual([{ kind: 'xdp', iface: 'g1', exists: true, progId: 676, mode: 'native' }]);
    expect(await readers.read({ kind: 'xdp', iface: 'lo' })).toEqual({ kind: 'xdp', iface: 'lo', exists: true });
    expect(await readers.read({ kind: 'xdp', iface: 'ut-nope0' })).toEqual({ kind: 'xdp', iface: 'ut-nope0', exists: false });
    expect(await readers.read({ kind: 'xdp', iface: 'g9' }, { kind: 'name', name: 'ut-nope' }))
      .toEqual({ kind: 'xdp', iface: 'g9', exists: false, error: 'nsenter: cannot open /run/netns/ut-nope: No such file or directory' });
  });

  it('sysctl and ethtool values, and why one cannot be read', async () => {
    expect(await readers.read({ kind: 'sysctl', key: 'net.ipv4.conf.all.rp_filter' })).toEqual({ kind: 'sysctl', key: 'net.ipv4.conf.all.rp_filter', value: '0' });
    expect(await readers.read({ kind: 'sysctl', key: 'net.ipv4.conf.nope0.rp_filter' }))
      .toEqual({ kind: 'sysctl', key: 'net.ipv4.conf.nope0.rp_filter', error: 'sysctl: cannot stat /proc/sys/net/ipv4/conf/nope0/rp_filter: No such file or directory' });
    expect(await readers.read({ kind: 'ethtool', iface: 'lo', feature: 'tx-checksumming' })).toEqual({ kind: 'ethtool', iface: 'lo', feature: 'tx-checksumming', value: 'on' });
    expect((await readers.read({ kind: 'ethtool', iface: 'nope0', feature: 'tx-checksumming' })).error).toBe('netlink error: No such device');
  });

  it('namespace identity: the namespace file\'s inode, born at its ctime (/run/netns) or its process\'s start (/proc)', async () => {
    expect(await readers.netnsIdentity(gw)).toEqual({ inode: 4026532900, born: 'ctime 1764549930020057476' });
    expect(await readers.netnsIdentity({ kind: 'pid', pid: 4466 })).toEqual({ inode: 4026532900, born: 'pid 4466 started 85926' });
    expect(await readers.netnsIdentity({ kind: 'path', path: '/proc/4466/ns/net' })).toEqual({ inode: 4026532900, born: 'pid 4466 started 85926' });
    expect(await readers.netnsIdentity({ kind: 'name', name: 'gone' })).toBeUndefined();
  });

  it('on this machine: our own namespace is identified the same way twice; a missing one is undefined', async () => {
    const real = realStateReaders(exec);
    const me = { kind: 'pid', pid: process.pid } as const;
    const first = await real.netnsIdentity(me);
    expect(first).toEqual({ inode: expect.any(Number), born: expect.stringMatching(/^pid \d+ started \d+$/) });
    await new Promise((r) => setTimeout(r, 20));
    expect(await real.netnsIdentity(me)).toEqual(first); // unlike the ctime of /proc/PID/ns/net, which moves
    expect(await real.netnsIdentity({ kind: 'name', name: `xdpd-ut-none-${process.pid}` })).toBeUndefined();
  });
});
