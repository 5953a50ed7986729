// The wizard's `a` (run every remaining rung) on the lab, timed like the non-interactive ladder (ladder.mjs): the
// real built wizard in a real pseudo-terminal — `node dist/src/cli.js --lab --lab-name NAME --report FILE.json` in
// a detached tmux pane of 100×40 on a tmux server of its own, argv only, CI unset — from just before
// `tmux new-session` (the ladder's clock starts just before its spawn) until the poll of `capture-pane` that first
// shows the diagnosis screen. `a` is sent as soon as the screen offers it (the footer's "a run all…", during the
// first rung): a person who presses it at once.
//
// Probes sent: the client namespace's TcpActiveOpens before the spawn and once the diagnosis is on screen
// (lib/lab.mjs probesSentSoFar): every probe is one connect() from there, and nothing else connects from it.
// Counted over the whole run, so a probe sent before `a` would be counted too.
//
// A run counts only with the scenario's expected conclusion (lib/expect.mjs): the exit code and top cause of the
// report the wizard wrote (--report), and the wizard ending on `q` (tmux keeps the dead pane: remain-on-exit).
// Otherwise it comes back with `error` set and the bench leaves it out of every figure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { now, removeTmuxSocket, run } from './lib/proc.mjs';
import { CLI, probesSentSoFar } from './lib/lab.mjs';
import { EXPECTED, judgeRun, scenarioOf } from './lib/expect.mjs';
import { descendants } from './lib/rss.mjs';
import { ttyEnv } from './startup.mjs';

// capture-pane every 25 ms (a tmux client each time: cheap, but not free on 2 cores); whether the pane died, every 0.5 s.
const POLL_MS = 25;
const DEAD_CHECK_MS = 500;
let servers = 0;
/** Wizard processes (the panes' pids) not yet seen gone. */
const wizards = new Set();

/** tmux sockets this module may have left behind (run.mjs kills their servers on every exit path). */
export const wizardSockets = () => Array.from({ length: servers }, (_, i) => `xdpd-bench-${process.pid}-a${i + 1}`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Still running, and still our wizard (not a recycled pid). */
function isOurWizard(pid) {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(CLI); } catch { return false; }
}

/**
 * Ends a wizard that outlived its tmux server (kill-server hangs its terminal up: SIGHUP, which the wizard handles
 * by stopping its children and exiting 130): SIGTERM, the same shutdown; then, after graceMs, SIGKILL for it and
 * every process below it (a SIGKILLed wizard cannot stop its own tcpdump and bpftrace).
 */
async function stopWizard(pid, graceMs = 3000) {
  if (isOurWizard(pid)) {
    const below = descendants(pid);
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    for (const end = now() + graceMs; isOurWizard(pid) && now() < end;) await sleep(50);
    if (isOurWizard(pid)) {
      for (const p of [pid, ...below, ...descendants(pid)]) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    }
  }
  wizards.delete(pid);
}

/** kill-server leaves the socket file behind in tmux's directory: ours, by its exact name. */

/** Every wizard still running, and the servers' socket files (run.mjs, on Ctrl-C and errors, after kill-server). */
export async function stopWizards() {
  await Promise.all([...wizards].map((pid) => stopWizard(pid)));
  for (const socket of wizardSockets()) removeTmuxSocket(socket);
}

// The diagnosis screen: the summary's first line and the footer of the end phase.
const AT_DIAGNOSIS = (s) => /^Diagnosis/m.test(s) && /Markdown report/.test(s);
// The footer while the first rung runs ("a run all remaining") or at the first gate ("a run all").
const OFFERS_A = (s) => /\ba run all\b/.test(s);

