// src/engine/apply-fix.ts with a fake Exec and a temp state directory.
import { describe, it, expect, afterEach, vi } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFix, undoFixes } from '../../src/engine/apply-fix.js';
import { readFixLog, writeFixLog, type FixRecord } from '../../src/engine/fix-log.js';
import type { Fix } from '../../src/engine/types.js';
import { recording } from './helpers/recordings.js';
import { fakeExec, type Recording } from '../../src/plugins/testing.js';
import { fakeSystem } from './helpers/fake-readers.js';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'xdp-doctor-fix-')); dirs.push(d); return d; };
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

const gw = { kind: 'name', name: 'xdpd-gw' } as const;
const peerFix: Fix = {
  title: 'attach a dummy XDP_PASS program to g1', netns: gw,
  commands: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'obj', '/x/xdp_pass.o', 'sec', 'xdp'], ['ip', 'link', 'set', 'dev', 'g1', 'up']],
  undo: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'off']],
};
const inGw = (argv: string[]) => ['nsenter', '--net=/run/netns/xdpd-gw', '--', ...argv];
/** Commands that succeed with no output. applyFix passes the nsenter prefix in argv, so none has a netns option. */
const succeed = (cmds: string[][]): Recording[] => cmds.map((argv) => ({ argv, netns: null }));
// The lab as the fix finds it: gw's namespace, g1 without a program (the veth-peer fault).
const lab = () => fakeSystem({ inodes: { '/run/netns/xdpd-gw': 4026532900 }, xdp: { '/run/netns/xdpd-gw g1': { progId: null } } });

describe('applyFix', () => {
  it('runs every command in the fix\'s namespace; applied, with its undo logged', async () => {
    const dir = tmp();
    const exec = fakeExec(succeed(peerFix.commands.map(inGw)));
    const r = await applyFix(exec, 'veth-peer-no-xdp', peerFix, dir, lab().readers);
    expect(r.ok).toBe(true);
    expect(exec.calls.map((c) => c.argv)).toEqual(peerFix.commands.map(inGw));
    expect(r.record).toMatchObject({
      cause: 'veth-peer-no-xdp', title: peerFix.title, state: 'applied', ran: 2,
      commands: peerFix.commands.map(inGw), undo: peerFix.undo!.map(inGw),
    });
    // What undo will check: the namespace by inode, and g1's XDP as the fix left it (read after the commands ran).
    expect(r.record).toMatchObject({
      netns: gw, netnsId: { inode: 4026532900 }, watch: [{ kind: 'xdp', iface: 'g1' }],
      after: [{ kind: 'xdp', iface: 'g1', exists: true }],
    });
    expect(r.output).toEqual(peerFix.commands.map((c) => `$ ${inGw(c).join(' ')}`));
    expect(readFixLog(dir)).toEqual([r.record]);
    expect(readdirSync(dir)).toEqual(['fixes.json']);
  });

  it('is on record as "applying" before its first command runs', async () => {
    const dir = tmp();
    const seen: [string, number][] = [];
    const exec = fakeExec(succeed(peerFix.commands.map(inGw)).map((rec) => ({ ...rec, effect: () => { const [r] = readFixLog(dir); seen.push([r!.state, r!.ran]); } })));
    await applyFix(exec, 'veth-peer-no-xdp', peerFix, dir, lab().readers);
    expect(seen).toEqual([['applying', 0], ['applying', 1]]);
  });

  it('a failing second command: the undo runs and the state is rolled-back', async () => {
    const dir = tmp();
    const stderr = recording('ip/link-show-missing-dev-stderr.txt');
    const exec = fakeExec([
      ...succeed([inGw(peerFix.commands[0]!), ...peerFix.undo!.map(inGw)]),
      { argv: inGw(peerFix.commands[1]!), netns: null, exitCode: 1, stderr },
    ]);
    const r = await applyFix(exec, 'veth-peer-no-xdp', peerFix, dir, lab().readers);
    expect(r.ok).toBe(false);
    expect(exec.calls.map((c) => c.argv)).toEqual([...peerFix.commands.map(inGw), ...peerFix.undo!.map(inGw)]);
    expect(r.record.state).toBe('rolled-back');
    expect(r.record.ran).toBe(1);
    expect(r.record.error).toBe(`${inGw(peerFix.commands[1]!).join(' ')}: Device "ut-nope0" does not exist.`);
    expect(r.output[1]).toContain('failed: Device "ut-nope0" does not exist.');
    expect(readFixLog(dir)).toEqual([r.record]);
  });

  it('a failing first command changed nothing: no undo, state failed', async () => {
    const dir = tmp();
    const exec = fakeExec([{ argv: inGw(peerFix.commands[0]!), netns: null, exitCode: 2 }]);
    const r = await applyFix(exec, 'veth-peer-no-xdp', peerFix, dir, lab().readers);
    expect(exec.calls).toHaveLength(1);
    expect(r.record).toMatchObject({ state: 'failed', ran: 0, error: `${inGw(peerFix.commands[0]!).join(' ')}: exit 2` });
  });

  it('without a namespace the argv is run as given; the state dir comes from XDP_DOCTOR_STATE_DIR', async () => {
    const dir = tmp();
    vi.stubEnv('XDP_DOCTOR_STATE_DIR', dir);
    const fix: Fix = { title: 'generic', commands: [['ip', 'link', 'set', 'dev', 'l0', 'xdpgeneric', 'off']] };
    const exec = fakeExec(succeed(fix.commands));
    const r = await applyFix(exec, 'veth-peer-no-xdp', fix, undefined, lab().readers);
    expect(exec.calls[0]!.argv).toEqual(fix.commands[0]);
    expect(r.record.undo).toEqual([]);
    expect(readFixLog(dir)).toHaveLength(1);
  });
});

