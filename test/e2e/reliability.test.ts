// Hardening on the real lab: signals in every phase of a run, a tool that hangs, a trace_pipe flood, bad
// input, not root, and a crash in the middle of `lab up` — each ending with the right exit code and nothing
// left behind (no process of the run alive, no BPF program or link it loaded).
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ROOT, runCli, freshLab, uniqueLabName } from './helpers/cli.js';
import { netnsOfPrefix, waitFor } from './helpers/lab.js';
import { labStatePath } from '../../src/state-dirs.js';
import { bootCachePath } from '../../src/tools/boot-cache.js';
import { unprivilegedCopy } from './helpers/unprivileged.js';
import { expectTracePipeFree } from './helpers/rungs.js';
import { leakedLinks, leakedProgs, linkIds, peakRssMb, processesOfRun, progIds } from './helpers/leftovers.js';

const LAB = uniqueLabName('r');
const lab = (...args: string[]) => runCli(['lab', ...args, '--lab-name', LAB]);
let baseProgs: Set<number>;
let baseLinks: Set<number>;

beforeAll(async () => {
  await freshLab(LAB, ['veth-peer']);
  baseProgs = await progIds();
  baseLinks = await linkIds();
});

afterAll(async () => {
  await lab('down');
});

async function expectNothingLeft(runPid: number, context: string): Promise<void> {
  const clean = await waitFor(() => processesOfRun(runPid).length === 0, 5000);
  expect(clean ? [] : processesOfRun(runPid), `processes of the run alive after ${context}`).toEqual([]);
  // Programs bpftrace loads are freed asynchronously once their owner is gone.
  const gone = await waitFor(async () => (await leakedProgs(baseProgs)).length === 0, 5000);
  expect(gone ? [] : await leakedProgs(baseProgs), `BPF programs left after ${context}`).toEqual([]);
  const linksGone = await waitFor(async () => (await leakedLinks(baseLinks)).length === 0, 5000);
  expect(linksGone ? [] : await leakedLinks(baseLinks), `BPF links left after ${context}`).toEqual([]);
}

/** The built CLI as a child we hold the pid of (execa, argv array, CI so it never goes interactive). */
function spawnCli(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [CLI, ...args], { cwd: ROOT, reject: false, stdin: 'ignore', env: { CI: 'true', ...env }, timeout: 90_000 });
}

/**
 * Resolves when `event` holds for the run's live processes (found by XDP_DOCTOR_RUN, see leftovers.ts), polled
 * every 10 ms; `seen` keeps every command line the run showed so far. Rejects when the run ends first.
 */
function whenRun(child: ReturnType<typeof spawnCli>, event: (now: string[], seen: string[]) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    let ended = false;
    child.finally(() => { ended = true; }).catch(() => {});
    const tick = () => {
      if (ended) { reject(new Error(`the run ended before the event; it showed: ${seen.join(' | ') || 'no process'}`)); return; }
      const now = processesOfRun(child.pid!).map((p) => p.replace(/^\d+ /, ''));
      for (const c of now) if (!seen.includes(c)) seen.push(c);
      if (event(now, seen)) resolve(); else setTimeout(tick, 10);
    };
    tick();
  });
}

// Each phase of a run, recognised by the processes it starts (recorded from a run on the veth-peer lab), so a signal
// lands in that phase on every run, not at a random delay that a slow or fast machine moves elsewhere.
// The fentry probe's load is refused (EPERM) within milliseconds, quicker than a 10 ms poll can be sure to see it,
// so in that phase bpftool is reached through a shim that holds the load for 2 s first (a bash builtin wait, so the
// shim has no child of its own to orphan) and then runs the real bpftool.
const PHASES: { phase: string; event: (now: string[], seen: string[]) => boolean; slowFentryLoad?: boolean }[] = [
  { phase: 'preflight loading its fentry probe', slowFentryLoad: true, event: (now) => now.some((c) => /(^|\/)bpftool prog load \S+fentry_probe\.o /.test(c)) },
  { phase: 'tcpdump capturing on the hops', event: (now) => now.some((c) => c.startsWith('tcpdump -i ')) },
  { phase: 'bpftrace attached', event: (now) => now.some((c) => c.startsWith('bpftrace ')) },
  { phase: 'the probe running', event: (now) => now.some((c) => c.startsWith('nc ')) },
  // The rungs' reads after the window closed: a process of the run alive once the probe has come and gone.
  { phase: 'post-processing after the probe', event: (now, seen) => seen.some((c) => c.startsWith('nc ')) && !now.some((c) => c.startsWith('nc ')) && now.length > 0 },
];

