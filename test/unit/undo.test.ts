// `xdp-doctor undo` (src/undo.ts, engine/undo-check.ts, engine/apply-fix.ts): a fix is reverted only while the
// system is still as it left it. A fake system stands in for the kernel: the fix's commands change it, a test
// "tears the lab down and builds it again" or "attaches another program" by editing it.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { applyFix } from '../../src/engine/apply-fix.js';
import { readFixLog, writeFixLog, type FixRecord } from '../../src/engine/fix-log.js';
import { decideUndo } from '../../src/engine/undo-check.js';
import type { Fix } from '../../src/engine/types.js';
import { vethPeerFixes } from '../../src/kb/fixes.js';
import { undoCommand, UNDO_HELP } from '../../src/undo.js';
import { fakeExec, type Recording } from '../../src/plugins/testing.js';
import { fakeSystem } from './helpers/fake-readers.js';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'xdp-doctor-undo-')); dirs.push(d); return d; };
afterEach(() => { while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true }); });

const GW = '/run/netns/xdpd-gw';
const gw = { kind: 'name', name: 'xdpd-gw' } as const;
const [peerFix] = vethPeerFixes({ iface: 'l0', netns: { kind: 'name', name: 'xdpd-lb' }, progId: 1637, peer: { ifname: 'g1', netns: gw } });
const rpFix: Fix = {
  title: 'loose rp_filter on g2', netns: gw,
  commands: [['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=2']], undo: [['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=1']],
};

/**
 * The veth-peer lab: g1 without a program; the peer fix's `ip link set ... obj` attaches program 676, its undo
 * (`... off`) detaches; the sysctls set their value. Every command the tests' fixes run is recorded (applyFix and
 * undo pass the nsenter prefix in argv, so none has a netns option); any other command fails the test.
 */
function labSystem() {
  const sys = fakeSystem({ inodes: { [GW]: 4026532900 }, xdp: { [`${GW} g1`]: { progId: null } }, values: { [`${GW} net.ipv4.conf.g2.rp_filter`]: '1' } });
  const inNs = (path: string, argv: string[]) => ['nsenter', `--net=${path}`, '--', ...argv];
  const attach = peerFix!.commands.at(-1)!;
  const sysctl = (argv: string[]): Recording => ({
    argv: inNs(GW, argv), netns: null,
    effect: () => { const [key, value] = argv[2]!.split('='); sys.values[`${GW} ${key}`] = value!; },
  });
  const exec = fakeExec([
    // Before the attach: the xdp_pass.o build, when the package has no usable object.
    ...peerFix!.commands.slice(0, -1).map((argv): Recording => ({ argv: inNs(GW, argv), netns: null })),
    { argv: inNs(GW, attach), netns: null, effect: () => { sys.xdp[`${GW} g1`] = { progId: 676 }; } },
    { argv: inNs(GW, peerFix!.undo![0]!), netns: null, effect: () => { sys.xdp[`${GW} g1`] = { progId: null }; } },
    sysctl(rpFix.commands[0]!), sysctl(rpFix.undo![0]!),
    ...[['true'], ['true', 'undo']].map((argv): Recording => ({ argv: inNs('/run/netns/xdpd-lb', argv), netns: null })),
  ]);
  expect(attach).toContain('obj');
  expect(peerFix!.undo).toEqual([['ip', 'link', 'set', 'dev', 'g1', 'xdpdrv', 'off']]);
  return { sys, exec };
}

