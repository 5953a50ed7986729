// Start-screen discovery on output recorded from this machine: `ip -j netns list` with three labs' namespaces,
// `ip -j -d link show` on the host (no XDP), in a lab's lb and gw (native XDP), and in a plain namespace with a
// generic-mode program. Lab state files as `lab up` writes them.
import { describe, expect, test } from 'vitest';
import { fakeExec as recordedExec, type Recording } from '../../src/plugins/testing.js';
import { attachmentsOf, choicesOf, describeChoice, discover, labsFromNamespaces, parseLabState } from '../../src/ui/discover.js';
import { fixture } from './fake-engine.js';
import { join } from 'node:path';
import { labStatePath, runDir } from '../../src/state-dirs.js';

const LINKS = ['ip', '-j', '-d', 'link', 'show'];

/** ip's answers per namespace ('host': none); a namespace not listed shows the host's links. */
function fakeExec(byNetns: Record<string, string | Error>, netnsList = fixture('ip-netns-list.json')) {
  const exec = recordedExec([
    { argv: ['ip', '-j', 'netns', 'list'], stdout: netnsList },
    ...Object.entries(byNetns).map(([ns, out]): Recording => ({
      argv: LINKS, netns: ns === 'host' ? null : ns, ...(out instanceof Error ? { exitCode: 1, stderr: out.message } : { stdout: out }),
    })),
    { argv: LINKS, netns: { kind: 'path', path: '/proc/777/ns/net' }, stdout: fixture('ip-d-link-netns-generic.json') },
    { argv: LINKS, stdout: fixture('ip-d-link-host.json') },
    // Inodes of the named namespaces, one per line, as `stat -L -c %i` prints them.
    { argv: (a) => a[0] === 'stat', stdout: '4026532301\n4026532302\n' },
  ]);
  const calls = () => exec.calls.map((c) => ({ argv: c.argv, netns: c.netns?.kind === 'name' ? c.netns.name : c.netns?.kind === 'path' ? c.netns.path : undefined }));
  return { exec, calls };
}

const stateFile = (prefix: string, phase: string, faults: string[]) => JSON.stringify({ version: 1, prefix, phase, faults, namespaces: [] });

function fakeFiles(files: Record<string, string>, links: Record<string, string> = {}) {
  return {
    list: async (dir: string) => [...new Set([...Object.keys(files), ...Object.keys(links)].filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split('/')[0]!))],
    read: async (p: string) => files[p],
    readlink: async (p: string) => links[p],
  };
}

describe('parsing', () => {
  test('XDP attachments from ip -j -d link: native in the lab, generic elsewhere, none on the host', () => {
    expect(attachmentsOf(fixture('ip-d-link-host.json'))).toEqual([]);
    expect(attachmentsOf(fixture('ip-d-link-lab-lb.json'), 'h3-lb')).toEqual([
      { iface: 'l0', ifindex: 2, netns: 'h3-lb', progId: 669, progName: 'xdp_prog_func', mode: 'native' },
    ]);
    expect(attachmentsOf(fixture('ip-d-link-netns-generic.json'), 'app')).toEqual([
      { iface: 'a0', ifindex: expect.any(Number), netns: 'app', progId: 1003, progName: 'xdp_pass', mode: 'generic' },
    ]);
  });

  test('a lab is a prefix with all four namespaces', () => {
    const names = (JSON.parse(fixture('ip-netns-list.json')) as { name: string }[]).map((n) => n.name);
    expect(labsFromNamespaces(names)).toEqual(['bench', 'h3', 'h4', 'me']);
    expect(labsFromNamespaces(['x-client', 'x-gw', 'x-lb'])).toEqual([]);
  });

  test('lab state files: prefix, phase, faults; junk is ignored', () => {
    expect(parseLabState(stateFile('wz', 'up', ['veth-peer']))).toEqual({ prefix: 'wz', phase: 'up', faults: ['veth-peer'] });
    expect(parseLabState('{"prefix":"../etc"}')).toBeUndefined();
    expect(parseLabState('not json')).toBeUndefined();
  });
});

describe('discover()', () => {
  test('every namespace is entered with nsenter (Exec netns), labs fold their own programs, others are listed', async () => {
    const list = JSON.stringify([...JSON.parse(fixture('ip-netns-list.json')), { name: 'app' }]);
    const { exec, calls } = fakeExec({ 'h3-lb': fixture('ip-d-link-lab-lb.json'), 'h3-gw': fixture('ip-d-link-lab-gw.json'), app: fixture('ip-d-link-netns-generic.json') }, list);
    const files = fakeFiles({
      [labStatePath('h3')]: stateFile('h3', 'up', ['veth-peer']),
      [labStatePath('gone')]: stateFile('gone', 'up', []),
      [join(runDir(), 'notes.txt')]: 'x',
      '/proc/1/comm': 'init\n', '/proc/777/comm': 'sleep\n', '/proc/900/comm': 'ip\n',
    }, {
      // pid 1: the host's namespace; 777: a namespace with no name (a container); 900: a named one (h3-lb).
      '/proc/self/ns/net': 'net:[4026531840]', '/proc/1/ns/net': 'net:[4026531840]',
      '/proc/777/ns/net': 'net:[4026532999]', '/proc/900/ns/net': 'net:[4026532301]',
    });
    const d = await discover(exec, files);
    expect(calls().filter((c) => c.argv.join(' ') === 'ip -j -d link show').map((c) => c.netns ?? 'host').sort())
      .toEqual(['/proc/777/ns/net', 'app', 'host', ...(JSON.parse(fixture('ip-netns-list.json')) as { name: string }[]).map((n) => n.name)].sort());
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
    const { exec } = fakeExec({ 'me-gw': new Error('nsenter: cannot open /run/netns/me-gw: No such file or directory') });
    const d = await discover(exec, fakeFiles({}));
    expect(d.problems).toEqual(['me-gw: nsenter: cannot open /run/netns/me-gw: No such file or directory']);
  });

  test('choices: labs first, the preferred lab selected, else the first lab that is up', () => {
    const d = {
      labs: [{ name: 'a', phase: 'partial' as const, faults: [], programs: 0 }, { name: 'b', phase: 'up' as const, faults: [], programs: 3 }],
      programs: [{ iface: 'eth0', ifindex: 2, progId: 9, mode: 'native' as const }], problems: [], namespaces: 0,
    };
    expect(choicesOf(d, 'zz').selected).toBe(1);
    expect(choicesOf(d, 'a').selected).toBe(0);
    expect(choicesOf(d).choices.map(describeChoice)).toEqual([
      'the built-in lab a (partly built)', 'the built-in lab b (up)', 'eth0 in the host namespace: prog id 9 (native)',
    ]);
  });
});
