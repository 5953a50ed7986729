// Process helpers for the benchmark: argv arrays only (never a shell), wall times from just before spawn to
// exit, collectors that are "ready" when their own output says so (never a fixed sleep), and a registry so
// that an error or Ctrl-C ends every child the bench started.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const live = new Set();

export const now = () => performance.now();

/** Kills every child this bench started and that is still running. */
export function killAll(signal = 'SIGKILL') {
  for (const child of live) {
    try { child.kill(signal); } catch { /* gone */ }
  }
}

export function liveCount() {
  return live.size;
}

/** argv run inside a lab namespace; nsenter keeps the host's /sys (ip netns exec would remount it). */
export function inNs(ns, argv) {
  return ns ? ['nsenter', `--net=/run/netns/${ns}`, '--', ...argv] : argv;
}

function start(argv, { env, stdin } = {}) {
  const child = spawn(argv[0], argv.slice(1), {
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C', ...env },
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  child.on('error', () => live.delete(child));
  if (stdin !== undefined) child.stdin.end(stdin);
  return child;
}

/**
 * Runs argv to completion. ms is the wall time from just before spawn to the 'exit' event.
 * Never rejects: a missing binary comes back as code null with error set.
 */
export function run(argv, { input, timeoutMs = 60_000, env, onSpawn } = {}) {
  return new Promise((resolve) => {
    const t0 = now();
    const child = start(argv, { env, stdin: input });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let error;
    child.on('error', (e) => { error = e; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ argv, code, signal, stdout, stderr, ms: now() - t0, error: error?.message, timedOut: signal === 'SIGKILL' && now() - t0 >= timeoutMs });
    });
  });
}

/** Like run(), but throws unless the exit code is 0 (for set-up steps that must work). */
export async function mustRun(argv, opts) {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    throw new Error(`${argv.join(' ')} failed (exit ${r.code ?? r.signal ?? r.error}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  }
  return r;
}

/**
 * A long-running tool (tcpdump, cat trace_pipe, bpftrace, xdpdump). `ready` resolves with the ms from spawn
 * to the first line readyWhen() accepts; it rejects if the process exits first or readyTimeoutMs passes.
 * `poke` (optional) is called every pokeMs until ready: the trace_pipe marker is re-written that way, since
 * another reader of trace_pipe may have consumed the previous one.
 */
export function collector(argv, { readyWhen, readyTimeoutMs = 30_000, env, poke, pokeMs = 500 } = {}) {
  const t0 = now();
  const child = start(argv, { env });
  const lines = { stdout: [], stderr: [] };
  let isReady = false;
  let settle;
  const ready = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  ready.catch(() => undefined);
  const timer = setTimeout(() => { if (!isReady) settle.reject(new Error(`${argv.join(' ')}: not ready after ${readyTimeoutMs} ms`)); }, readyTimeoutMs);
  let poker;
  if (poke) {
    child.once('spawn', () => { poke(); poker = setInterval(() => { if (!isReady) poke(); }, pokeMs); });
  }
  const feed = (stream) => {
    let partial = '';
    child[stream].setEncoding('utf8').on('data', (chunk) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) take(line, stream);
    });
    child[stream].on('end', () => { if (partial) take(partial, stream); partial = ''; });
  };
  const take = (line, stream) => {
    if (lines[stream].length < 20_000) lines[stream].push(line);
    if (!isReady && readyWhen?.(line, stream)) {
      isReady = true;
      clearTimeout(timer);
      clearInterval(poker);
      settle.resolve(now() - t0);
    }
  };
  feed('stdout');
  feed('stderr');
  const done = new Promise((resolve) => {
    child.on('error', (e) => { clearTimeout(timer); clearInterval(poker); settle.reject(e); resolve({ code: null, signal: null, error: e.message }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poker);
      if (!isReady) settle.reject(new Error(`${argv.join(' ')} exited (${code ?? signal}) before it was ready: ${lines.stderr.slice(-2).join(' | ')}`));
      resolve({ code, signal });
    });
  });
  if (!readyWhen) child.once('spawn', () => { isReady = true; clearTimeout(timer); settle.resolve(now() - t0); });
  return {
    argv, child, ready, lines, done,
    /**
     * SIGINT (tools flush and print on it), repeated every 250 ms because bpftrace 0.17 sometimes misses the
     * first one, then SIGKILL after graceMs. Resolves with the output once the process is gone.
     */
    async stop(graceMs = 5000) {
      const t = now();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const again = setInterval(() => child.kill('SIGINT'), 250);
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await done;
        clearInterval(again);
        clearTimeout(kill);
      }
      const r = await done;
      return { ...r, stdout: lines.stdout, stderr: lines.stderr, stopMs: now() - t };
    },
  };
}

/** `tmux -L NAME` leaves its socket file behind after kill-server: remove it, so benches leave nothing in /tmp. */
export const removeTmuxSocket = (socket) =>
  rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid()}`, socket), { force: true });
