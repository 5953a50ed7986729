// The drop-reasons rung's decisions, each pinned to its exact words: when it looks and when it cannot (no reason
// field, no flow, bpftrace failing to attach or to print), whose a drop is (the program's, routine, on the route),
// where it happened (the route's namespaces by inode, the XDP interface itself), which drops become causes (a
// failed probe only; NOT_SPECIFIED only when the kernel said nothing more specific) and the rp_filter fix.
// The bpftrace stdout is recorded from zoo runs on this machine (test/recordings/drop-reasons/); lines marked
// "derived" rewrite a recorded line's key (reason, ifindex, inode) to reach a branch no zoo run produced.
import { describe, expect, it } from 'vitest';
import dropReasons from '../../checks/drop-reasons.js';
import { DROPS, INVENTORY, PROBE_OUTCOME, type DropFacts } from '../../src/plugins/facts.js';
import { runCheck, type Recording } from '../../src/plugins/testing.js';
import { dropReasonInfo } from '../../src/kb/drop-reasons.js';
import { recording, vmlinuxBtf } from './helpers/recordings.js';
import { BOOT_ID_PATH } from '../../src/tools/boot-cache.js';
import { skbOffsetsCachePath } from '../../src/tools/btf-offsets.js';

const FORMAT = '/sys/kernel/tracing/events/skb/kfree_skb/format';
const SERVER = { kind: 'name', name: 'srv' } as const;
const CLIENT = { kind: 'name', name: 'cli' } as const;
const SRV_INODE = 4026532247;
const CLI_INODE = 4026532178;
const V4 = { ip: '10.111.60.2', proto: 'icmp' as const };
const inventory = { iface: 'zs0', ifindex: 2, netns: SERVER, maps: [], peer: { ifname: 'zc0', ifindex: 2, netns: CLIENT, netnsName: 'cli', up: true } };
const links = (ifname: string) => JSON.stringify([{ ifindex: 1, ifname: 'lo', flags: ['UP'] }, { ifindex: 2, ifname, flags: ['UP', 'LOWER_UP'] }]);

/** bpftrace -f json as a zoo run printed it, with the drops map replaced (derived) when `drops` is given. */
function bpftraceLines(drops?: Record<string, number>): string[] {
  const lines = recording('drop-reasons/zoo-vlan-push-otherhost.stdout.txt').split('\n').filter(Boolean);
  if (!drops) return lines;
  return lines.map((l) => (l.includes('@xdp_doctor_drops') ? JSON.stringify({ type: 'map', data: { '@xdp_doctor_drops': drops } }) : l));
}

interface Setup { btf?: Partial<Recording>; files?: Record<string, string>; lines?: string[]; flow?: { ip: string; proto: 'icmp' | 'tcp'; port?: number }; probe?: { ran: boolean; ok: boolean }; extra?: Recording[]; hops?: unknown[]; bpftrace?: Partial<Recording> }

function run(s: Setup = {}) {
  const exec: Recording[] = [
    ...(s.extra ?? []),
    { ...vmlinuxBtf, ...s.btf },
    { argv: (a) => a[0] === 'bpftrace', lines: s.lines ?? bpftraceLines(), ...s.bpftrace },
    { argv: ['readlink', '/proc/self/ns/net'], netns: 'srv', stdout: `net:[${SRV_INODE}]\n` },
    { argv: ['readlink', '/proc/self/ns/net'], netns: 'cli', stdout: `net:[${CLI_INODE}]\n` },
    { argv: (a) => a[0] === 'ip' && a.includes('link'), netns: 'srv', stdout: links('zs0') },
    { argv: (a) => a[0] === 'ip' && a.includes('link'), netns: 'cli', stdout: links('zc0') },
  ];
  return runCheck(dropReasons, {
    target: { iface: 'zs0', netns: SERVER, flow: s.flow ?? V4, probe: { argv: ['ping', (s.flow ?? V4).ip], netns: CLIENT }, hops: (s.hops ?? []) as never },
    exec, probe: s.probe ?? { ran: true, ok: false },
    files: { [FORMAT]: recording('drop-reasons/kfree_skb-format-6.18.txt'), ...s.files },
    facts: { [INVENTORY]: inventory },
  });
}