describe('undoFixes', () => {
  async function twoApplied(dir: string) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-24T13:00:00Z'));
    await applyFix(fakeExec(succeed([['true', 'older']])), 'a', { title: 'older', commands: [['true', 'older']], undo: [['undo', 'older']] }, dir, lab().readers);
    vi.setSystemTime(new Date('2026-11-24T13:05:00Z'));
    await applyFix(fakeExec(succeed([['true', 'newer']])), 'b', { title: 'newer', commands: [['true', 'newer']], undo: [['undo', 'newer'], ['undo', 'newer', '2']] }, dir, lab().readers);
    vi.useRealTimers();
  }

  it('reverts the newest applied fix only', async () => {
    const dir = tmp();
    await twoApplied(dir);
    const exec = fakeExec(succeed([['undo', 'newer'], ['undo', 'newer', '2']]));
    const r = await undoFixes(exec, {}, dir, lab().readers);
    expect(exec.calls.map((c) => c.argv)).toEqual([['undo', 'newer'], ['undo', 'newer', '2']]);
    expect(r.undone.map((x) => x.title)).toEqual(['newer']);
    expect(r.failed).toEqual([]);
    expect(r.output).toEqual(['undo: newer (nothing its commands change can be read back; the undo runs as logged)', '$ undo newer', '$ undo newer 2']);
    expect(readFixLog(dir).map((x) => [x.title, x.state])).toEqual([['older', 'applied'], ['newer', 'undone']]);
  });

  it('--all reverts every applied fix, newest first; nothing is left to undo', async () => {
    const dir = tmp();
    await twoApplied(dir);
    const exec = fakeExec(succeed([['undo', 'newer'], ['undo', 'newer', '2'], ['undo', 'older']]));
    const r = await undoFixes(exec, { all: true }, dir, lab().readers);
    expect(exec.calls.map((c) => c.argv)).toEqual([['undo', 'newer'], ['undo', 'newer', '2'], ['undo', 'older']]);
    expect(r.undone.map((x) => x.title)).toEqual(['newer', 'older']);
    expect((await undoFixes(exec, { all: true }, dir, lab().readers)).undone).toEqual([]);
  });

  it('a failing undo keeps the fix on record as applied, with the error', async () => {
    const dir = tmp();
    await twoApplied(dir);
    const stderr = recording('ip/link-set-eperm-stderr.txt');
    const exec = fakeExec([['undo', 'newer'], ['undo', 'newer', '2']].map((argv) => ({ argv, netns: null, exitCode: 2, stderr })));
    const r = await undoFixes(exec, {}, dir, lab().readers);
    expect(exec.calls.map((c) => c.argv)).toEqual([['undo', 'newer'], ['undo', 'newer', '2']]);
    expect(r.failed.map((x) => x.title)).toEqual(['newer']);
    expect(r.output[1]).toBe('$ undo newer  (failed: RTNETLINK answers: Operation not permitted)');
    const newer = readFixLog(dir).find((x) => x.title === 'newer')!;
    expect(newer).toMatchObject({ state: 'applied', error: 'undo failed; see output' });
  });

  it('a fix interrupted while applying is undone, and says so; one without undo commands cannot be', async () => {
    const dir = tmp();
    const base = { cause: 'c', appliedAt: '2026-11-24T13:00:00.000Z', commands: [['x']], ran: 0, watch: [] };
    const log: FixRecord[] = [
      { ...base, id: '1', title: 'no undo', undo: [], state: 'applied', after: [] },
      { ...base, id: '2', title: 'cut short', undo: [['undo', 'it']], state: 'applying' },
    ];
    writeFixLog(log, dir);
    const exec = fakeExec(succeed([['undo', 'it']]));
    const r = await undoFixes(exec, { all: true }, dir, lab().readers);
    expect(r.output).toEqual([
      'undo: cut short (it was interrupted while applying, so the state it left was never recorded; nothing could be checked)', '$ undo it',
      'undo: no undo (nothing its commands change can be read back; the undo runs as logged)', '  no undo commands were recorded for this fix',
    ]);
    expect(r.undone.map((x) => x.id)).toEqual(['2']);
    expect(r.failed.map((x) => x.id)).toEqual(['1']);
  });
});
