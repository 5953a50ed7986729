// src/tools/veth-peer.ts: the other end of a veth, on which the headline diagnosis (veth-peer-no-xdp) depends.
// ip output recorded in throwaway namespaces (test/recordings/veth-peer, see RECORDED-BY-UNIT-TESTS.md): both ends
// in one namespace, the peer in a named namespace, and the peer in a namespace only a process holds (a container's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeExec, fakeFiles, type Recording } from '../../src/plugins/testing.js';
import { createIp, parseLinks, type LinkInfo } from '../../src/tools/ip.js';
import { findVethPeer, MAX_SCANNED_NETNS, processNamespaces } from '../../src/tools/veth-peer.js';

const rec = (f: string) => readFileSync(join(__dirname, '..', 'recordings', 'veth-peer', f), 'utf8');
const link = (file: string, name: string): LinkInfo => parseLinks(rec(file)).find((l) => l.ifname === name)!;
const NS_A = rec('unnamed-ns-a.txt').trim();
const NS_B = rec('unnamed-ns-b.txt').trim();
const ROOT_NS = rec('root-ns.txt').trim();

function tools(recordings: Recording[], files: Record<string, string> = {}, links: Record<string, string> = {}) {
  const exec = fakeExec(recordings);
  return { exec, ip: createIp(exec), files: fakeFiles(files, links) };
}

