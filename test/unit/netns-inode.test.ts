// A namespace's inode (tools/netns-inode.ts): by stat(2) on the machine's own processes; through a process inside
// the namespace (readlink via nsenter) for fakes and recordings, and for paths stat cannot read.
import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { netnsInode } from '../../src/tools/netns-inode.js';
import type { Exec, RunResult } from '../../src/tools/exec.js';

const answering = (stdout: string, calls: string[][], real = false): Exec => ({
  ...(real ? { real: true } : {}),
  run: async (argv, opts = {}): Promise<RunResult> => {
    calls.push([...(opts.netns ? [`netns:${JSON.stringify(opts.netns)}`] : []), ...argv]);
    return { argv, exitCode: 0, stdout, stderr: '', timedOut: false, notFound: false, durationMs: 1, ok: true };
  },
  spawn: () => { throw new Error('no spawn'); },
});

describe('netnsInode', () => {
  it('a fake exec: asks a process inside the namespace, and reads "net:[INODE]"', async () => {
    const calls: string[][] = [];
    expect(await netnsInode(answering('net:[4026532303]\n', calls), { kind: 'name', name: 'lab-lb' })).toBe('4026532303');
    expect(calls).toEqual([['netns:{"kind":"name","name":"lab-lb"}', 'readlink', '/proc/self/ns/net']]);
  });

  it('an answer that is not a netns link is no inode', async () => {
    expect(await netnsInode(answering('mnt:[1]\n', []), undefined)).toBeUndefined();
  });

  it('the real machine: the host namespace by stat, no process; a name stat cannot read falls back to asking', async () => {
    const calls: string[][] = [];
    expect(await netnsInode(answering('net:[7]\n', calls, true))).toBe(String(statSync('/proc/self/ns/net').ino));
    expect(calls).toEqual([]);
    expect(await netnsInode(answering('net:[7]\n', calls, true), { kind: 'name', name: `no-such-netns-${process.pid}` })).toBe('7');
    expect(calls).toHaveLength(1);
  });
});
