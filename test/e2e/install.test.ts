// The package a user installs, end to end, as root on the real kernel: `npm pack` builds it (prepack: tsc and the
// BPF objects) in a copy of the checkout, `npm install -g --prefix` puts it in a fresh prefix, and from there only — its own bin, a working
// directory outside the checkout, state and cache directories of its own — the lab comes up with the veth fault,
// a ladder run names ENXIO, --fix repairs it, and `lab down` leaves nothing: no namespace, pin, state file,
// process or program, and nothing written into the installed package.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, uniqueLabName } from './helpers/cli.js';
import { labState, loadedProgIds, netnsOfPrefix, processAlive, waitFor } from './helpers/lab.js';
import { leakedLinks, leakedProgs, linkIds, processesOfRun, progIds } from './helpers/leftovers.js';

const LAB = uniqueLabName('i');
const work = mkdtempSync(join(tmpdir(), 'xdpd-install-'));
const dirs = { pack: join(work, 'pack'), prefix: join(work, 'prefix'), cwd: join(work, 'cwd'), state: join(work, 'state'), cache: join(work, 'cache') };
const installed = join(dirs.prefix, 'lib', 'node_modules', 'xdp-doctor');
const bin = join(dirs.prefix, 'bin', 'xdp-doctor');

interface Run { exitCode: number; stdout: string; stderr: string; pid: number | undefined }

/** The installed bin, as a user runs it: from its own directory, with the installed copy first on PATH. */
async function xdpDoctor(...args: string[]): Promise<Run> {
  const child = execa(bin, args, {
    cwd: dirs.cwd, reject: false, timeout: 110_000, stdin: 'ignore',
    env: {
      CI: 'true', PATH: `${join(dirs.prefix, 'bin')}:${process.env.PATH}`,
      XDP_DOCTOR_STATE_DIR: dirs.state, XDP_DOCTOR_CACHE_DIR: dirs.cache,
    },
  });
  // The bin is cli.js behind `#!/usr/bin/env node`: env execs node, so this pid is xdp-doctor's (XDP_DOCTOR_RUN).
  const pid = child.pid;
  const r = await child;
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), pid };
}
const lab = (...args: string[]) => xdpDoctor('lab', ...args, '--lab-name', LAB);
const ladder = async (...args: string[]) => {
  const r = await xdpDoctor('--lab', '--lab-name', LAB, '--skip', 'trace-pipe', '--non-interactive', '--json', ...args);
  let report: any;
  try { report = JSON.parse(r.stdout); } catch { throw new Error(`--json printed no report (exit ${r.exitCode}): ${r.stderr.slice(0, 800)}`); }
  return { ...r, report };
};

/** Every file of the installed package (not its dependencies) with its size and mtime: nothing may change it. */
function snapshot(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (p !== join(installed, 'node_modules')) snapshot(p, out); continue; }
    const s = statSync(p);
    out.set(p, `${s.size} ${s.mtimeMs}`);
  }
  return out;
}

async function noProcessesOf(run: Run, what: string): Promise<void> {
  expect(run.pid, `${what}: pid`).toBeDefined();
  const clean = await waitFor(() => processesOfRun(run.pid!).length === 0, 5000);
  expect(clean ? [] : processesOfRun(run.pid!), `processes of ${what} still alive`).toEqual([]);
}

/**
 * The checkout's sources as git sees them (tracked, and new files not ignored — so an uncommitted change is packed
 * too), without dist/ or bpf/build/; node_modules linked, not copied (prepack's tsc and esbuild come from there).
 */
function copyOfSources(dest: string): string {
  const files = execaSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT }).stdout.split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(ROOT, f))) continue; // deleted in the work tree, not yet in the index
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dest, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'));
  return dest;
}

let before: Map<string, string>;
let baseProgs: Set<number>;
let baseLinks: Set<number>;

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('the install test runs the lab: run it as root');
  // state/ and cache/ are left for xdp-doctor to create: the cache must still be absent at the end.
  for (const d of [dirs.pack, dirs.cwd]) mkdirSync(d, { recursive: true });
  // prepack rebuilds dist/ and bpf/build/: the package is what npm makes, not what lies around. It runs in a copy of
  // the checkout's sources, so the checkout's own build, which other test files are running, is never replaced.
  const source = copyOfSources(join(work, 'source'));
  const pack = await execa('npm', ['pack', '--json', '--pack-destination', dirs.pack], { cwd: source, timeout: 240_000 });
  // The JSON is the last thing npm prints; anything prepack's tools print comes before it.
  const json = String(pack.stdout).slice(String(pack.stdout).search(/^\[/m));
  const tarball = join(dirs.pack, (JSON.parse(json) as { filename: string }[])[0]!.filename);
  // --prefer-offline: the dependencies are in npm's cache since `npm ci`; the registry only when they are not.
  await execa('npm', ['install', '-g', '--prefix', dirs.prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dirs.cwd, timeout: 240_000 });
  expect(existsSync(bin), `${bin} after npm install -g`).toBe(true);
  before = snapshot(installed);
  await lab('down'); // leftovers of an earlier crashed run with the same pid-derived name
  baseProgs = await progIds();
  baseLinks = await linkIds();
}, 600_000);