async function undo(args: string[], deps: { exec: ReturnType<typeof fakeExec>; readers: ReturnType<typeof fakeSystem>['readers']; dir: string }) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => new Writable({ write(c, _e, cb) { into.push(String(c)); cb(); } });
  const code = await undoCommand(args, { stdout: sink(out), stderr: sink(err) }, deps);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('undo: the issue\'s case (fix, tear the lab down, build it again, undo)', () => {
  it('the new lab is untouched and the entry is reported stale', async () => {
    const dir = tmp();
    const { sys, exec } = labSystem();
    const applied = await applyFix(exec, 'veth-peer-no-xdp', peerFix!, dir, sys.readers);
    expect(applied.record.after).toEqual([{ kind: 'xdp', iface: 'g1', exists: true, progId: 676, mode: 'native' }]);
    // lab down, lab up: the same name, a new namespace, and the lab attached its own XDP_PASS to g1.
    sys.inodes[GW] = 4026533311;
    sys.xdp[`${GW} g1`] = { progId: 912 };
    exec.calls.length = 0;
    sys.reads.length = 0;

    const r = await undo([], { exec, readers: sys.readers, dir });
    expect(r.code).toBe(0);
    expect(exec.calls).toEqual([]);
    expect(sys.reads).toEqual([]); // nothing is read (or run) inside a namespace that is not the fix's
    expect(sys.xdp[`${GW} g1`]).toEqual({ progId: 912 });
    expect(r.stdout).toBe(
      `stale: ${peerFix!.title} [${applied.record.id}]: namespace xdpd-gw was removed and made again (inode 4026533311; the fix ran in 4026532900); not run (drop it: xdp-doctor undo --drop ${applied.record.id})\n` +
      `nothing to undo (1 stale entry above) (fix log: ${dir}/fixes.json)\n`);
    expect(readFixLog(dir)[0]!.state).toBe('applied');
  });

  it('the rebuilt namespace got the freed inode number back: told apart by when it was made, still stale', async () => {
    const dir = tmp();
    const { sys, exec } = labSystem();
    sys.inodes[GW] = { inode: 4026532900, born: 'ctime 1764549930020057476' };
    await applyFix(exec, 'veth-peer-no-xdp', peerFix!, dir, sys.readers);
    sys.inodes[GW] = { inode: 4026532900, born: 'ctime 1764551111000000000' };
    sys.xdp[`${GW} g1`] = { progId: 912 };
    exec.calls.length = 0;
    const r = await undo([], { exec, readers: sys.readers, dir });
    expect(r.code).toBe(0);
    expect(exec.calls).toEqual([]);
    expect(r.stdout).toContain('namespace xdpd-gw was removed and made again (inode number 4026532900 reused, made later than the one the fix ran in); not run');
  });

  it('a namespace that is gone: stale, never run; --drop-stale takes it off the stack', async () => {
    const dir = tmp();
    const { sys, exec } = labSystem();
    const { record } = await applyFix(exec, 'veth-peer-no-xdp', peerFix!, dir, sys.readers);
    delete sys.inodes[GW];
    exec.calls.length = 0;
    expect((await undo([], { exec, readers: sys.readers, dir })).stdout).toContain('namespace xdpd-gw is gone; not run');
    expect(exec.calls).toEqual([]);
    expect(await undo(['--drop-stale'], { exec, readers: sys.readers, dir })).toEqual({ code: 0, stdout: `dropped: ${peerFix!.title} [${record.id}]; nothing was run\n`, stderr: '' });
    expect(readFixLog(dir)[0]).toMatchObject({ state: 'dropped', droppedAt: expect.any(String) });
    expect((await undo([], { exec, readers: sys.readers, dir })).stdout).toBe(`nothing to undo (fix log: ${dir}/fixes.json)\n`);
  });
});

