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

/** Every command succeeds. */
const ANY: Recording = { argv: () => true };

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

describe('applyFix', () => {
  it('runs every command in the fix\'s namespace; applied, with its undo logged', async () => {
    const dir = tmp();
    const exec = fakeExec([ANY]);
    const r = await applyFix(exec, 'veth-peer-no-xdp', peerFix, dir);
    expect(r.ok).toBe(true);
    expect(exec.calls.map((c) => c.argv)).toEqual(peerFix.commands.map(inGw));
    expect(r.record).toMatchObject({
      cause: 'veth-peer-no-xdp', title: peerFix.title, state: 'applied', ran: 2,
      commands: peerFix.commands.map(inGw), undo: peerFix.undo!.map(inGw),
    });
    expect(r.output).toEqual(peerFix.commands.map((c) => `$ ${inGw(c).join(' ')}`));
    expect(readFixLog(dir)).toEqual([r.record]);
    expect(readdirSync(dir)).toEqual(['fixes.json']);
  });

  it('is on record as "applying" before its first command runs', async () => {
    const dir = tmp();
    const seen: [string, number][] = [];
    // The argv predicate runs as each command is run: it sees the log as it stands then.
    const exec = fakeExec([{ argv: () => { const [r] = readFixLog(dir); seen.push([r!.state, r!.ran]); return true; } }]);
    await applyFix(exec, 'veth-peer-no-xdp', peerFix, dir);
    expect(seen).toEqual([['applying', 0], ['applying', 1]]);
  });

  it('a failing second command: the undo runs and the state is rolled-back', async () => {
    const dir = tmp();
    const stderr = recording('ip/link-show-missing-dev-stderr.txt');
    const exec = fakeExec([{ argv: (argv) => argv.includes('up'), exitCode: 1, stderr }, ANY]);
    const r = await applyFix(exec, 'veth-peer-no-xdp', peerFix, dir);
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
    const exec = fakeExec([{ argv: () => true, exitCode: 2 }]);
    const r = await applyFix(exec, 'veth-peer-no-xdp', peerFix, dir);
    expect(exec.calls).toHaveLength(1);
    expect(r.record).toMatchObject({ state: 'failed', ran: 0, error: `${inGw(peerFix.commands[0]!).join(' ')}: exit 2` });
  });

  it('without a namespace the argv is run as given; the state dir comes from XDP_DOCTOR_STATE_DIR', async () => {
    const dir = tmp();
    vi.stubEnv('XDP_DOCTOR_STATE_DIR', dir);
    const exec = fakeExec([ANY]);
    const fix: Fix = { title: 'generic', commands: [['ip', 'link', 'set', 'dev', 'l0', 'xdpgeneric', 'off']] };
    const r = await applyFix(exec, 'veth-peer-no-xdp', fix);
    expect(exec.calls[0]!.argv).toEqual(fix.commands[0]);
    expect(r.record.undo).toEqual([]);
    expect(readFixLog(dir)).toHaveLength(1);
  });
});

describe('undoFixes', () => {
  async function twoApplied(dir: string) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-24T13:00:00Z'));
    await applyFix(fakeExec([ANY]), 'a', { title: 'older', commands: [['true', 'older']], undo: [['undo', 'older']] }, dir);
    vi.setSystemTime(new Date('2026-11-24T13:05:00Z'));
    await applyFix(fakeExec([ANY]), 'b', { title: 'newer', commands: [['true', 'newer']], undo: [['undo', 'newer'], ['undo', 'newer', '2']] }, dir);
    vi.useRealTimers();
  }

  it('reverts the newest applied fix only', async () => {
    const dir = tmp();
    await twoApplied(dir);
    const exec = fakeExec([ANY]);
    const r = await undoFixes(exec, {}, dir);
    expect(exec.calls.map((c) => c.argv)).toEqual([['undo', 'newer'], ['undo', 'newer', '2']]);
    expect(r.undone.map((x) => x.title)).toEqual(['newer']);
    expect(r.failed).toEqual([]);
    expect(r.output).toEqual(['undo: newer', '$ undo newer', '$ undo newer 2']);
    expect(readFixLog(dir).map((x) => [x.title, x.state])).toEqual([['older', 'applied'], ['newer', 'undone']]);
  });

  it('--all reverts every applied fix, newest first; nothing is left to undo', async () => {
    const dir = tmp();
    await twoApplied(dir);
    const exec = fakeExec([ANY]);
    const r = await undoFixes(exec, { all: true }, dir);
    expect(exec.calls.map((c) => c.argv)).toEqual([['undo', 'newer'], ['undo', 'newer', '2'], ['undo', 'older']]);
    expect(r.undone.map((x) => x.title)).toEqual(['newer', 'older']);
    expect((await undoFixes(exec, { all: true }, dir)).undone).toEqual([]);
  });

  it('a failing undo keeps the fix on record as applied, with the error', async () => {
    const dir = tmp();
    await twoApplied(dir);
    const stderr = recording('ip/link-set-eperm-stderr.txt');
    const r = await undoFixes(fakeExec([{ argv: () => true, exitCode: 2, stderr }]), {}, dir);
    expect(r.failed.map((x) => x.title)).toEqual(['newer']);
    expect(r.output[1]).toBe('$ undo newer  (failed: RTNETLINK answers: Operation not permitted)');
    const newer = readFixLog(dir).find((x) => x.title === 'newer')!;
    expect(newer).toMatchObject({ state: 'applied', error: 'undo failed; see output' });
  });

  it('a fix interrupted while applying is undone, and says so; one without undo commands cannot be', async () => {
    const dir = tmp();
    const base = { cause: 'c', appliedAt: '2026-11-24T13:00:00.000Z', commands: [['x']], ran: 0 };
    const log: FixRecord[] = [
      { ...base, id: '1', title: 'no undo', undo: [], state: 'applied' },
      { ...base, id: '2', title: 'cut short', undo: [['undo', 'it']], state: 'applying' },
    ];
    writeFixLog(log, dir);
    const exec = fakeExec([ANY]);
    const r = await undoFixes(exec, { all: true }, dir);
    expect(r.output).toEqual([
      'undo: cut short (it was interrupted while applying)', '$ undo it',
      'undo: no undo', '  no undo commands were recorded for this fix',
    ]);
    expect(r.undone.map((x) => x.id)).toEqual(['2']);
    expect(r.failed.map((x) => x.id)).toEqual(['1']);
  });
});
