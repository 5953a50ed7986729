// src/tools/veth-peer.ts, findVethPeer's decisions beyond veth-peer.test.ts: the label of a peer in a namespace
// entered by pid or path, a named netnsid whose namespace does not hold the peer, which link of a scanned
// namespace is the peer (a veth whose own peer is in another namespace and points back), and a namespace whose
// process is gone. ip output is the recordings of test/recordings/veth-peer; where a link is changed to make a case
// (its ifindex or link_index), or a list-id or error text is written here, the test says so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeExec, fakeFiles, type Recording } from '../../src/plugins/testing.js';
import { createIp, parseLinks, type LinkInfo } from '../../src/tools/ip.js';
import { findVethPeer, pidNetnsLabel, processNamespaces } from '../../src/tools/veth-peer.js';

const rec = (f: string) => readFileSync(join(__dirname, '..', 'recordings', 'veth-peer', f), 'utf8');
const recIp = (f: string) => readFileSync(join(__dirname, '..', 'recordings', 'ip', f), 'utf8');
const link = (file: string, name: string): LinkInfo => parseLinks(rec(file)).find((l) => l.ifname === name)!;
const NS_A = rec('unnamed-ns-a.txt').trim();
const NS_B = rec('unnamed-ns-b.txt').trim();

function tools(recordings: Recording[], files: Record<string, string> = {}, links: Record<string, string> = {}) {
  const exec = fakeExec(recordings);
  return { exec, ip: createIp(exec), files: fakeFiles(files, links) };
}
const linkCalls = (exec: ReturnType<typeof fakeExec>) => exec.calls.filter((c) => c.argv.includes('link')).map((c) => c.full[1]);

describe('findVethPeer: the label of a peer in the same namespace', () => {
  it('a namespace entered by pid: "netns of pid N"; by path: the path', async () => {
    const byPid = tools([{ argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 500 }, stdout: rec('same-netns-links.json') }]);
    expect(await findVethPeer(byPid.ip, byPid.files, link('same-netns-links.json', 'va1'), { kind: 'pid', pid: 500 }))
      .toMatchObject({ link: { ifname: 'va0' }, netns: { kind: 'pid', pid: 500 }, label: 'netns of pid 500' });
    const byPath = tools([{ argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'path', path: '/proc/300/ns/net' }, stdout: rec('same-netns-links.json') }]);
    expect(await findVethPeer(byPath.ip, byPath.files, link('same-netns-links.json', 'va1'), { kind: 'path', path: '/proc/300/ns/net' }))
      .toMatchObject({ link: { ifname: 'va0' }, label: '/proc/300/ns/net' });
  });

  it('the peer named by `link` is found by that name, not by an ifindex', async () => {
    // va1 as recorded names va0; its link_index is set here to lo's ifindex (1), which must not be followed.
    const t = tools([{ argv: ['ip', '-j', '-d', 'link', 'show'], stdout: rec('same-netns-links.json') }]);
    expect((await findVethPeer(t.ip, t.files, { ...link('same-netns-links.json', 'va1'), linkIndex: 1 }))?.link.ifname).toBe('va0');
  });

  it('a `link` name that is not in the namespace: no peer', async () => {
    const t = tools([{ argv: ['ip', '-j', '-d', 'link', 'show'], stdout: rec('same-netns-links.json') }]);
    expect(await findVethPeer(t.ip, t.files, { ...link('same-netns-links.json', 'va1'), linkName: 'gone0' })).toBeUndefined();
  });
});

describe('findVethPeer: a named netnsid', () => {
  it('the list-id entry of the link\'s own netnsid, not another one', async () => {
    // list-id written here: the recorded entry (nsid 0) after one for nsid 1 that names a namespace not to be read.
    const peerNs = JSON.parse(rec('named-list-id.json'))[0].name as string;
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], stdout: `[{"nsid":1,"name":"other"},${rec('named-list-id.json').trim().slice(1)}` },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: peerNs, stdout: rec('named-peer-netns-links.json') },
    ]);
    expect(await findVethPeer(t.ip, t.files, link('named-link-vb0.json', 'vb0'))).toMatchObject({ link: { ifname: 'vb1' }, label: peerNs });
    expect(linkCalls(t.exec)).toEqual([`--net=/run/netns/${peerNs}`]);
  });

  it('the named namespace holds no link of that ifindex: the scan goes on to the namespaces of processes', async () => {
    // vb0's link_index is set to 9, which the named namespace (recorded) has no link of.
    const peerNs = JSON.parse(rec('named-list-id.json'))[0].name as string;
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], stdout: rec('named-list-id.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: peerNs, stdout: rec('named-peer-netns-links.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 500 }, stdout: rec('unnamed-peer-netns-links.json') },
    ], { '/proc/500/comm': 'pause\n' }, { '/proc/500/ns/net': NS_B });
    expect(await findVethPeer(t.ip, t.files, { ...link('named-link-vb0.json', 'vb0'), linkIndex: 9 })).toBeUndefined();
    expect(linkCalls(t.exec)).toEqual([`--net=/run/netns/${peerNs}`, '--net=/proc/500/ns/net']);
  });
});