describe('signals in every phase of a run', () => {
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const runs = PHASES.flatMap(({ phase, event, slowFentryLoad }) => SIGNALS.map((sig) => ({ sig, phase, event, slowFentryLoad })));
  let shims: string;
  beforeAll(async () => {
    shims = mkdtempSync(join(tmpdir(), 'xdpd-slow-'));
    const real = String((await execa('which', ['bpftool'])).stdout).trim();
    await execa('mkfifo', [join(shims, 'hold')]);
    writeFileSync(join(shims, 'bpftool'), `#!/bin/bash\ncase "$*" in *fentry_probe.o*) read -t 2 <> '${join(shims, 'hold')}' ;; esac\nexec '${real}' "$@"\n`);
    chmodSync(join(shims, 'bpftool'), 0o755);
  });
  afterAll(() => rmSync(shims, { recursive: true, force: true }));
  test.each(runs)('$sig during $phase exits 130 and leaves nothing', async ({ sig, phase, event, slowFentryLoad }) => {
    const env: Record<string, string> = slowFentryLoad ? { PATH: `${shims}:${process.env.PATH}` } : {};
    // Preflight loads its fentry probe once per boot (the answer is cached): forget it so this run loads it again.
    if (slowFentryLoad) rmSync(bootCachePath(), { force: true });
    const child = spawnCli(['--lab', '--lab-name', LAB, '--non-interactive', '--json'], env);
    // The signal is sent while a process of the run is alive, so the run cannot have finished before it.
    await whenRun(child, event);
    child.kill(sig);
    const r = await child;
    expect(r.exitCode, `stderr: ${r.stderr}`).toBe(130);
    expect(JSON.parse(String(r.stdout)).exitCode).toBe(130);
    await expectNothingLeft(child.pid!, `${sig} during ${phase}`);
  });
});

