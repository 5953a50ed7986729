// The wizard end to end: the real built binary in a real pseudo-terminal (tmux, on its own server socket), on the
// lab with the blog's veth-peer fault. Without --lab the start screen offers the lab; we choose it, climb every rung
// with Enter, read ENXIO and the fix on the final screen, press f then y, and the lab's probe passes afterwards.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ROOT, requireLabEnvironment, runCli, uniqueLabName } from './helpers/cli.js';

const LAB = uniqueLabName('w');
const SOCKET = `xdpd-${LAB}`;
const lab = (...args: string[]) => runCli(['lab', ...args, '--lab-name', LAB]);
const tmux = (...args: string[]) => execa('tmux', ['-L', SOCKET, ...args], { reject: false });

async function screen(): Promise<string> {
  const r = await tmux('capture-pane', '-p', '-t', LAB);
  return String(r.stdout);
}

/** Polls the visible screen until `cond` holds; the error shows the last screen. */
async function until(cond: (s: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let s = '';
  for (;;) {
    s = await screen();
    if (cond(s)) return s;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const keys = (...k: string[]) => tmux('send-keys', '-t', LAB, ...k);

let stateDir: string;
let exitFile: string;
const EXIT_CODE = join(ROOT, 'test', 'e2e', 'helpers', 'exit-code.mjs');

beforeAll(async () => {
  await requireLabEnvironment();
  await lab('down');
  const up = await lab('up', '--fault', 'veth-peer');
  if (up.exitCode !== 0) throw new Error(`lab up failed: ${up.stderr}${up.stdout}`);
  // The fix is logged with its undo; keep that log out of the machine's /var/lib.
  stateDir = mkdtempSync(join(tmpdir(), 'xdpd-wizard-state-'));
  exitFile = join(stateDir, 'exit-code');
});

afterAll(async () => {
  await tmux('kill-server');
  // kill-server leaves the socket file behind.
  rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, SOCKET), { force: true });
  await lab('down');
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the wizard in a terminal', () => {
  test('start screen → the lab → every rung with Enter → ENXIO and the fix → f, y → the probe passes', async () => {
    // A person at a terminal: no CI in the environment (the test runner may set it), a real TERM.
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CI' && k !== 'NO_COLOR') env[k] = v;
    Object.assign(env, { TERM: 'xterm-256color', XDP_DOCTOR_STATE_DIR: stateDir });
    const started = Date.now();
    try {
      const created = await execa('tmux', ['-L', SOCKET, '-f', '/dev/null', 'new-session', '-d', '-s', LAB, '-x', '100', '-y', '40',
        process.execPath, EXIT_CODE, exitFile, process.execPath, CLI, '--lab-name', LAB], { cwd: ROOT, env, extendEnv: false, reject: false });
      expect(created.exitCode, String(created.stderr)).toBe(0);
      await tmux('set-option', '-t', LAB, 'remain-on-exit', 'on');

      // The start screen offers the lab; --lab-name preselects it, but walk to it if it is not the selected row.
      let s = await until((x) => /which XDP program should we examine/.test(x) && x.includes(`"${LAB}"`), 'the start screen with the lab', 20_000);
      const listedMs = Date.now() - started;
      for (let i = 0; i < 30 && !new RegExp(`› the built-in lab "${LAB}"`).test(s); i++) {
        await keys('Down');
        s = await screen();
      }
      expect(s).toMatch(new RegExp(`› the built-in lab "${LAB}" — up · fault: veth-peer`));
      await keys('Enter');
      await until((x) => x.includes(`climbing the ladder on the built-in lab ${LAB}`) || /▸ next:/.test(x), 'the ladder to start', 20_000);

      // Every rung after the first waits for Enter, except those that share the probe window opened before them.
      const stepped: string[] = [];
      for (;;) {
        s = await until((x) => /▸ next: .+/.test(x) || /^Diagnosis/m.test(x), 'the next rung or the diagnosis', 90_000);
        const next = /▸ next: (.+)/.exec(s)?.[1]?.trim();
        if (!next) break;
        stepped.push(next);
        await keys('Enter');
        await until((x) => !x.includes(`▸ next: ${next}`), `rung "${next}" to start`, 20_000);
        if (stepped.length > 30) throw new Error(`too many rungs: ${stepped.join(', ')}`);
      }
      // Enter on the route opens the probe window: the other observing rungs run in it, with the same one probe,
      // without being asked for; the rungs that only read (maps, dissection, errno) still wait for Enter.
      expect(stepped).toEqual(expect.arrayContaining(['Route (tcpdump along the path)', 'Maps (bpftool map dump)']));
      for (const shared of ['Verdicts (xdpdump entry/exit)', 'Driver XDP counters (ethtool -S)', 'XDP tracepoints (bpftrace)']) {
        expect(stepped).not.toContain(shared);
      }

      // The end: the diagnosis names ENXIO, and the fix is on screen as the exact command.
      s = await until((x) => /exit 1/.test(x) && x.includes('f apply fix'), 'the final screen', 30_000);
      expect(s).toMatch(/^Diagnosis/m);
      expect(s).toContain('ENXIO');
      expect(s).toMatch(/ENXIO \(errno 6/);
      expect(s).toMatch(/fix: attach a dummy XDP_PASS program to the veth peer g1/);
      expect(s).toMatch(new RegExp(`\\$ nsenter --net=/run/netns/${LAB}-gw -- ip link set dev g1 xdpdrv obj`));
      expect(s).toMatch(/Route {2}client ✓ → gateway ✓ → lb ◆ → gateway ✗ → real ·/);
      expect((await lab('probe')).exitCode).not.toBe(0);

      await keys('f');
      s = await until((x) => x.includes('Apply it? y yes · n no'), 'the fix confirmation', 10_000);
      expect(s).toContain(`$ nsenter --net=/run/netns/${LAB}-gw -- ip link set dev g1 xdpdrv`);
      await keys('y');
      s = await until((x) => /✓ the fix worked|✗ not fixed/.test(x), 'the fix result', 90_000);
      if (!s.includes('✓ the fix worked')) {
        const all = String((await tmux('capture-pane', '-p', '-S', '-300', '-t', LAB)).stdout);
        throw new Error(`the fix did not work; the whole terminal:\n${all}`);
      }
      s = await until((x) => /fix worked · exit 0/.test(x), 'the summary after the fix', 10_000);
      expect(s).toContain('Diagnosis: nothing wrong found');

      const probe = await lab('probe');
      expect(probe.exitCode, probe.stdout + probe.stderr).toBe(0);

      // From start to summary, no Node warning reached the screen (the AbortSignal listener leak printed one).
      const whole = String((await tmux('capture-pane', '-p', '-S', '-3000', '-t', LAB)).stdout);
      expect(whole).not.toMatch(/\(node:\d+\)|MaxListenersExceededWarning|Warning: /);

      // q quits; the fix worked, so the exit code is 0 (written by the wrapper: tmux's pane status is unreliable).
      await keys('q');
      let code: string | undefined;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && code === undefined) {
        code = existsSync(exitFile) ? readFileSync(exitFile, 'utf8') : undefined;
        if (code === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(code).toBe('0');
      // The summary stays on the terminal after the exit.
      s = await screen();
      expect(s).toContain('✓ the fix worked');
      expect(s).toMatch(/fix worked · exit 0/);
      console.log(`wizard e2e: start screen listing the lab after ${listedMs} ms; rungs stepped with Enter: ${stepped.length}`);
    } finally {
      await tmux('kill-session', '-t', LAB);
    }
  }, 300_000);
});
