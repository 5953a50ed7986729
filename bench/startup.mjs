// Start-up: `xdp-doctor --version` against `node -e 0` (spawn to exit), the time to Ink's first frame in a real
// TTY (tmux; the splash painted before Ink loads is reported beside it), and an import audit: which modules
// --version, --help, explain and the non-interactive ladder load (Ink and React must not be among them).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { now, removeTmuxSocket, run } from './lib/proc.mjs';
import { CLI, ROOT } from './lib/lab.mjs';
import { START_QUESTION } from './lib/expect.mjs';

/** One sample each, interleaved so drift and noise hit both alike. */
export async function versionSample() {
  const base = await run(['node', '-e', '0']);
  const version = await run(['node', CLI, '--version']);
  if (version.code !== 0) throw new Error(`xdp-doctor --version failed: ${version.stderr.trim()}`);
  return { nodeMs: base.ms, versionMs: version.ms };
}

/** The environment of a person at a terminal: no CI, a real TERM (tmux sets its own inside the pane). */
export function ttyEnv() {
  const env = { ...process.env };
  delete env.CI;
  delete env.TMUX;
  return env;
}

/**
 * Spawns argv in a detached tmux pane of 100×30 on a private server and polls capture-pane until the pane shows
 * something. ms: from just before `tmux new-session` to the poll that saw the first non-empty frame.
 */
let frames = 0;

/** tmux sockets this bench may have left behind (run.mjs kills their servers on Ctrl-C). */
export const tmuxSockets = () => Array.from({ length: frames }, (_, i) => `xdpd-bench-${process.pid}-${i + 1}`);

export async function firstFrame(argv, { timeoutMs = 10_000, until } = {}) {
  // A server of its own each time: a new session on a socket whose server is still shutting down fails.
  const socket = `xdpd-bench-${process.pid}-${++frames}`;
  const tmux = (...a) => ['tmux', '-L', socket, ...a];
  const t0 = now();
  try {
    // More than one argument after the options: tmux runs them directly, no shell in between.
    const started = await run(tmux('new-session', '-d', '-x', '100', '-y', '30', '-s', 'frame', ...argv), { env: ttyEnv() });
    if (started.code !== 0) throw new Error(`tmux new-session failed: ${started.stderr.trim()}`);
    let first;
    for (;;) {
      const cap = await run(tmux('capture-pane', '-p', '-t', 'frame'));
      const ms = now() - t0;
      const frame = cap.stdout.replace(/\s+$/, '');
      if (cap.code === 0 && frame.trim() && !first) {
        first = { ms, frame };
        if (!until) return first;
      }
      // `until`: the frame that answers the question the caller asks (for the wizard, its start screen), not merely
      // the next different one (a spinner's next glyph, an error, a half-drawn screen would all differ).
      if (first && until && cap.code === 0 && until(frame)) return { ...first, changedMs: ms, changedFrame: frame };
      if (cap.code !== 0) return first ?? { ms: undefined, error: `pane closed before anything was shown: ${cap.stderr.trim()}` };
      if (ms > timeoutMs) return first ?? { ms: undefined, error: `nothing on screen after ${timeoutMs} ms` };
    }
  } finally {
    await run(tmux('kill-server'));
    removeTmuxSocket(socket);
  }
}

/**
 * The wizard's start-up in a real TTY. Headline: Ink's first real frame (inkMs), the first screen that asks the
 * start screen's question (START_QUESTION); the splash line main.ts paints before Ink loads (splashMs) is reported
 * beside it: it says nothing about Ink.
 */
export async function wizardSample() {
  // The same pane with a process that prints at once: tmux and node start-up, for context. First, so that it
  // does not share the CPU with the wizard's process winding down.
  const plain = await firstFrame(['node', '-e', 'process.stdout.write("ready"); setTimeout(() => {}, 5000)']);
  const wizard = await firstFrame(['node', CLI], { until: (frame) => START_QUESTION.test(frame) });
  const inkError = wizard.error ?? (wizard.changedMs === undefined ? 'the start screen\'s question was not on screen within 10 s' : undefined);
  return {
    inkMs: wizard.changedMs, inkFrame: wizard.changedFrame, splashMs: wizard.ms, splashFrame: wizard.frame,
    wizardError: inkError, tmuxNodeMs: plain.ms,
  };
}

const UI_PACKAGES = /\/node_modules\/(ink|react|react-reconciler|yoga-layout|ink-spinner|scheduler)\//;

/** Modules each command loads, through a loader hook (bench/lib/import-hook.mjs). */
export async function importAudit(lab) {
  const commands = {
    '--version': ['--version'],
    '--help': ['--help'],
    'explain 6': ['explain', '6', '--tracepoint', 'xdp_bulk_tx', '--driver', 'veth'],
    'non-interactive ladder': ['--lab', '--lab-name', lab, '--non-interactive', '--json'],
  };
  const dir = mkdtempSync(join(tmpdir(), 'xdpd-bench-imports-'));
  const out = {};
  try {
    for (const [name, args] of Object.entries(commands)) {
      const file = join(dir, `${name.replace(/\W+/g, '_')}.log`);
      const r = await run(['node', '--import', join(ROOT, 'bench', 'lib', 'trace-imports.mjs'), CLI, ...args], {
        env: { BENCH_IMPORT_LOG: file }, timeoutMs: 120_000,
      });
      let urls = [];
      try { urls = readFileSync(file, 'utf8').split('\n').filter(Boolean); } catch { /* nothing loaded */ }
      const pkgs = [...new Set(urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter(Boolean))].sort();
      out[name] = {
        exit: r.code,
        modules: urls.filter((u) => u.startsWith('file:')).length,
        packages: pkgs,
        loadsInkOrReact: urls.some((u) => UI_PACKAGES.test(u)),
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
