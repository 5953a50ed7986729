// src/tools/bpf-links.ts: XDP programs attached through a bpf_link and the process holding it, on output
// recorded here (test/zoo/user/xdp_link_hold.c attaching a zoo program with bpf_program__attach_xdp).
import { describe, expect, it } from 'vitest';
import { linkHolders, parseLinkFdinfo, parseLinkShow, xdpLinksOf } from '../../src/tools/bpf-links.js';
import { fakeExec, fakeFiles } from '../../src/plugins/testing.js';
import { recording } from './helpers/recordings.js';

const fdinfo = recording('proc/fdinfo-bpf-link-xdp.txt');

describe('bpf links', () => {
  it('bpftool -j link show: the XDP link and its program', () => {
    expect(parseLinkShow(recording('bpftool/link-show-xdp.json'))).toEqual([{ id: 89, type: 'xdp', progId: 2422, ifindex: undefined }]);
    expect(parseLinkShow('')).toEqual([]);
  });

  it('fdinfo of a bpf_link fd', () => {
    expect(parseLinkFdinfo(fdinfo)).toEqual({ type: 'xdp', linkId: 89, progId: 2422, ifindex: 2 });
  });

  it('xdpLinksOf keeps the links of this program; bpftool failing is no link', async () => {
    const exec = fakeExec([{ argv: ['bpftool', '-j', 'link', 'show'], stdout: recording('bpftool/link-show-xdp.json') }]);
    expect((await xdpLinksOf(exec, 2422)).map((l) => l.id)).toEqual([89]);
    expect(await xdpLinksOf(exec, 1)).toEqual([]);
    expect(await xdpLinksOf(fakeExec([{ argv: ['bpftool', '-j', 'link', 'show'], exitCode: 255 }]), 2422)).toEqual([]);
  });

  it('the holder is the process with an fd on that link', async () => {
    const files = fakeFiles(
      { '/proc/4242/fdinfo/6': fdinfo, '/proc/4242/comm': 'xdp_link_hold\n', '/proc/4242/fd/5': '', '/proc/77/fd/3': '', '/proc/77/fdinfo/3': fdinfo },
      { '/proc/4242/fd/6': 'anon_inode:bpf_link', '/proc/4242/fd/5': 'anon_inode:bpf-prog', '/proc/77/fd/3': 'socket:[1]' },
    );
    expect(await linkHolders(files, 89)).toEqual([{ pid: 4242, fd: 6, comm: 'xdp_link_hold' }]);
    expect(await linkHolders(files, 90)).toEqual([]);
  });
});