describe('drop-reasons: the skb read at this kernel\'s offsets', () => {
  const bpftraceArgv = (commands: string[][]) => commands.find((c) => c[0] === 'bpftrace')!.join(' ');

  it('offsets from the kernel\'s BTF (recorded excerpt): no struct casts, the layout named in the evidence, cached for the boot', async () => {
    const { result, commands, writes } = await run({ files: { [BOOT_ID_PATH]: 'b0a7-1d\n' } });
    const program = bpftraceArgv(commands);
    expect(program).not.toContain('struct sk_buff');
    expect(program).toContain('$l3 = *(uint64 *)($skb + 192) + *(uint16 *)($skb + 180);');
    expect(program).toContain('$ino = *(uint32 *)(*(uint64 *)(*(uint64 *)($skb + 16) + 264) + 176);');
    expect(result.evidence.find((e) => e.label === 'skb layout')?.data).toBe("fields read at this kernel's offsets, from bpftool btf dump file /sys/kernel/btf/vmlinux format raw");
    expect(writes.filter(([p]) => p === skbOffsetsCachePath()).map(([, d]) => JSON.parse(d))).toEqual([{ bootId: 'b0a7-1d', offsets: { head: 192, networkHeader: 180, dev: 16, ifindex: 224, devNet: 264, netInum: 176 } }]);
  });

  it('this boot\'s cached offsets: bpftool is not asked', async () => {
    const cached = JSON.stringify({ bootId: 'b0a7-1d', offsets: { head: 200, networkHeader: 188, dev: 16, ifindex: 232, devNet: 272, netInum: 184 } });
    const { result, commands } = await run({ files: { [BOOT_ID_PATH]: 'b0a7-1d\n', [skbOffsetsCachePath()]: cached } });
    expect(commands.some((c) => c[0] === 'bpftool')).toBe(false);
    expect(bpftraceArgv(commands)).toContain('*(uint64 *)($skb + 200) + *(uint16 *)($skb + 188)');
    expect(result.evidence.find((e) => e.label === 'skb layout')?.data).toBe(`fields read at this kernel's offsets, from this boot's cache (${skbOffsetsCachePath()})`);
  });

  it('another boot\'s cache is not used', async () => {
    const cached = JSON.stringify({ bootId: 'other', offsets: { head: 200, networkHeader: 188, dev: 16, ifindex: 232, devNet: 272, netInum: 184 } });
    const { commands } = await run({ files: { [BOOT_ID_PATH]: 'b0a7-1d\n', [skbOffsetsCachePath()]: cached } });
    expect(commands.some((c) => c[0] === 'bpftool')).toBe(true);
    expect(bpftraceArgv(commands)).toContain('($skb + 192)');
  });

  it('no BTF to read: struct casts, as before, and the evidence says why', async () => {
    const { result, commands } = await run({ btf: { stdout: '', stderr: 'Error: failed to load BTF from /sys/kernel/btf/vmlinux: No such file or directory\n', exitCode: 255 } });
    expect(bpftraceArgv(commands)).toContain('$skb = (struct sk_buff *)args->skbaddr;');
    expect(result.evidence.find((e) => e.label === 'skb layout')?.data).toBe('struct casts (the kernel\'s BTF could not be read: bpftool: Error: failed to load BTF from /sys/kernel/btf/vmlinux: No such file or directory)');
    expect(result.status).toBe('fail');
  });
});

