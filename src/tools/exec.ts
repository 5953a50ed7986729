// How xdp-doctor runs every external command: an argv array (never a shell), an optional network
// namespace entered with nsenter (ip netns exec would remount /sys and hide bpffs/tracefs), a timeout,
// an AbortSignal, and a registry that kills whatever is still alive on exit, Ctrl-C, SIGTERM and SIGHUP.
import { execa, type ResultPromise } from 'execa';
import { inNetns, type NetnsRef } from './netns.js';
import { onShutdown } from '../shutdown.js';
import { linkedSignal } from './linked-signal.js';
import { attachTimeoutMs } from './attach-timeout.js';

export { inNetns, netnsPath } from './netns.js';

export interface RunOptions {
  netns?: NetnsRef;
  timeoutMs?: number;
  signal?: AbortSignal;
  input?: string;
  env?: Record<string, string>;
  /** run(): stdout kept at most this many bytes; the command is ended there and the result says `truncated`. */
  maxBytes?: number;
}

export interface RunResult {
  argv: string[];
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Could not be started at all (binary missing): the message says which. */
  notFound: boolean;
  durationMs: number;
  ok: boolean;
  /** run() stopped the command at maxBytes of output: stdout is a prefix. */
  truncated?: boolean;
}

export interface SpawnOptions extends RunOptions {
  /** Lines kept per stream; later lines are counted, not stored (trace_pipe floods). */
  maxLines?: number;
  onLine?(line: string, stream: 'stdout' | 'stderr'): void;
  /** The collector is attached when a line matches; without it, when the process has spawned. */
  readyWhen?(line: string, stream: 'stdout' | 'stderr'): boolean;
  /** A collector that has not attached by then is stopped and its ready promise rejects (default: the one attach timeout). */
  readyTimeoutMs?: number;
}

export interface CollectorResult extends RunResult {
  stdoutLines: string[];
  stderrLines: string[];
  /** Lines seen beyond maxLines. */
  droppedLines: number;
}

export interface Collector {
  argv: string[];
  /** Resolves when attached (readyWhen matched); rejects if the process ends or fails first. */
  ready: Promise<void>;
  /** Ends the process (SIGINT first so tools flush, then SIGKILL) and returns what it printed. */
  stop(graceMs?: number): Promise<CollectorResult>;
  /** Resolves when the process exits on its own or after stop(). */
  done: Promise<CollectorResult>;
  /** Sends a signal while it runs (bpftrace prints its maps on SIGUSR1 and goes on). Absent on fakes. */
  sendSignal?(signal: NodeJS.Signals): void;
  /**
   * SIGKILL, and what it printed so far, without waiting for the exit: for a tool whose output is complete
   * before it ends and whose end is slow (bpftrace's probes take ~0.5 s to detach in the kernel). Absent on fakes.
   */
  abandon?(): CollectorResult;
  /** The process's id once spawned (its /proc entry names its namespaces). Absent on fakes. */
  pid?: number;
}

/** Everything that can execute commands. Checks reach it only through ctx.tools, so tests inject fakes. */
export interface Exec {
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  spawn(argv: string[], opts?: SpawnOptions): Collector;
  /**
   * When a collector last printed a line (performance.now() ms), undefined before the first. The probe window
   * ends its drain once collectors have gone quiet; an Exec without it gets the fixed drain.
   */
  lastOutputAt?(): number | undefined;
  /**
   * The machine's own processes (not a fake, not a dry run): a tool may then prepare the ground its process
   * needs with further processes (bpftrace's events view, tools/events-view.ts). Absent on fakes.
   */
  real?: boolean;
}

// C locale: parsers read English tool output. XDP_DOCTOR_RUN marks every process a run starts (it survives
// nsenter and re-parenting), so an operator or a test can find anything a run left behind.
const CHILD_ENV = { LC_ALL: 'C', XDP_DOCTOR_RUN: String(process.pid) };

/** stop() repeats SIGINT this often until the collector exits (see stop()). */
const SIGINT_REPEAT_MS = 200;

/** performance.now() of the last line any collector printed (see Exec.lastOutputAt). */
let lastLineAt: number | undefined;

// Every live child, so an exit path can end them all.
const live = new Set<ResultPromise>();
let handlersInstalled = false;

