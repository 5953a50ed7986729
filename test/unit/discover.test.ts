// Discovery (src/target/discover.ts) on output recorded from this machine: `ip -j netns list` with four labs'
// namespaces, `ip -j -d link show` on the host (no XDP), in a lab's lb and gw (native XDP), and in a plain
// namespace with a generic-mode program (test/recordings/ip/discover-*.json), through the tools layer over the
// check tester's fake Exec.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fakeExec as recordedExec, type Recording } from '../../src/plugins/testing.js';
import { labStatePath, runDir } from '../../src/state-dirs.js';
import { choicesOf, describeChoice, type Discovery } from '../../src/target/choices.js';
import { attachmentsOf, discover } from '../../src/target/discover.js';
import { createIp, parseLinks } from '../../src/tools/ip.js';
import { createStat } from '../../src/tools/stat.js';
import { recording } from './helpers/recordings.js';

const LINKS = ['ip', '-j', '-d', 'link', 'show'];
const NETNS_LIST = recording('ip/discover-netns-list-labs.json');
const listed = (JSON.parse(NETNS_LIST) as { name: string }[]).map((n) => n.name);
/** `readlink /proc/PID/ns/net` as recorded: the root namespace, and one only a process holds (test/recordings/veth-peer). */
const ROOT_NS = recording('veth-peer/root-ns.txt').trim();
const UNNAMED_NS = recording('veth-peer/unnamed-ns-a.txt').trim();
const NAMED_NS = recording('veth-peer/unnamed-ns-b.txt').trim();
const inodeOf = (link: string) => /\d+/.exec(link)![0];

/** ip's answers per namespace ('host': none); a namespace not listed shows the host's links. */
function fakeTools(byNetns: Record<string, string | Error>, files: ReturnType<typeof fakeFiles>, netnsList = NETNS_LIST) {
  const exec = recordedExec([
    { argv: ['ip', '-j', 'netns', 'list'], stdout: netnsList },
    ...Object.entries(byNetns).map(([ns, out]): Recording => ({
      argv: LINKS, netns: ns === 'host' ? null : ns, ...(out instanceof Error ? { exitCode: 1, stderr: out.message } : { stdout: out }),
    })),
    { argv: LINKS, netns: { kind: 'path', path: '/proc/777/ns/net' }, stdout: recording('ip/discover-d-link-netns-generic.json') },
    { argv: LINKS, stdout: recording('ip/discover-d-link-host.json') },
    // Recorded shape (stat/inodes-ns.txt: one inode a line); the inode is the one pid 900's namespace has below,
    // so pid 900 holds a named namespace.
    { argv: (a) => a[0] === 'stat', stdout: `${inodeOf(NAMED_NS)}\n` },
  ]);
  const calls = () => exec.calls.map((c) => ({ argv: c.argv, netns: c.netns?.kind === 'name' ? c.netns.name : c.netns?.kind === 'path' ? c.netns.path : undefined }));
  return { tools: { ip: createIp(exec), stat: createStat(exec), files }, calls };
}

/** A lab record with the fields discovery reads, as src/lab/state.ts's LabState names them (the rest left out). */
const stateFile = (prefix: string, phase: string, faults: string[]) => JSON.stringify({ version: 1, prefix, phase, faults, namespaces: [] });

function fakeFiles(files: Record<string, string>, links: Record<string, string> = {}) {
  return {
    list: async (dir: string) => [...new Set([...Object.keys(files), ...Object.keys(links)].filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split('/')[0]!))],
    read: async (p: string) => files[p],
    readlink: async (p: string) => links[p],
  };
}

describe('attachmentsOf', () => {
  test('XDP attachments from ip -j -d link: native in the lab, generic elsewhere, none on the host', () => {
    expect(attachmentsOf(parseLinks(recording('ip/discover-d-link-host.json')))).toEqual([]);
    expect(attachmentsOf(parseLinks(recording('ip/discover-d-link-lab-lb.json')), 'h3-lb')).toEqual([
      { iface: 'l0', ifindex: 2, netns: 'h3-lb', progId: 669, progName: 'xdp_prog_func', mode: 'native' },
    ]);
    expect(attachmentsOf(parseLinks(recording('ip/discover-d-link-netns-generic.json')), 'app')).toEqual([
      { iface: 'a0', ifindex: expect.any(Number), netns: 'app', progId: 1003, progName: 'xdp_pass', mode: 'generic' },
    ]);
  });
});