describe('findVethPeer: the scan of process namespaces', () => {
  it('a link that points back but is not a veth (a macvlan on our veth, say) is not the peer', async () => {
    // unnamed-peer-netns-links.json as recorded, but uh0's info_kind changed here from veth to macvlan.
    const asMacvlan = rec('unnamed-peer-netns-links.json').replace('"info_kind":"veth"', '"info_kind":"macvlan"');
    expect(asMacvlan).not.toBe(rec('unnamed-peer-netns-links.json'));
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], stdout: rec('unnamed-list-id.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 500 }, stdout: asMacvlan },
    ], {}, { '/proc/500/ns/net': NS_B });
    expect(await findVethPeer(t.ip, t.files, link('unnamed-link-uc0.json', 'uc0'))).toBeUndefined();
  });

  it('a veth that points back at us but is not at our link_index is not the peer', async () => {
    // uc0 as recorded but its link_index set here to 9: uh0 (recorded) points back at uc0's ifindex 2 and is ifindex 2.
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], stdout: rec('unnamed-list-id.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 500 }, stdout: rec('unnamed-peer-netns-links.json') },
    ], {}, { '/proc/500/ns/net': NS_B });
    expect(await findVethPeer(t.ip, t.files, { ...link('unnamed-link-uc0.json', 'uc0'), linkIndex: 9 })).toBeUndefined();
  });

  it('a process whose namespace cannot be entered any more is passed over', async () => {
    // The failure's text is the recorded nsenter error for a missing namespace (test/recordings/ip).
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], stdout: rec('unnamed-list-id.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 400 }, exitCode: 1, stderr: recIp('nsenter-missing-netns-stderr.txt') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 500 }, stdout: rec('unnamed-peer-netns-links.json') },
    ], { '/proc/500/comm': 'containerd-shim\n' }, { '/proc/400/ns/net': NS_A, '/proc/500/ns/net': NS_B });
    expect(await findVethPeer(t.ip, t.files, link('unnamed-link-uc0.json', 'uc0')))
      .toMatchObject({ link: { ifname: 'uh0' }, netns: { kind: 'pid', pid: 500 }, label: 'netns of pid 500 (containerd-shim)' });
  });

  it('from the root namespace (no netns given) every process namespace is scanned, none skipped as ours', async () => {
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], stdout: rec('unnamed-list-id.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 300 }, stdout: rec('named-peer-netns-links.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 500 }, stdout: rec('unnamed-peer-netns-links.json') },
    ], {}, { '/proc/300/ns/net': NS_A, '/proc/500/ns/net': NS_B });
    expect((await findVethPeer(t.ip, t.files, link('unnamed-link-uc0.json', 'uc0')))?.label).toBe('netns of pid 500');
    expect(linkCalls(t.exec)).toEqual(['--net=/proc/300/ns/net', '--net=/proc/500/ns/net']);
  });
});

describe('processNamespaces and the pid label', () => {
  it('only numeric /proc entries, in numeric order (9 before 10), the comm trimmed', async () => {
    const files = fakeFiles({ '/proc/9/comm': 'nine\n', '/proc/10/comm': ' ten \n' }, {
      '/proc/10/ns/net': NS_A, '/proc/9/ns/net': NS_A, '/proc/self/ns/net': NS_B, '/proc/1x/ns/net': NS_B, '/proc/x1/ns/net': NS_B,
    });
    expect(await processNamespaces(files)).toEqual([{ inode: /\d+/.exec(NS_A)![0], pid: 9, comm: 'nine' }]);
  });

  it('a process that is gone between the listing and the readlink (no link) is skipped', async () => {
    const files = fakeFiles({ '/proc/8/comm': 'sleep\n' }, { '/proc/8/ns/net': NS_B });
    const withGone = { ...files, list: async (d: string) => (d === '/proc' ? ['5', '8'] : files.list(d)) };
    expect(await processNamespaces(withGone)).toEqual([{ inode: /\d+/.exec(NS_B)![0], pid: 8, comm: 'sleep' }]);
  });

  it('the label names the comm when there is one', () => {
    expect(pidNetnsLabel({ pid: 42, comm: 'sleep' })).toBe('netns of pid 42 (sleep)');
    expect(pidNetnsLabel({ pid: 42 })).toBe('netns of pid 42');
  });
});