describe('drop-reasons: when it cannot look', () => {
  it('no flow to follow: skip, saying what to give', async () => {
    const { result } = await runCheck(dropReasons, { files: { [FORMAT]: recording('drop-reasons/kfree_skb-format-6.18.txt') } });
    expect(result).toEqual({ status: 'skip', summary: 'no flow to follow: give --probe with an IPv4 or IPv6 address, or --flow PROTO:ADDR[:PORT]', evidence: [], findings: [] });
  });

  it('bpftrace refused: the first real error, not its harmless RLIMIT_MEMLOCK line that also says ERROR', async () => {
    const stderr = recording('bpftrace/no-redirect-map-err.stderr.txt').split('\n').filter(Boolean);
    const { result } = await run({ bpftrace: { lines: [], stderrLines: stderr, exitCode: 1 } });
    expect(result.status).toBe('error');
    expect(result.summary).toBe('bpftrace could not attach to skb:kfree_skb: stdin:1:1-36: ERROR: tracepoint not found: xdp:xdp_redirect_map_err');
    expect(result.evidence[0]!.label).toBe('program');
    expect(result.evidence[0]!.data).toContain('tracepoint:skb:kfree_skb');
  });

  it('bpftrace refused with nothing on stderr: the collector\'s own words', async () => {
    const { result } = await run({ bpftrace: { lines: [], exitCode: 1 } });
    expect(result.summary).toMatch(/^bpftrace could not attach to skb:kfree_skb: bpftrace -f json -e .*exited \(code 1\) before it was attached$/s);
  });

  it('bpftrace ended without its maps: error with its exit code and stderr', async () => {
    const attachedOnly = bpftraceLines().filter((l) => !l.includes('"map"'));
    const { result } = await run({ lines: attachedOnly, bpftrace: { exitCode: 1 } });
    expect(result).toMatchObject({ status: 'error', summary: 'bpftrace ended without printing its maps (exit 1)', findings: [] });
    expect(result.evidence).toEqual([expect.objectContaining({ label: 'stderr', data: '(empty)' })]);
  });

  it('dry run: bpftrace listed, not run', async () => {
    const { result } = await runCheck(dropReasons, {
      dryRun: true, target: { iface: 'zs0', flow: V4 }, files: { [FORMAT]: '' },
      exec: [{ argv: (a) => a[0] === 'bpftrace', lines: bpftraceLines() }, { argv: (a) => a[0] === 'readlink' || a[0] === 'ip', stdout: '' }],
    });
    expect(result).toMatchObject({ status: 'skip', summary: 'dry run: bpftrace listed, not run' });
    expect(result.evidence[0]!.label).toBe('program');
  });
});

describe('drop-reasons: before 5.17, the hops\' drop counters instead', () => {
  const stats = recording('ip/link-stats.json');
  // Derived: the same link with 1 received drop, and 3 more later.
  const before = stats.replace('"dropped":0', '"dropped":1');
  const later = stats.replace('"dropped":0', '"dropped":4');
  const sampled = (netns: string, iface: string, ...answers: string[]): Recording[] =>
    answers.map((stdout) => ({ argv: ['ip', '-j', '-s', 'link', 'show', 'dev', iface], netns, stdout, times: 1 }));

  it('a format without the reason field: skip, the deltas of each hop over the window', async () => {
    const { result, usedWindow } = await runCheck(dropReasons, {
      target: { iface: 'v0', hops: [{ label: 'server v0', iface: 'v0', netns: SERVER }, { label: 'client c0', iface: 'c0', netns: CLIENT }] },
      files: { [FORMAT]: 'name: kfree_skb\nformat:\n\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n' },
      exec: [...sampled('srv', 'v0', before, later), { argv: ['ip', '-j', '-s', 'link', 'show', 'dev', 'c0'], netns: 'cli', exitCode: 1, stderr: 'Device "c0" does not exist.' }],
    });
    expect(usedWindow).toBe(true);
    expect(result).toMatchObject({
      status: 'skip', findings: [],
      summary: 'drop reasons not available on this kernel (this kernel\'s skb:kfree_skb has no reason field (skb drop reasons arrived in 5.17)); ip -s link drop counters instead',
      degraded: 'this kernel\'s skb:kfree_skb has no reason field (skb drop reasons arrived in 5.17). The kernel does not say why it dropped packets; only the interfaces\' drop counters are read.',
    });
    expect(result.evidence).toEqual([{ label: 'ip -s link drop counters over the window', data: 'server v0: rx dropped +3, tx dropped +0\nclient c0: no counters' }]);
  });

  it('no tracepoint at all, no hops: the target interface itself is sampled', async () => {
    const { result } = await runCheck(dropReasons, { target: { iface: 'v0' }, exec: sampled('', 'v0', stats, stats).map((r) => ({ ...r, netns: undefined })) });
    expect(result.summary).toBe('drop reasons not available on this kernel (tracepoint skb:kfree_skb is not available); ip -s link drop counters instead');
    expect(result.evidence[0]!.data).toBe('v0: rx dropped +0, tx dropped +0');
  });
});

