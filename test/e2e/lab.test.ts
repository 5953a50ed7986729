// The lab end to end, through the built CLI as root on the real kernel: healthy up, each fault breaks the probe and
// its fix restores it, bad input is refused, and `lab down` leaves nothing behind.
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FAULT_IDS, LAB_FAULTS } from '../../src/lab/faults.js';
import { labTarget } from '../../src/lab/target.js';
import { realExec } from '../../src/tools/exec.js';
import { labStatePath } from '../../src/state-dirs.js';
import { ROOT, runCli, requireLabEnvironment, uniqueLabName } from './helpers/cli.js';
import { labState, loadedProgIds, netnsOfPrefix, processAlive, waitFor } from './helpers/lab.js';
import { unprivilegedCopy } from './helpers/unprivileged.js';

const LAB = uniqueLabName('t');
const lab = (...args: string[]) => runCli(['lab', ...args, '--lab-name', LAB]);

// What each fault looks like in `lab probe` on kernel 6.18: where the packets stop and the counter that says why.
const FAULTS: { id: string; lostAfter: string; counter: RegExp }[] = [
  { id: 'params-unset', lostAfter: 'lost after: lb l0 received', counter: /lb: IpInAddrErrors \+\d+/ },
  { id: 'bad-iphdr', lostAfter: 'lost after: gw g1 received back from lb', counter: /gw: IpExtInTruncatedPkts \+\d+/ },
  { id: 'veth-peer', lostAfter: 'lost after: lb l0 received', counter: /rx_queue_0_xdp_tx_errors \+\d+/ },
  { id: 'csum-offload', lostAfter: 'lost after: real r0 received', counter: /real: TcpInCsumErrors \+\d+/ },
];

beforeAll(async () => {
  await requireLabEnvironment();
  await lab('down'); // leftovers of an earlier crashed run with the same pid-derived name
});

afterAll(async () => {
  await lab('down');
});

describe('bad input', () => {
  test('unknown fault exits 2 and lists the valid ones', async () => {
    const r = await lab('up', '--fault', 'nope');
    expect(r.exitCode).toBe(2);
    for (const f of FAULTS) expect(r.stderr).toContain(f.id);
    expect(await netnsOfPrefix(LAB)).toEqual([]);
    const b = await lab('break', 'nope');
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toContain('params-unset');
  });

  test('unknown verb, unknown flag, bad lab name and bad timeout exit 2 with a reason and a hint', async () => {
    for (const args of [['lab'], ['lab', 'sideways'], ['lab', 'up', '--frobnicate'], ['lab', 'status', '--lab-name', 'Bad_Name'],
      ['lab', 'probe', '--timeout', 'soon', '--lab-name', LAB], ['lab', 'break', '--lab-name', LAB]]) {
      const r = await runCli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('--help');
    }
  });

  test('not root: exit 1 naming what is missing', async () => {
    // nobody cannot read a checkout under a private directory: it runs a world-readable copy of the build.
    const copy = unprivilegedCopy();
    try {
      const r = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, copy.cli, 'lab', 'status', '--lab-name', LAB], { cwd: copy.root, reject: false });
      expect(r.exitCode, String(r.stderr)).toBe(1);
      expect(String(r.stderr)).toContain('must run as root');
    } finally {
      copy.remove();
    }
  });

  test('verbs on a lab that is not up exit 1 and say so', async () => {
    const r = await lab('probe');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`lab ${LAB} is not up`);
  });
});