afterAll(async () => {
  if (existsSync(bin)) await lab('down');
  rmSync(work, { recursive: true, force: true });
});

describe('from the installed package alone', () => {
  test('--version --verbose names the installed copy and its own BPF objects', async () => {
    const r = await xdpDoctor('--version', '--verbose');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^xdp-doctor \d+\.\d+\.\d+\n/);
    expect(r.stdout).toContain(`package          ${installed}\n`);
    for (const o of ['xdp_lb.o', 'xdp_lb_badhdr.o', 'xdp_pass.o', 'xdp_decap.o', 'fentry_probe.o']) {
      expect(r.stdout).toContain(`${join(installed, 'bpf', 'build', o)}\n`);
    }
    expect(r.stdout).not.toContain(ROOT + '/');
  });

  let state: any;

  test('lab up --fault veth-peer', async () => {
    const up = await lab('up', '--fault', 'veth-peer');
    expect(up.exitCode, up.stderr + up.stdout).toBe(0);
    state = labState(LAB);
    expect(state.phase).toBe('up');
    expect(state.faults).toEqual(['veth-peer']);
    expect((await netnsOfPrefix(LAB)).sort()).toEqual(['client', 'gw', 'lb', 'real'].map((n) => `${LAB}-${n}`));
  });

  test('a ladder run names ENXIO on the veth, with the fix that loads the installed xdp_pass.o', async () => {
    const run = await ladder();
    const { exitCode, report } = run;
    expect(exitCode, run.stderr).toBe(1);
    expect(report.diagnosis[0].cause).toBe('veth-peer-no-xdp');
    expect(report.diagnosis[0].errno).toEqual({ value: 6, name: 'ENXIO' });
    expect(report.diagnosis[0].fixes[0].commands).toEqual([
      ['ip', 'link', 'set', 'dev', 'g1', 'xdpdrv', 'obj', join(installed, 'bpf', 'build', 'xdp_pass.o'), 'sec', 'xdp'],
    ]);
    const preflight = report.checks.find((c: any) => c.id === 'preflight');
    expect(preflight.evidence.find((e: any) => e.label === 'fentry').data).not.toMatch(/not tested/);
    await noProcessesOf(run, 'the ladder run');
  });

  test('--fix applies it, the probe passes, exit 0', async () => {
    const run = await ladder('--fix');
    const { exitCode, report } = run;
    expect(report.fix?.applied, run.stderr).toBe(true);
    expect(report.fix.worked).toBe(true);
    expect(report.fix.rerun.probe.ok).toBe(true);
    expect(exitCode).toBe(0);
    expect((await lab('probe')).exitCode).toBe(0);
    expect(existsSync(join(dirs.state, 'fixes.json')), 'the fix log lives in the state directory').toBe(true);
    await noProcessesOf(run, 'the --fix run');
  });

  test('lab down leaves nothing, and nothing was written into the installed package', async () => {
    const d = await lab('down');
    expect(d.exitCode, d.stderr).toBe(0);
    expect(await netnsOfPrefix(LAB)).toEqual([]);
    expect(existsSync(`/sys/fs/bpf/${LAB}`)).toBe(false);
    expect(existsSync(`/run/xdp-doctor/lab-${LAB}.json`)).toBe(false);
    expect(processAlive(state.echoPid)).toBe(false);
    await noProcessesOf(d, 'lab down');
    // Namespace teardown in the kernel is asynchronous: the programs go when their devices are unregistered.
    const ids = Object.values(state.progIds) as number[];
    expect(await waitFor(async () => { const live = await loadedProgIds(); return ids.every((id) => !live.has(id)); }, 15_000)).toBe(true);
    expect(await waitFor(async () => (await leakedProgs(baseProgs)).length === 0, 5000) ? [] : await leakedProgs(baseProgs)).toEqual([]);
    expect(await waitFor(async () => (await leakedLinks(baseLinks)).length === 0, 5000) ? [] : await leakedLinks(baseLinks)).toEqual([]);
    expect(snapshot(installed)).toEqual(before);
    expect(existsSync(dirs.cache), 'shipped objects were used: nothing was built into the cache').toBe(false);
  });
});