export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const child of live) {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

export function liveChildCount(): number {
  return live.size;
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // SIGTERM first (tcpdump and bpftrace flush and detach), SIGKILL on exit for anything left.
  onShutdown(() => killAllChildren('SIGTERM'));
  process.on('exit', () => killAllChildren('SIGKILL'));
}

function track(child: ResultPromise): void {
  installExitHandlers();
  live.add(child);
  const forget = () => live.delete(child);
  child.then(forget, forget);
}

function toResult(argv: string[], r: any, started: number): RunResult {
  const notFound = r?.code === 'ENOENT' || /ENOENT/.test(String(r?.originalMessage ?? ''));
  return {
    argv,
    exitCode: typeof r?.exitCode === 'number' ? r.exitCode : undefined,
    stdout: typeof r?.stdout === 'string' ? r.stdout : '',
    stderr: typeof r?.stderr === 'string' ? r.stderr : notFound ? `${argv[0]}: command not found` : String(r?.shortMessage ?? ''),
    timedOut: Boolean(r?.timedOut),
    notFound,
    durationMs: Date.now() - started,
    ok: r?.exitCode === 0 && !r?.timedOut && !r?.isCanceled,
    ...(r?.isMaxBuffer ? { truncated: true } : {}),
  };
}

export const realExec: Exec = {
  lastOutputAt: () => lastLineAt,
  real: true,

  async run(argv, opts = {}) {
    const full = inNetns(argv, opts.netns);
    const started = Date.now();
    const link = linkedSignal(opts.signal);
    const child = execa(full[0]!, full.slice(1), {
      reject: false,
      timeout: opts.timeoutMs ?? 30_000,
      cancelSignal: link.signal,
      input: opts.input,
      stdin: opts.input === undefined ? 'ignore' : undefined,
      env: { ...CHILD_ENV, ...opts.env },
      forceKillAfterDelay: 1000,
      maxBuffer: opts.maxBytes ?? 64 * 1024 * 1024,
      stripFinalNewline: false,
    });
    track(child);
    const r = await child.finally(link.release);
    return toResult(full, r, started);
  },

  spawn(argv, opts = {}) {
    const full = inNetns(argv, opts.netns);
    const started = Date.now();
    const maxLines = opts.maxLines ?? 10_000;
    const kept = { stdout: [] as string[], stderr: [] as string[] };
    let dropped = 0;
    const link = linkedSignal(opts.signal);
    const child = execa(full[0]!, full.slice(1), {
      reject: false,
      timeout: opts.timeoutMs ?? 60_000,
      cancelSignal: link.signal,
      stdin: 'ignore',
      env: { ...CHILD_ENV, ...opts.env },
      forceKillAfterDelay: 1000,
      buffer: false,
    });
    track(child);
    child.then(link.release, link.release);

    let markReady!: () => void;
    let failReady!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => { markReady = res; failReady = rej; });
    ready.catch(() => undefined); // a caller that never awaits ready must not crash the process
    let isReady = false;
    const becomeReady = () => { if (!isReady) { isReady = true; clearTimeout(attachTimer); markReady(); } };
    const attachMs = opts.readyTimeoutMs ?? attachTimeoutMs();
    // A tool that never says it is attached must not hold the window (and the run) forever.
    const attachTimer = setTimeout(() => {
      if (isReady) return;
      failReady(new Error(`${full[0] === 'nsenter' ? full[3] : full[0]} did not attach within ${attachMs} ms`));
      isReady = true;
      child.kill('SIGKILL');
    }, attachMs);
    if (!opts.readyWhen) child.once('spawn', becomeReady);

    const feed = (stream: 'stdout' | 'stderr') => {
      const source = child[stream];
      if (!source) return;
      let partial = '';
      source.setEncoding('utf8');
      source.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) take(line, stream);
      });
      source.on('end', () => { if (partial) take(partial, stream); partial = ''; });
    };
    const take = (line: string, stream: 'stdout' | 'stderr') => {
      lastLineAt = performance.now();
      if (kept[stream].length < maxLines) kept[stream].push(line); else dropped++;
      opts.onLine?.(line, stream);
      if (!isReady && opts.readyWhen?.(line, stream)) becomeReady();
    };
    feed('stdout');
    feed('stderr');

    const done: Promise<CollectorResult> = child.then(
      (r) => finish(r),
      (e) => finish(e),
    );
    function finish(r: any): CollectorResult {
      clearTimeout(attachTimer);
      if (!isReady) failReady(new Error(describeEarlyExit(full, r, kept.stderr)));
      const base = toResult(full, r, started);
      return {
        ...base,
        stdout: kept.stdout.join('\n'),
        stderr: kept.stderr.join('\n') || base.stderr,
        stdoutLines: kept.stdout,
        stderrLines: kept.stderr,
        droppedLines: dropped,
      };
    }

    const running = () => child.exitCode === null && child.signalCode === null;
    return {
      argv: full,
      pid: child.pid,
      ready,
      done,
      sendSignal(signal) {
        if (running()) child.kill(signal);
      },
      abandon() {
        if (running()) child.kill('SIGKILL');
        return {
          argv: full, exitCode: undefined, timedOut: false, notFound: false, durationMs: Date.now() - started, ok: false,
          stdout: kept.stdout.join('\n'), stderr: kept.stderr.join('\n'),
          stdoutLines: [...kept.stdout], stderrLines: [...kept.stderr], droppedLines: dropped,
        };
      },
      async stop(graceMs = 1500) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGINT');
          // Repeated until it exits: bpftrace 0.17 sometimes misses a single SIGINT (about 1 run in 10 here) and
          // would sit until the SIGKILL below, losing its maps. A second SIGINT is harmless to every collector.
          const again = setInterval(() => child.kill('SIGINT'), SIGINT_REPEAT_MS);
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const r = await done;
          clearInterval(again);
          clearTimeout(timer);
          return r;
        }
        return done;
      },
    };
  },
};

function describeEarlyExit(argv: string[], r: any, stderr: string[]): string {
  if (r?.code === 'ENOENT') return `${argv[0]}: command not found`;
  const tail = stderr.slice(-3).join(' | ');
  return `${argv.join(' ')} exited (code ${r?.exitCode ?? r?.signal ?? '?'}) before it was attached${tail ? `: ${tail}` : ''}`;
}