describe('lab lifecycle', () => {
  let state: any;

  test('up builds a healthy lab and the probe echoes', async () => {
    const up = await lab('up');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toContain('healthy (no faults)');
    console.log(`lab up: ${up.durationMs} ms`);
    expect((await netnsOfPrefix(LAB)).sort()).toEqual(['client', 'gw', 'lb', 'real'].map((n) => `${LAB}-${n}`));
    state = labState(LAB);
    expect(state.phase).toBe('up');
    expect(processAlive(state.echoPid)).toBe(true);

    const p = await lab('probe');
    expect(p.exitCode, p.stdout + p.stderr).toBe(0);
    expect(p.stdout).toContain('probe ok');
    console.log(`lab probe (healthy): ${p.durationMs} ms`);
  });

  test('status --json shows the three native programs, the params and no faults', async () => {
    const r = await lab('status', '--json');
    expect(r.exitCode).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.phase).toBe('up');
    const xdp = Object.fromEntries(s.interfaces.map((i: any) => [i.iface, i.xdp]));
    expect(xdp.l0).toMatchObject({ mode: 'native', name: 'xdp_prog_func', object: 'xdp_lb.o' });
    expect(xdp.g1).toMatchObject({ mode: 'native', name: 'xdp_pass' });
    expect(xdp.r0).toMatchObject({ mode: 'native', name: 'xdp_decap' });
    expect(xdp.c0).toBeNull();
    // Host byte order, as in the blog's dump: 10.111.221.11 = 175103243.
    expect(s.params).toMatchObject({ saddr: 175103243, daddr: 175103499, vip: 3232238081 });
    expect(s.faults).toEqual([]);
  });

  test('labTarget describes the running lab, and its probe is the one `lab probe` sends', async () => {
    const t = await labTarget(LAB);
    if ('error' in t) throw new Error(t.error);
    expect(t).toMatchObject({ kind: 'lab', iface: 'l0', labName: LAB, netns: { kind: 'name', name: `${LAB}-lb` }, windowMs: 3000, expect: [] });
    expect(t.hops.map((h) => `${h.node} ${h.iface}`)).toEqual(['client c0', 'gateway g0', 'gateway g1', 'lb l0', 'gateway g2', 'real r0']);
    expect(t.hops.filter((h) => h.xdp).map((h) => h.iface)).toEqual(['l0']);
    // The node is named for people (gateway); the namespace keeps the lab's own name (LAB-gw).
    expect(t.hops.map((h) => (h.netns?.kind === 'name' ? h.netns.name : '?'))).toEqual(['client', 'gw', 'gw', 'lb', 'gw', 'real'].map((n) => `${LAB}-${n}`));
    expect(t.nstatNodes?.map((n) => n.node)).toEqual(['client', 'gw', 'lb', 'real']);
    const p = t.probe!;
    const r = await realExec.run(p.argv, { netns: p.netns, input: p.input, timeoutMs: p.timeoutMs });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(p.expectStdout);
    expect(await labTarget('nolab-x')).toMatchObject({ error: expect.stringContaining('not up') });
    expect(await labTarget('Bad/Name')).toMatchObject({ error: expect.stringContaining('invalid lab name') });
  });

  test('LAB_FAULTS: each fix undoes its break, runs in one namespace and is verified by the probe', () => {
    const ctx = { prefix: LAB, g1Mac: state.macs['gw/g1'], objects: { lb: 'lb.o', lbBadhdr: 'bad.o', pass: 'pass.o', decap: 'decap.o' }, ipv6: false };
    expect(Object.keys(LAB_FAULTS).sort()).toEqual([...FAULT_IDS].sort());
    for (const id of FAULT_IDS) {
      const f = LAB_FAULTS[id];
      expect(f.description.length).toBeGreaterThan(40);
      const b = f.break(ctx);
      const x = f.fix(ctx);
      expect(x.undo).toEqual(b.commands);
      expect(x.verify).toBe('probe');
      expect(x.netns).toEqual({ kind: 'name', name: `${LAB}-${f.node}` });
      expect([...b.commands, ...x.commands].every((argv) => argv.every((a) => typeof a === 'string' && a.length > 0))).toBe(true);
    }
  });

  test('a second up refuses and leaves the running lab alone', async () => {
    const r = await lab('up');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('already up');
    expect((await lab('probe')).exitCode).toBe(0);
  });

  for (const f of FAULTS) {
    test(`${f.id}: break fails the probe where expected, fix restores it`, async () => {
      const b = await lab('break', f.id);
      expect(b.exitCode, b.stderr).toBe(0);
      expect(labState(LAB).faults).toEqual([f.id]);
      if (f.id === 'bad-iphdr') {
        const s = JSON.parse((await lab('status', '--json')).stdout);
        expect(s.interfaces.find((i: any) => i.iface === 'l0').xdp.object).toBe('xdp_lb_badhdr.o');
      }
      const broken = await lab('probe');
      expect(broken.exitCode, broken.stdout).toBe(1);
      expect(broken.stdout).toContain('probe FAILED');
      expect(broken.stdout).toContain(f.lostAfter);
      expect(broken.stdout).toMatch(f.counter);

      const x = await lab('fix', f.id);
      expect(x.exitCode, x.stderr).toBe(0);
      expect(labState(LAB).faults).toEqual([]);
      const fixed = await lab('probe');
      expect(fixed.exitCode, fixed.stdout).toBe(0);
    });
  }

  test('down removes namespaces, pins, echo server, state file and programs; twice is fine', async () => {
    const t = Date.now();
    const d = await lab('down');
    expect(d.exitCode, d.stderr).toBe(0);
    console.log(`lab down: ${Date.now() - t} ms`);
    expect(await netnsOfPrefix(LAB)).toEqual([]);
    expect(existsSync(`/sys/fs/bpf/${LAB}`)).toBe(false);
    expect(existsSync(labStatePath(LAB))).toBe(false);
    expect(processAlive(state.echoPid)).toBe(false);
    const ids = Object.values(state.progIds) as number[];
    expect(ids.length).toBe(3);
    // Namespace teardown in the kernel is asynchronous: the programs go when their devices are unregistered.
    expect(await waitFor(async () => { const live = await loadedProgIds(); return ids.every((id) => !live.has(id)); }, 15_000)).toBe(true);

    const again = await lab('down');
    expect(again.exitCode).toBe(0);
  });

  test('up --fault applies faults at build time; down cleans up without a state file', async () => {
    const up = await lab('up', '--fault', 'veth-peer', '--fault', 'csum-offload');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(labState(LAB).faults).toEqual(['veth-peer', 'csum-offload']);
    const s = JSON.parse((await lab('status', '--json')).stdout);
    expect(s.interfaces.find((i: any) => i.iface === 'g1').xdp).toBeNull();
    const p = await lab('probe', '--timeout', '2000');
    expect(p.exitCode).toBe(1);
    expect(p.stdout).toContain('lost after: lb l0 received');

    // A crash mid-up leaves no trustworthy state file: down must find the leftovers by name.
    const pid = labState(LAB).echoPid;
    rmSync(labStatePath(LAB));
    const d = await lab('down');
    expect(d.exitCode).toBe(0);
    expect(await netnsOfPrefix(LAB)).toEqual([]);
    expect(existsSync(`/sys/fs/bpf/${LAB}`)).toBe(false);
    expect(processAlive(pid)).toBe(false);
  });

  test('a step failing mid-up tears down what was built and names the step', async () => {
    // Same objects, but the decap is not an ELF file: its load fails after namespaces, veths and the LB exist.
    const dir = mkdtempSync(join(tmpdir(), 'xdpd-objs-'));
    try {
      for (const o of ['xdp_lb.o', 'xdp_lb_badhdr.o', 'xdp_pass.o']) copyFileSync(join(ROOT, 'bpf', 'build', o), join(dir, o));
      writeFileSync(join(dir, 'xdp_decap.o'), 'not an ELF object\n');
      const r = await runCli(['lab', 'up', '--lab-name', LAB], { env: { XDP_DOCTOR_BPF_DIR: dir } });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('lab up failed');
      expect(r.stderr).toContain('xdp_decap.o');
      expect(r.stdout).toContain('cleaning up');
      expect(await netnsOfPrefix(LAB)).toEqual([]);
      expect(existsSync(`/sys/fs/bpf/${LAB}`)).toBe(false);
      expect(labState(LAB)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