describe('discover()', () => {
  test('every namespace is entered with nsenter (Exec netns), labs fold their own programs, others are listed', async () => {
    const list = JSON.stringify([...JSON.parse(NETNS_LIST), { name: 'app' }]);
    const files = fakeFiles({
      [labStatePath('h3')]: stateFile('h3', 'up', ['veth-peer']),
      [labStatePath('gone')]: stateFile('gone', 'up', []),
      [join(runDir(), 'notes.txt')]: 'x',
      '/proc/1/comm': 'init\n', '/proc/777/comm': 'sleep\n', '/proc/900/comm': 'ip\n',
    }, {
      // pid 1: the host's namespace; 777: a namespace with no name (a container); 900: a named one (h3-lb).
      '/proc/self/ns/net': ROOT_NS, '/proc/1/ns/net': ROOT_NS, '/proc/777/ns/net': UNNAMED_NS, '/proc/900/ns/net': NAMED_NS,
    });
    const { tools, calls } = fakeTools({
      'h3-lb': recording('ip/discover-d-link-lab-lb.json'), 'h3-gw': recording('ip/discover-d-link-lab-gw.json'),
      app: recording('ip/discover-d-link-netns-generic.json'),
    }, files, list);
    const d = await discover(tools);
    expect(calls().filter((c) => c.argv.join(' ') === 'ip -j -d link show').map((c) => c.netns ?? 'host').sort())
      .toEqual(['/proc/777/ns/net', 'app', 'host', ...listed].sort());
    expect(calls().find((c) => c.argv[0] === 'stat')!.argv).toEqual(['stat', '-L', '-c', '%i', ...[...listed, 'app'].map((n) => `/run/netns/${n}`)]);
    expect(d.namespaces).toBe(18);
    expect(d.labs.map((l) => [l.name, l.phase, l.faults.join(',')])).toEqual([
      ['bench', 'partial', ''], ['h3', 'up', 'veth-peer'], ['h4', 'partial', ''], ['me', 'partial', ''],
    ]);
    expect(d.labs.find((l) => l.name === 'h3')!.programs).toBe(1); // l0 in h3-lb; g1 lost its program to the veth-peer fault
    expect(d.programs).toEqual([
      { iface: 'a0', ifindex: expect.any(Number), netns: 'app', progId: 1003, progName: 'xdp_pass', mode: 'generic' },
      { iface: 'a0', ifindex: expect.any(Number), netns: '/proc/777/ns/net', netnsLabel: 'netns of pid 777 (sleep)', progId: 1003, progName: 'xdp_pass', mode: 'generic' },
    ]);
    expect(describeChoice({ kind: 'iface', attachment: d.programs[1]! })).toBe('a0 in netns of pid 777 (sleep): xdp_pass id 1003 (generic)');
    expect(d.problems).toEqual([]);
  });

  test('a namespace that cannot be entered is a problem in words, not a crash', async () => {
    const stderr = recording('ip/nsenter-missing-netns-stderr.txt').replaceAll('ut-nope', 'me-gw');
    const { tools } = fakeTools({ 'me-gw': new Error(stderr) }, fakeFiles({}));
    const d = await discover(tools);
    expect(d.problems).toEqual(['me-gw: nsenter: cannot open /run/netns/me-gw: No such file or directory']);
  });

  test('no namespaces: no stat, the host alone', async () => {
    const { tools, calls } = fakeTools({}, fakeFiles({}, { '/proc/self/ns/net': ROOT_NS }), recording('ip/netns-list-empty.json'));
    const d = await discover(tools);
    expect(calls().map((c) => c.argv.join(' '))).toEqual(['ip -j netns list', 'ip -j -d link show']);
    expect(d).toEqual({ programs: [], labs: [], problems: [], namespaces: 0 });
  });
});

describe('choices', () => {
  test('labs first, the preferred lab selected, else the first lab that is up', () => {
    const d: Discovery = {
      labs: [{ name: 'a', phase: 'partial', faults: [], programs: 0 }, { name: 'b', phase: 'up', faults: [], programs: 3 }],
      programs: [{ iface: 'eth0', ifindex: 2, progId: 9, mode: 'native' }], problems: [], namespaces: 0,
    };
    expect(choicesOf(d, 'zz').selected).toBe(1);
    expect(choicesOf(d, 'a').selected).toBe(0);
    expect(choicesOf(d).choices.map(describeChoice)).toEqual([
      'the built-in lab a (partly built)', 'the built-in lab b (up)', 'eth0 in the host namespace: prog id 9 (native)',
    ]);
  });
});