describe('undo: same namespace', () => {
  it('still as the fix left it: the undo runs and the program it attached is detached', async () => {
    const dir = tmp();
    const { sys, exec } = labSystem();
    await applyFix(exec, 'veth-peer-no-xdp', peerFix!, dir, sys.readers);
    exec.calls.length = 0;
    const r = await undo([], { exec, readers: sys.readers, dir });
    expect(r.code).toBe(0);
    expect(exec.calls.map((c) => c.argv)).toEqual([['nsenter', `--net=${GW}`, '--', 'ip', 'link', 'set', 'dev', 'g1', 'xdpdrv', 'off']]);
    expect(sys.xdp[`${GW} g1`]).toEqual({ progId: null });
    expect(r.stdout).toMatch(/^undo: attach a dummy XDP_PASS program to the veth peer g1 .*\n\$ nsenter .* xdpdrv off\nundone: /);
  });

  it('another program on g1 since: refused, exit 1, says what changed and how to drop it; nothing runs', async () => {
    const dir = tmp();
    const { sys, exec } = labSystem();
    const { record } = await applyFix(exec, 'veth-peer-no-xdp', peerFix!, dir, sys.readers);
    sys.xdp[`${GW} g1`] = { progId: 913, mode: 'generic' };
    exec.calls.length = 0;
    const r = await undo([], { exec, readers: sys.readers, dir });
    expect(r.code).toBe(1);
    expect(exec.calls).toEqual([]);
    expect(r.stdout).toBe(
      `refused: ${peerFix!.title} [${record.id}]: the system is no longer as this fix left it:\n` +
      '  g1: program 913 (generic) attached now; the fix left program 676 (native)\n' +
      `  nothing was run; to forget this fix: xdp-doctor undo --drop ${record.id}\n`);
    expect(r.stderr).toBe('xdp-doctor undo: refused; the state changed since the fix (see above)\n');
    expect(await undo(['--drop', record.id], { exec, readers: sys.readers, dir })).toMatchObject({ code: 0 });
    expect(exec.calls).toEqual([]);
  });

  it('a sysctl moved on since the fix: refused with both values', async () => {
    const dir = tmp();
    const { sys, exec } = labSystem();
    await applyFix(exec, 'rp-filter', rpFix, dir, sys.readers);
    sys.values[`${GW} net.ipv4.conf.g2.rp_filter`] = '0';
    const r = await undo([], { exec, readers: sys.readers, dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  net.ipv4.conf.g2.rp_filter is 0 now; the fix left 2\n');
  });

  it('the stack: a stale newer entry is passed over, the older one still in place is undone; --all stops at a refusal', async () => {
    const dir = tmp();
    const { sys, exec } = labSystem();
    const other = '/run/netns/xdpd-lb';
    sys.inodes[other] = 4026532800;
    await applyFix(exec, 'rp-filter', rpFix, dir, sys.readers);
    await applyFix(exec, 'x', { title: 'in lb', netns: { kind: 'name', name: 'xdpd-lb' }, commands: [['true']], undo: [['true', 'undo']] }, dir, sys.readers);
    delete sys.inodes[other];
    exec.calls.length = 0;
    const r = await undo([], { exec, readers: sys.readers, dir });
    expect(r.stdout.split('\n')[0]).toMatch(/^stale: in lb .*namespace xdpd-lb is gone/);
    expect(exec.calls.map((c) => c.argv.slice(3))).toEqual([['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=1']]);

    const dir2 = tmp();
    const s2 = labSystem();
    await applyFix(s2.exec, 'rp-filter', rpFix, dir2, s2.sys.readers);
    await applyFix(s2.exec, 'veth-peer-no-xdp', peerFix!, dir2, s2.sys.readers);
    s2.sys.values[`${GW} net.ipv4.conf.g2.rp_filter`] = '0';
    s2.exec.calls.length = 0;
    const all = await undo(['--all'], { exec: s2.exec, readers: s2.sys.readers, dir: dir2 });
    expect(all.code).toBe(1);
    expect(s2.exec.calls.map((c) => c.argv.at(-1))).toEqual(['off']); // the newer (peer) fix only
    expect(readFixLog(dir2).map((x) => x.state)).toEqual(['applied', 'undone']);
  });
});

describe('entries logged before undo checked state', () => {
  const legacy: FixRecord = {
    id: '1764000000000-1-1', cause: 'rp-filter', title: 'old rp_filter fix', appliedAt: '2026-11-20T10:00:00.000Z', state: 'applied', ran: 1,
    commands: [['nsenter', `--net=${GW}`, '--', 'sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=2']],
    undo: [['nsenter', `--net=${GW}`, '--', 'sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=1']],
  };
  it('namespace gone: stale; still there: refused (it cannot be told from one made since); never run', async () => {
    expect(decideUndo(legacy, undefined, [])).toEqual({ verdict: 'stale', why: `namespace ${GW} is gone` });
    expect(decideUndo(legacy, { inode: 4026532900 }, [])).toMatchObject({ verdict: 'refuse', changes: [expect.stringMatching(/did not record the state the fix left/)] });
    const dir = tmp();
    writeFixLog([legacy], dir);
    const { sys, exec } = labSystem();
    const r = await undo([], { exec, readers: sys.readers, dir });
    expect(r.code).toBe(1);
    expect(exec.calls).toEqual([]);
  });
});

describe('undo --list, --drop, --help', () => {
  it('--list: the whole log, newest first, and what undo would do with each pending entry', async () => {
    const dir = tmp();
    const { sys, exec } = labSystem();
    const a = await applyFix(exec, 'rp-filter', rpFix, dir, sys.readers);
    const b = await applyFix(exec, 'veth-peer-no-xdp', peerFix!, dir, sys.readers);
    sys.xdp[`${GW} g1`] = { progId: 1 };
    const r = await undo(['--list'], { exec, readers: sys.readers, dir });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `${b.record.id}  ${b.record.appliedAt}  applied      veth-peer-no-xdp: ${peerFix!.title}`,
      '    undo would refuse:',
      '      g1: program 1 (native) attached now; the fix left program 676 (native)',
      `${a.record.id}  ${a.record.appliedAt}  applied      rp-filter: loose rp_filter on g2`,
      '    undo would run',
      '',
    ]);
    expect(exec.calls.map((c) => c.argv.slice(3, 4)[0])).toEqual(['sysctl', 'ip']); // only the fixes themselves ran
  });

  it('--drop of an unknown id: exit 2; --help describes the checks', async () => {
    const dir = tmp();
    const { sys, exec } = labSystem();
    expect(await undo(['--drop', 'nope'], { exec, readers: sys.readers, dir }))
      .toEqual({ code: 2, stdout: '', stderr: 'xdp-doctor undo: no applied fix with id "nope" (see xdp-doctor undo --list)\n' });
    expect((await undo(['--help'], { exec, readers: sys.readers, dir })).stdout).toBe(UNDO_HELP);
    expect(UNDO_HELP).toContain('the same network namespace (its inode and when it was made, not only its name)');
    expect((await undo(['--list'], { exec, readers: sys.readers, dir })).stdout).toBe(`the fix log is empty (${dir}/fixes.json)\n`);
  });
});