describe('drop-reasons: what it saw, and whose it was', () => {
  it('attaches, says so, and publishes the probe outcome for later rungs', async () => {
    const { progress, facts } = await run();
    expect(progress).toContain('attaching bpftrace to skb:kfree_skb for the probe\'s flow');
    expect(facts[PROBE_OUTCOME]).toEqual({ ran: true, ok: false });
    expect((facts[DROPS] as DropFacts).trouble).toBe(true);
  });

  it('the IPv4 flow evidence names the IPIP and ARP it also follows', async () => {
    const { result } = await run();
    expect(result.evidence[0]).toMatchObject({ label: 'flow', data: 'IPv4 to or from 10.111.60.2 (and IPIP with that inner destination, and ARP about it)' });
    expect(result.evidence[1]!.label).toBe('drops');
  });

  it('nothing dropped, probe ran: pass, naming the flow and the probe', async () => {
    const { result, facts } = await run({ lines: bpftraceLines({}) });
    expect(result).toEqual(expect.objectContaining({ status: 'pass', findings: [], summary: 'the kernel dropped no packet of the probe\'s flow (to or from 10.111.60.2) on the route\'s devices during the probe' }));
    expect((facts[DROPS] as DropFacts).drops).toEqual([]);
  });

  it('nothing dropped and no probe ran: "during the window"; a named --flow is still trouble', async () => {
    const { result, facts } = await run({ lines: bpftraceLines({}), probe: { ran: false, ok: false } });
    expect(result.summary).toBe('the kernel dropped no packet of the probe\'s flow (to or from 10.111.60.2) on the route\'s devices during the window');
    expect((facts[DROPS] as DropFacts).trouble).toBe(true);
  });

  it('a drop in a namespace off the route, a routine one (ping\'s socket): pass, counted aside', async () => {
    const { result, facts } = await run({ lines: recording('drop-reasons/zoo-echo-healthy-icmp-no-socket.stdout.txt').split('\n').filter(Boolean) });
    const [d] = (facts[DROPS] as DropFacts).drops;
    expect(d).toEqual({
      reason: 'NO_SOCKET', count: 3, ifindex: 2, where: 'ifindex 2 in a namespace off the route (inode 4026532177)',
      location: 'ping_rcv', l3: 'IPv4', proto: 1, onXdpIface: false, byProgram: false, routine: true,
    });
    expect(result.status).toBe('pass');
    expect(result.summary).toBe('the kernel dropped no packet of the probe\'s flow (to or from 10.111.60.2) on the route\'s devices during the probe (1 routine (freed in a socket or after delivery))');
  });

  it('freed with no device (ifindex 0) is routine whatever the reason', async () => {
    const { facts, result } = await run({ lines: bpftraceLines({ [`16,0,${SRV_INODE},2048,1,ip_rcv_finish`]: 2 }) }); // derived
    expect((facts[DROPS] as DropFacts).drops[0]).toMatchObject({ reason: 'IP_RPFILTER', routine: true, where: 'ifindex 0 (netns srv)' });
    expect(result.status).toBe('pass');
  });

  it('the XDP drop reason, or a free inside the XDP receive path, is the program\'s: counted aside with its interface', async () => {
    const { result, facts } = await run({ lines: bpftraceLines({ [`72,2,${SRV_INODE},2048,1,bpf_prog_run_xdp`]: 1, [`2,2,${SRV_INODE},2054,0,veth_xdp_rcv_skb`]: 2 }) }); // derived
    expect((facts[DROPS] as DropFacts).drops.map((d) => [d.reason, d.byProgram, d.l3, d.ifname]).sort()).toEqual([['NOT_SPECIFIED', true, 'ARP', 'zs0'], ['XDP', true, 'IPv4', 'zs0']]);
    expect(result.summary).toBe('the kernel dropped no packet of the probe\'s flow (to or from 10.111.60.2) on the route\'s devices during the probe (3 dropped by the XDP program itself on zs0 (its verdict))');
  });

  it('a drop on the client\'s interface is placed by the peer\'s namespace name (as inventory named it) and is not on the XDP interface', async () => {
    const { facts } = await run({ lines: bpftraceLines({ [`13,2,${CLI_INODE},2048,1,ip_rcv_core`]: 1 }) }); // derived
    expect((facts[DROPS] as DropFacts).drops[0]).toMatchObject({ where: 'zc0 (cli)', ifname: 'zc0', netns: CLIENT, onXdpIface: false });
  });

  it('an interface the namespace does not list: named by its ifindex', async () => {
    const { facts } = await run({ lines: bpftraceLines({ [`13,7,${SRV_INODE},34525,58,ip6_rcv_core`]: 1 }) }); // derived
    const [d] = (facts[DROPS] as DropFacts).drops;
    expect(d).toMatchObject({ where: 'ifindex 7 (netns srv)', l3: 'IPv6', onXdpIface: false });
    expect(d!.ifname).toBeUndefined();
  });

  it('a reason number this kernel does not name stays a number', async () => {
    const { facts } = await run({ lines: bpftraceLines({ [`9999,2,${SRV_INODE},2048,1,ip_rcv_core`]: 1 }) }); // derived
    expect((facts[DROPS] as DropFacts).drops[0]!.reason).toBe('reason 9999');
  });

  it('hops label their namespaces by node, or by name when they have none', async () => {
    const hops = [{ label: 'gw', iface: 'g0', netns: { kind: 'name', name: 'gw' }, node: 'gateway' }, { label: 'x', iface: 'x0', netns: { kind: 'name', name: 'other' } }];
    const { facts } = await run({
      hops, lines: bpftraceLines({ '13,2,111,2048,1,ip_rcv_core': 1, '13,2,222,2048,1,ip_rcv_core': 1 }), // derived
      extra: [
        { argv: ['readlink', '/proc/self/ns/net'], netns: 'gw', stdout: 'net:[111]\n' },
        { argv: ['readlink', '/proc/self/ns/net'], netns: 'other', stdout: 'net:[222]\n' },
        { argv: (a) => a[0] === 'ip', netns: 'gw', stdout: links('g0') },
        { argv: (a) => a[0] === 'ip', netns: 'other', stdout: links('x0') },
      ],
    });
    expect((facts[DROPS] as DropFacts).drops.map((d) => d.where)).toEqual(['g0 (gateway)', 'x0 (netns other)']);
  });
});