describe('tools that misbehave', () => {
  let shims: string;
  beforeAll(() => { shims = mkdtempSync(join(tmpdir(), 'xdpd-shims-')); });
  afterAll(() => rmSync(shims, { recursive: true, force: true }));
  const shim = (name: string, body: string) => {
    writeFileSync(join(shims, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(shims, name), 0o755);
  };

  test('a tcpdump that ignores SIGINT/SIGTERM is killed at the end of the window', async () => {
    shim('tcpdump', `trap '' INT TERM HUP\necho "listening on $2, link-type EN10MB" >&2\nwhile :; do sleep 1; done`);
    const child = spawnCli(['--lab', '--lab-name', LAB, '--checks', 'preflight,inventory,routing', '--json'], { PATH: `${shims}:${process.env.PATH}` });
    const report = JSON.parse(String((await child).stdout));
    const routing = report.checks.find((c: any) => c.id === 'routing');
    // The shim attaches and sees nothing, and the veth fault fails the probe: routing's one right outcome. That the
    // window ended it is shown by the report itself (a tcpdump never killed would hold the run past execa's timeout)
    // and by nothing of the run being left below.
    expect(routing.status, routing.summary).toBe('fail');
    expect(routing.summary).toBe('no probe packets were seen on any hop');
    await expectNothingLeft(child.pid!, 'a signal-ignoring tcpdump');
  });

  test('a tcpdump that never attaches does not hold the run: the hop is reported as not captured', async () => {
    shim('tcpdump', `trap '' INT TERM HUP\nwhile :; do sleep 1; done`);
    const child = spawnCli(['--lab', '--lab-name', LAB, '--checks', 'preflight,inventory,routing', '--json'], { PATH: `${shims}:${process.env.PATH}` });
    const routing = JSON.parse(String((await child).stdout)).checks.find((c: any) => c.id === 'routing');
    expect(JSON.stringify(routing.evidence)).toMatch(/did not attach within \d+ ms/);
    await expectNothingLeft(child.pid!, 'a tcpdump that never attaches');
  });

  test('a trace_pipe flood is counted, not stored: memory stays flat', async () => {
    expectTracePipeFree();
    const run = spawnCli(['--lab', '--lab-name', LAB, '--checks', 'preflight,inventory,trace-pipe', '--window', '4000', '--json']);
    let peak = 0;
    const poll = setInterval(() => { peak = Math.max(peak, peakRssMb(run.pid!) ?? 0); }, 50);
    // Once the rung reads trace_pipe, a bounded flood of FLOOD lines goes through trace_marker: three times the
    // reader's cap (5000 lines), in bursts of 300 every 10 ms (about half a second), so the ring buffer keeps the
    // rung's own marker and the whole flood lands inside the 4 s window.
    const FLOOD = 15_000;
    await whenRun(run, (now) => now.some((c) => /^cat \S+\/trace_pipe$/.test(c)));
    const writer = execa(process.execPath, ['-e', `
      const fs = require('fs'); const fd = fs.openSync('/sys/kernel/tracing/trace_marker', 'w');
      const line = 'xdp-doctor flood test line '.repeat(3); let n = 0;
      const tick = () => { for (let i = 0; i < 300 && n < ${FLOOD}; i++, n++) fs.writeSync(fd, line + n); if (n < ${FLOOD}) setTimeout(tick, 10); };
      tick();`], { reject: false });
    try {
      const r = await run;
      clearInterval(poll);
      const tp = JSON.parse(String(r.stdout)).checks.find((c: any) => c.id === 'trace-pipe');
      const lines = String(tp.evidence.find((e: any) => e.label === 'lines')?.data);
      const m = /^(\d+) from .*, (\d+) from other programs, (\d+) stale line\(s\) from before the window discarded, (\d+) beyond the cap counted, not stored$/.exec(lines);
      expect(m, lines).not.toBeNull();
      // Lines past the cap are counted, and no more than the cap are kept.
      const [ours, others, stale, dropped] = m!.slice(1).map(Number) as [number, number, number, number];
      expect(dropped).toBeGreaterThan(0);
      expect(ours + others + stale).toBeLessThanOrEqual(5000);
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThan(150);
    } finally {
      clearInterval(poll);
      writer.kill('SIGKILL');
      await writer;
    }
    await expectNothingLeft(run.pid!, 'a trace_pipe flood');
  });
});

describe('bad input runs nothing', () => {
  test('shell metacharacters in --probe are bytes in an argv, never a shell', async () => {
    const marker = `/tmp/xdpd-pwned-${process.pid}`;
    const r = await runCli(['--lab', '--lab-name', LAB, '--checks', 'preflight,inventory,routing', '--probe', `true; touch ${marker}`, '--json']);
    expect(existsSync(marker)).toBe(false);
    expect(JSON.parse(r.stdout).probe.note).toMatch(/not found|exit/);
  });
  test('a probe through a shell is refused up front', async () => {
    const r = await runCli(['--lab', '--lab-name', LAB, '--probe', 'sh -c "touch /tmp/x"']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/never through a shell/);
  });
  test('not root: preflight fails and names what is missing', async () => {
    // nobody cannot read a checkout under a private directory: it runs a world-readable copy of the build.
    const copy = unprivilegedCopy();
    try {
      const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, copy.cli, '--lab', '--lab-name', LAB, '--checks', 'preflight', '--json'], { cwd: copy.root, reject: false, env: { CI: 'true' } });
      expect(r.stdout, String(r.stderr)).not.toBe('');
      const pre = JSON.parse(String(r.stdout)).checks.find((c: any) => c.id === 'preflight');
      expect(pre.status, pre.summary).toBe('fail');
      expect(pre.summary).toMatch(/not root.*CAP_NET_ADMIN.*CAP_BPF.*run as root/);
      expect(r.exitCode).toBe(1);
    } finally {
      copy.remove();
    }
  });
});

describe('a crash in the middle of lab up', () => {
  const CRASH = uniqueLabName('k');
  test.each([150, 350, 600])('SIGKILL after %i ms, then lab down leaves nothing and lab up works again', async (ms) => {
    const child = execa(process.execPath, [CLI, 'lab', 'up', '--lab-name', CRASH], { cwd: ROOT, reject: false, stdin: 'ignore' });
    setTimeout(() => child.kill('SIGKILL'), ms);
    await child;
    const down = await runCli(['lab', 'down', '--lab-name', CRASH]);
    expect(down.exitCode).toBe(0);
    expect(await netnsOfPrefix(CRASH)).toEqual([]);
    expect(existsSync(`/sys/fs/bpf/${CRASH}`)).toBe(false);
    expect(existsSync(labStatePath(CRASH))).toBe(false);
    expect(echoServersOf(CRASH)).toEqual([]);
    const again = await runCli(['lab', 'up', '--lab-name', CRASH]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect((await runCli(['lab', 'down', '--lab-name', CRASH])).exitCode).toBe(0);
  });
});


function echoServersOf(prefix: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${d}/stat`, 'utf8'))) continue;
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes('echo-server') && cmd.includes(`--lab ${prefix}`)) out.push(`${d} ${cmd}`);
    } catch { /* gone */ }
  }
  return out;
}