describe('findVethPeer', () => {
  it('both ends in one namespace: the peer named by `link`, in the same namespace', async () => {
    const t = tools([{ argv: ['ip', '-j', '-d', 'link', 'show'], netns: 'uta', stdout: rec('same-netns-links.json') }]);
    const va1 = link('same-netns-links.json', 'va1');
    expect(va1.linkName).toBe('va0');
    const peer = await findVethPeer(t.ip, t.files, va1, { kind: 'name', name: 'uta' });
    expect(peer).toMatchObject({ link: { ifname: 'va0', kind: 'veth' }, netns: { kind: 'name', name: 'uta' }, label: 'uta' });
  });

  it('the same namespace, the root one: no label', async () => {
    const t = tools([{ argv: ['ip', '-j', '-d', 'link', 'show'], netns: null, stdout: rec('same-netns-links.json') }]);
    const peer = await findVethPeer(t.ip, t.files, link('same-netns-links.json', 'va0'));
    expect(peer?.link.ifname).toBe('va1');
    expect(peer?.netns).toBeUndefined();
    expect(peer?.label).toBeUndefined();
  });

  it('the peer in a named namespace: link_netnsid → `ip netns list-id` → the link of that ifindex there', async () => {
    const peerNs = JSON.parse(rec('named-list-id.json'))[0].name as string;
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], netns: 'uta', stdout: rec('named-list-id.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: peerNs, stdout: rec('named-peer-netns-links.json') },
    ]);
    const peer = await findVethPeer(t.ip, t.files, link('named-link-vb0.json', 'vb0'), { kind: 'name', name: 'uta' });
    expect(peer).toMatchObject({ link: { ifname: 'vb1', ifindex: 2 }, netns: { kind: 'name', name: peerNs }, label: peerNs });
    expect(t.exec.calls.map((c) => c.argv.join(' '))).toEqual(['ip -j netns list-id', 'ip -j -d link show']);
  });

  it('the peer in a namespace without a name: found through /proc/PID/ns/net, the veth that points back', async () => {
    // pid 1 is the root namespace, 300 holds the container's own namespace (skipped), 400 a decoy namespace whose
    // veth has the wanted ifindex but points elsewhere, 500 the peer's namespace.
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], netns: { kind: 'path', path: '/proc/300/ns/net' }, stdout: rec('unnamed-list-id.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 1 }, stdout: rec('same-netns-links.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 400 }, stdout: rec('named-peer-netns-links.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 500 }, stdout: rec('unnamed-peer-netns-links.json') },
    ], { '/proc/1/comm': 'systemd\n', '/proc/400/comm': 'sleep\n', '/proc/500/comm': 'containerd-shim\n', '/proc/501/comm': 'sh\n' }, {
      '/proc/1/ns/net': ROOT_NS, '/proc/300/ns/net': NS_A, '/proc/400/ns/net': 'net:[4026530001]',
      '/proc/500/ns/net': NS_B, '/proc/501/ns/net': NS_B,
    });
    const uc0 = link('unnamed-link-uc0.json', 'uc0');
    expect(JSON.parse(rec('unnamed-list-id.json'))[0].name).toBeUndefined();
    const peer = await findVethPeer(t.ip, t.files, uc0, { kind: 'path', path: '/proc/300/ns/net' });
    expect(peer).toMatchObject({ link: { ifname: 'uh0', kind: 'veth' }, netns: { kind: 'pid', pid: 500 }, label: 'netns of pid 500 (containerd-shim)' });
    // The container's own namespace is never scanned; pid 501 shares 500's namespace and is not listed twice.
    expect(t.exec.calls.filter((c) => c.argv.includes('link')).map((c) => c.full[1])).toEqual(['--net=/proc/1/ns/net', '--net=/proc/400/ns/net', '--net=/proc/500/ns/net']);
  });

  it('no namespace points back: undefined, not the decoy with the same ifindex', async () => {
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], stdout: rec('unnamed-list-id.json') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 400 }, stdout: rec('named-peer-netns-links.json') },
    ], { '/proc/400/comm': 'sleep\n' }, { '/proc/400/ns/net': 'net:[4026530001]' });
    expect(await findVethPeer(t.ip, t.files, link('unnamed-link-uc0.json', 'uc0'))).toBeUndefined();
  });

  it('a named netnsid whose namespace cannot be read falls through to the scan', async () => {
    const t = tools([
      { argv: ['ip', '-j', 'netns', 'list-id'], stdout: '[{"nsid":0,"name":"gone"}]' },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: 'gone', exitCode: 1, stderr: 'Cannot open network namespace "gone": No such file or directory' },
      { argv: ['ip', '-j', '-d', 'link', 'show'], netns: { kind: 'pid', pid: 500 }, stdout: rec('unnamed-peer-netns-links.json') },
    ], { '/proc/500/comm': 'pause\n' }, { '/proc/500/ns/net': NS_B });
    expect(await findVethPeer(t.ip, t.files, link('unnamed-link-uc0.json', 'uc0'))).toMatchObject({ link: { ifname: 'uh0' }, label: 'netns of pid 500 (pause)' });
  });

  it('not a veth, or a veth with no peer information: undefined without running anything', async () => {
    const t = tools([]);
    const lo = parseLinks(rec('same-netns-links.json')).find((l) => l.ifname === 'lo')!;
    expect(await findVethPeer(t.ip, t.files, lo)).toBeUndefined();
    const bare = { ...link('same-netns-links.json', 'va0'), linkName: undefined, linkIndex: undefined };
    expect(await findVethPeer(t.ip, t.files, bare)).toBeUndefined();
    expect(t.exec.calls).toEqual([]);
  });

  it('same namespace by ifindex when iproute2 gives link_index but no name; never the link itself', async () => {
    const links = parseLinks(rec('same-netns-links.json'));
    const va0 = links.find((l) => l.ifname === 'va0')!;
    const va1 = links.find((l) => l.ifname === 'va1')!;
    const t = tools([{ argv: ['ip', '-j', '-d', 'link', 'show'], stdout: rec('same-netns-links.json') }]);
    expect((await findVethPeer(t.ip, t.files, { ...va0, linkName: undefined, linkIndex: va1.ifindex }))?.link.ifname).toBe('va1');
    expect(await findVethPeer(t.ip, t.files, { ...va0, linkName: undefined, linkIndex: va0.ifindex })).toBeUndefined();
  });
});

describe('processNamespaces', () => {
  it('one process per namespace, the lowest pid, at most the limit', async () => {
    const files = fakeFiles({ '/proc/7/comm': 'a\n', '/proc/12/comm': 'b\n' }, {
      '/proc/12/ns/net': NS_A, '/proc/7/ns/net': NS_A, '/proc/30/ns/net': NS_B, '/proc/31/ns/net': 'mnt:[1]', '/proc/self/ns/net': ROOT_NS,
    });
    expect(await processNamespaces(files)).toEqual([
      { inode: /\d+/.exec(NS_A)![0], pid: 7, comm: 'a' },
      { inode: /\d+/.exec(NS_B)![0], pid: 30, comm: undefined },
    ]);
    expect(await processNamespaces(files, 1)).toHaveLength(1);
    expect(MAX_SCANNED_NETNS).toBe(256);
  });
});