describe('drop-reasons: which drops are causes', () => {
  it('OTHERHOST on the XDP interface with the probe failing: one finding, its whole message and the kb\'s fix', async () => {
    const { result } = await run();
    const info = dropReasonInfo('OTHERHOST');
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('OTHERHOST ×3 at zs0 (netns srv) (the XDP interface, after the program)');
    expect(result.findings).toEqual([{
      cause: info.cause, signal: 'skb:kfree_skb reason OTHERHOST', explains: [...info.explains, 'xdp-passed-unchanged', 'xdp-change-dropped', 'neighbour-dropped'],
      iface: 'zs0', severity: 'high',
      message: 'the kernel dropped 3 packet(s) of the probe\'s flow with SKB_DROP_REASON_OTHERHOST at zs0 (netns srv), the XDP interface itself, ' +
        `after the program let them through in ip_rcv_core: ${info.meaning}; after XDP this usually means ${info.afterXdp}`,
      fixes: [{ title: info.fix, commands: [] }],
    }]);
  });

  it('the same drops when the probe passed: evidence only', async () => {
    const { result } = await run({ probe: { ran: true, ok: true } });
    expect(result).toMatchObject({ status: 'pass', findings: [], summary: 'OTHERHOST ×3 at zs0 (netns srv) (the XDP interface, after the program) (the probe passed)' });
  });

  it('ARP frames are called frames; off the XDP interface the message says nothing about the program', async () => {
    const { result } = await run({ lines: bpftraceLines({ [`13,2,${CLI_INODE},2054,0,arp_rcv`]: 2 }) }); // derived
    expect(result.findings[0]!.message).toMatch(/^the kernel dropped 2 ARP frame\(s\) of the probe's flow with SKB_DROP_REASON_OTHERHOST at zc0 \(cli\) in arp_rcv: /);
    expect(result.findings[0]!.iface).toBe('zc0');
  });

  it('NOT_SPECIFIED is a cause only when it is all the kernel said', async () => {
    const both = await run({ lines: bpftraceLines({ [`2,2,${CLI_INODE},2048,1,ip_rcv_core`]: 1, [`13,2,${SRV_INODE},2048,1,ip_rcv_core`]: 1 }) }); // derived
    expect(both.result.findings.map((f) => f.signal)).toEqual(['skb:kfree_skb reason OTHERHOST']);
    expect(both.result.summary).toBe('NOT_SPECIFIED ×1 at zc0 (cli); OTHERHOST ×1 at zs0 (netns srv) (the XDP interface, after the program)');
    const alone = await run({ lines: bpftraceLines({ [`2,2,${CLI_INODE},2048,1,ip_rcv_core`]: 1 }) }); // derived
    expect(alone.result.findings.map((f) => [f.cause, f.signal])).toEqual([[dropReasonInfo('NOT_SPECIFIED').cause, 'skb:kfree_skb reason NOT_SPECIFIED']]);
  });

  it('a drop with no location says so with "?"', async () => {
    const { result } = await run({ lines: bpftraceLines({ [`13,2,${SRV_INODE},2048,1,`]: 1 }) }); // derived
    expect(result.findings[0]!.message).toContain('after the program let them through in ?: ');
  });
});

describe('drop-reasons: the rp_filter fix', () => {
  const rpf = bpftraceLines({ [`16,2,${SRV_INODE},2048,4,ip_rcv_finish_core`]: 3 }); // derived
  const sysctl = (value: string): Recording => ({ argv: ['sysctl', '-n', 'net.ipv4.conf.zs0.rp_filter'], netns: 'srv', stdout: `${value}\n` });

  it('strict (1) on the device: loose (2), run in its namespace, undone to what was there, verified by the probe', async () => {
    const { result } = await run({ lines: rpf, extra: [sysctl('1')] });
    expect(result.findings[0]!.fixes).toEqual([{
      title: 'loose reverse-path filtering on zs0 (rp_filter 1 → 2)', commands: [['sysctl', '-w', 'net.ipv4.conf.zs0.rp_filter=2']],
      undo: [['sysctl', '-w', 'net.ipv4.conf.zs0.rp_filter=1']], netns: SERVER, verify: 'probe',
    }]);
  });

  it('off (0) is loosened too; already loose (2), unreadable or nonsense: the kb\'s words, nothing to run', async () => {
    expect((await run({ lines: rpf, extra: [sysctl('0')] })).result.findings[0]!.fixes[0]!.title).toBe('loose reverse-path filtering on zs0 (rp_filter 0 → 2)');
    const kbFix = [{ title: dropReasonInfo('IP_RPFILTER').fix, commands: [] }];
    for (const value of ['2', '7', '']) {
      expect((await run({ lines: rpf, extra: [sysctl(value)] })).result.findings[0]!.fixes, `rp_filter "${value}"`).toEqual(kbFix);
    }
    const failing: Recording = { argv: ['sysctl', '-n', 'net.ipv4.conf.zs0.rp_filter'], netns: 'srv', exitCode: 255, stderr: 'sysctl: cannot stat' };
    expect((await run({ lines: rpf, extra: [failing] })).result.findings[0]!.fixes).toEqual(kbFix);
  });

  it('on an interface the namespace does not list, no sysctl is guessed', async () => {
    const { result, commands } = await run({ lines: bpftraceLines({ [`16,9,${SRV_INODE},2048,4,ip_rcv_finish_core`]: 1 }) }); // derived
    expect(commands.some((c) => c.includes('sysctl'))).toBe(false);
    expect(result.findings[0]!.fixes).toEqual([{ title: dropReasonInfo('IP_RPFILTER').fix, commands: [] }]);
  });
});