export async function wizardAllRun({ lab = 'bench', faults = ['veth-peer'] } = {}) {
  const socket = `xdpd-bench-${process.pid}-a${++servers}`;
  const tmux = (...a) => run(['tmux', '-L', socket, ...a]);
  const dir = mkdtempSync(join(tmpdir(), 'xdpd-bench-wizard-'));
  const reportFile = join(dir, 'report.json');
  let screen = '';
  const capture = async () => {
    const r = await tmux('capture-pane', '-p', '-t', 'wiz');
    if (r.code === 0) screen = r.stdout;
    return r.code === 0;
  };
  const paneDead = async () => (await tmux('display-message', '-p', '-t', 'wiz', '#{pane_dead}')).stdout.trim() === '1';
  /** Polls the screen until cond holds: ms since t0 at that poll, or an error with the last screen. */
  const until = async (cond, what, t0, timeoutMs, failWhen) => {
    let checkedDead = now();
    for (;;) {
      const ok = await capture();
      const t = now();
      if (ok && cond(screen)) return t - t0;
      const failure = ok && failWhen?.(screen);
      if (failure) throw new Error(`${failure}; screen: ${lastLines(screen)}`);
      if (!ok) throw new Error(`the pane is gone while waiting for ${what}`);
      if (t - checkedDead > DEAD_CHECK_MS && (checkedDead = t) && await paneDead()) throw new Error(`the wizard exited while waiting for ${what}; screen: ${lastLines(screen)}`);
      if (t - t0 > timeoutMs) throw new Error(`no ${what} after ${timeoutMs} ms; screen: ${lastLines(screen)}`);
      await sleep(POLL_MS);
    }
  };

  const out = { ms: undefined };
  let pid;
  try {
    const before = await probesSentSoFar(lab);
    const t0 = now();
    // More than one argument after the options: tmux runs them directly, no shell. ';' is tmux's own command
    // separator: remain-on-exit keeps the pane (and the exit status) when the wizard ends.
    const started = await run(['tmux', '-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '100', '-y', '40', '-s', 'wiz',
      'node', CLI, '--lab', '--lab-name', lab, '--report', reportFile, ';', 'set-option', '-t', 'wiz', 'remain-on-exit', 'on'], { env: ttyEnv() });
    if (started.code !== 0) throw new Error(`tmux new-session failed: ${started.stderr.trim()}`);
    pid = Number((await tmux('display-message', '-p', '-t', 'wiz', '#{pane_pid}')).stdout.trim()) || undefined;
    if (pid) wizards.add(pid);
    out.keyAtMs = await until(OFFERS_A, 'key hint for a', t0, 30_000);
    const sent = await tmux('send-keys', '-t', 'wiz', 'a');
    if (sent.code !== 0) throw new Error(`tmux send-keys a failed: ${sent.stderr.trim()}`);
    // After `a` no rung waits for a key: the gate's "▸ next:" on screen means the key was not taken.
    const gate = (s) => { const m = /▸ next: (.+)/.exec(s); return m ? `a was not taken: the wizard waits at "next: ${m[1].trim()}"` : undefined; };
    out.ms = await until(AT_DIAGNOSIS, 'diagnosis screen', t0, 180_000, gate);
    out.afterKeyMs = out.ms - out.keyAtMs;
    out.screen = screen.replace(/\s+$/, '');
    const after = await probesSentSoFar(lab);
    out.probes = before !== undefined && after !== undefined ? after - before : undefined;

    // The wizard writes --report when the ladder ends, beside painting the diagnosis: wait for it briefly.
    let report;
    for (const end = now() + 10_000; !report && now() < end; await sleep(50)) {
      try { report = JSON.parse(readFileSync(reportFile, 'utf8')); } catch { /* not yet (or half written) */ }
    }
    out.topCause = report?.diagnosis?.[0]?.cause;
    // The report's own timings, as ladder.mjs reads them: the probe, when it fired after the ladder's start, each rung.
    if (report) {
      out.probeMs = report.probe ? report.probe.endedAt - report.probe.startedAt : undefined;
      out.toProbeMs = report.probe ? report.probe.startedAt - Date.parse(report.startedAt) : undefined;
      out.checks = Object.fromEntries((report.checks ?? []).map((c) => [c.id, { status: c.status, ms: c.durationMs }]));
    }

    // q quits; the pane must die within 15 s. The exit code judged is the one in the wizard's report (the verdict
    // `q` exits with): tmux 3.3a's #{pane_dead_status} is empty for exit 0 and, now and then, for exit 1 as well
    // (a wrapper recording the real code saw 1 where tmux gave nothing); a number it does give must agree.
    await tmux('send-keys', '-t', 'wiz', 'q');
    let dead;
    for (const end = now() + 15_000; now() < end; await sleep(25)) {
      const r = await tmux('display-message', '-p', '-t', 'wiz', '#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}');
      const [isDead, code, signal] = r.stdout.trim().split(':');
      if (isDead === '1') { dead = { code: code ? Number(code) : undefined, signal: signal ? Number(signal) : undefined }; break; }
    }
    out.exitCode = report?.exitCode;
    if (!dead) out.error = 'the wizard did not exit within 15 s of q';
    else if (dead.signal) out.error = `the wizard died of signal ${dead.signal} after q`;
    else if (dead.code !== undefined && dead.code !== out.exitCode) out.error = `the wizard exited ${dead.code} after q, its report says ${out.exitCode}`;
    else out.error = judgeRun({ exitCode: out.exitCode, report }, EXPECTED[scenarioOf(faults)]);
  } catch (e) {
    out.error = e.message;
  } finally {
    await tmux('kill-server');
    removeTmuxSocket(socket);
    if (pid) await stopWizard(pid);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function lastLines(s) {
  return s.replace(/\s+$/, '').split('\n').filter((l) => l.trim()).slice(-6).join(' | ');
}
