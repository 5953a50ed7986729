// The check tester's fake Exec: recorded {stdout, stderr, exitCode} (collectors: recorded lines) per argv pattern.
// A command with no recording fails loudly, naming its argv.
import type { NetnsRef } from '../../engine/types.js';
import type { Collector, CollectorResult, Exec, RunOptions, RunResult, SpawnOptions } from '../../tools/exec.js';
import { inNetns } from '../../tools/netns.js';

/** One argv element: the exact string, or a RegExp the whole element must match. */
export type ArgPattern = string | RegExp;
/** A command: exact argv (elements may be RegExps), or a predicate over argv and options. */
export type ArgvPattern = ArgPattern[] | ((argv: string[], opts: RunOptions) => boolean);

export interface Recording {
  /** The command as the check passes it to ctx.tools.exec (without the nsenter prefix). */
  argv: ArgvPattern;
  /**
   * Namespace it must run in: a name under /run/netns ("p6-gw"), a NetnsRef, or null for "no namespace".
   * Omitted: any. When several recordings match, one with a namespace wins over one without.
   */
  netns?: string | NetnsRef | null;
  stdout?: string;
  stderr?: string;
  /** Default 0. */
  exitCode?: number;
  /** The binary is not installed (RunResult.notFound). */
  notFound?: boolean;
  timedOut?: boolean;
  /**
   * run(): the command was ended at the caller's byte cap (RunOptions.maxBytes; RunResult.truncated): no exit code,
   * not ok, and stdout is the recorded text as given (record the prefix it printed before the cap).
   */
  truncated?: boolean;
  /**
   * Collectors (exec.spawn): stdout lines, delivered when the probe window fires or on stop(); those up to the one
   * the collector's readyWhen matches (bpftrace's attach marker) at once.
   */
  lines?: string[];
  /**
   * Collectors: stderr lines. Those up to the one the collector's readyWhen matches ("listening on ...") are
   * delivered at once; the rest (exit statistics) when it stops.
   */
  stderrLines?: string[];
  /** Answer after this long (honours the AbortSignal). */
  delayMs?: number;
  /** Never answer until aborted: test a check's timeout and abort handling. */
  hang?: boolean;
  /** How many calls this recording answers; default: every call. Use 1 for before/after samples. */
  times?: number;
  /**
   * What the command does to files, done as it answers (a collector: when it stops or ends): bpftool prog run
   * writes its data_out file, tcpdump -w its capture. Gets the argv as the check passed it.
   */
  effect?(argv: string[]): void;
}

export interface ExecCall {
  kind: 'run' | 'spawn';
  argv: string[];
  netns?: NetnsRef;
  /** argv as it would run: nsenter --net=... -- argv */
  full: string[];
  input?: string;
  /** The options as the caller passed them (timeout, signal; a collector's readyWhen and onLine). */
  opts?: SpawnOptions;
  recording?: Recording;
}

export interface FakeExec extends Exec {
  calls: ExecCall[];
  /** Commands that had no recording (each also threw where the check called it). */
  unmatched: ExecCall[];
  /** Delivers pending collector stdout lines (the tester calls it when the probe window fires). */
  flushCollectors(): void;
}

export class NoRecordingError extends Error {
  constructor(readonly call: ExecCall, known: Recording[]) {
    super(
      `no recording for ${call.kind} ${JSON.stringify(call.argv)}${call.netns ? ` in netns ${describeNetns(call.netns)}` : ''}` +
      `\n  as it would run: ${call.full.join(' ')}` +
      `\n  recorded: ${known.length ? known.map(describeRecording).join('\n            ') : '(nothing)'}`,
    );
    this.name = 'NoRecordingError';
  }
}

export function fakeExec(recordings: Recording[]): FakeExec {
  const used = new Map<Recording, number>();
  const calls: ExecCall[] = [];
  const unmatched: ExecCall[] = [];
  const pending = new Set<() => void>();

  const find = (call: ExecCall, opts: RunOptions): Recording | undefined => {
    const open = recordings.filter((r) => (r.times === undefined || (used.get(r) ?? 0) < r.times) && argvMatches(r.argv, call.argv, opts));
    const hit = open.find((r) => r.netns !== undefined && netnsMatches(r.netns, call.netns)) ?? open.find((r) => r.netns === undefined);
    if (hit) used.set(hit, (used.get(hit) ?? 0) + 1);
    return hit;
  };
  const record = (kind: ExecCall['kind'], argv: string[], opts: RunOptions): ExecCall => {
    const call: ExecCall = { kind, argv: [...argv], netns: opts.netns, full: inNetns(argv, opts.netns), input: opts.input, opts };
    calls.push(call);
    call.recording = find(call, opts);
    if (!call.recording) unmatched.push(call);
    return call;
  };

  return {
    calls, unmatched,
    flushCollectors() { for (const f of [...pending]) f(); },

    async run(argv, opts = {}) {
      const call = record('run', argv, opts);
      const r = call.recording;
      if (!r) throw new NoRecordingError(call, recordings);
      const aborted = await wait(r, opts.signal);
      if (aborted) return { ...result(call.full, r), exitCode: undefined, ok: false, stderr: 'canceled (AbortSignal)' };
      r.effect?.(call.argv);
      return result(call.full, r);
    },

    spawn(argv, opts: SpawnOptions = {}) {
      const call = record('spawn', argv, opts);
      const r = call.recording;
      if (!r) throw new NoRecordingError(call, recordings);
      return fakeCollector(call, r, opts, pending);
    },
  };
}

function result(full: string[], r: Recording): RunResult {
  const exitCode = r.notFound || r.truncated ? undefined : r.exitCode ?? 0;
  return {
    argv: full, exitCode,
    stdout: r.stdout ?? (r.lines ? r.lines.join('\n') : ''),
    stderr: r.stderr ?? (r.notFound ? `${full[0]}: command not found` : ''),
    timedOut: Boolean(r.timedOut), notFound: Boolean(r.notFound), durationMs: r.delayMs ?? 0,
    ok: exitCode === 0 && !r.timedOut && !r.notFound,
    ...(r.truncated ? { truncated: true } : {}),
  };
}

/** Resolves true when aborted before the recording answers. */
function wait(r: Recording, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(true);
  if (!r.hang && !r.delayMs) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = r.hang ? undefined : setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(false); }, r.delayMs);
    const onAbort = () => { clearTimeout(timer); resolve(true); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function fakeCollector(call: ExecCall, r: Recording, opts: SpawnOptions, pending: Set<() => void>): Collector {
  const full = call.full;
  const maxLines = opts.maxLines ?? 10_000;
  const kept = { stdout: [] as string[], stderr: [] as string[] };
  let dropped = 0;
  let isReady = false;
  let finished: CollectorResult | undefined;
  let markReady!: () => void;
  let failReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => { markReady = res; failReady = rej; });
  ready.catch(() => undefined);
  let resolveDone!: (c: CollectorResult) => void;
  const done = new Promise<CollectorResult>((res) => { resolveDone = res; });

  const take = (line: string, stream: 'stdout' | 'stderr') => {
    if (kept[stream].length < maxLines) kept[stream].push(line); else dropped++;
    opts.onLine?.(line, stream);
    if (!isReady && opts.readyWhen?.(line, stream)) { isReady = true; markReady(); }
  };
  let stderrNext = 0;
  const deliverStderr = (untilReady: boolean) => {
    const lines = r.stderrLines ?? [];
    while (stderrNext < lines.length && !(untilReady && isReady)) take(lines[stderrNext++]!, 'stderr');
  };
  let stdoutNext = 0;
  /** Up to readiness only (a tool that says it attached on stdout: bpftrace), or every line. */
  const deliverStdoutLines = (untilReady: boolean) => {
    const lines = r.lines ?? [];
    while (stdoutNext < lines.length && !(untilReady && isReady)) take(lines[stdoutNext++]!, 'stdout');
  };
  const deliverStdout = () => {
    pending.delete(deliverStdout);
    deliverStdoutLines(false);
  };
  const finish = (canceled: boolean): CollectorResult => {
    if (finished) return finished;
    if (!r.notFound) r.effect?.(call.argv);
    deliverStdout();
    deliverStderr(false);
    if (!isReady) {
      isReady = true;
      failReady(new Error(r.notFound ? `${full[0]}: command not found` : `${full.join(' ')} exited (code ${r.exitCode ?? 0}) before it was attached${kept.stderr.length ? `: ${kept.stderr.slice(-3).join(' | ')}` : ''}`));
    }
    const base = result(full, r);
    finished = {
      ...base,
      ...(canceled ? { exitCode: undefined, ok: false } : {}),
      stdout: kept.stdout.join('\n'), stderr: kept.stderr.join('\n') || base.stderr,
      stdoutLines: kept.stdout, stderrLines: kept.stderr, droppedLines: dropped,
    };
    resolveDone(finished);
    return finished;
  };

  // Started: the lines up to readiness at once (stderr's "listening on", or a ready line on stdout); the rest of
  // stdout when traffic flows (window) or at stop().
  pending.add(deliverStdout);
  queueMicrotask(() => {
    if (r.notFound) { finish(false); return; }
    if (!opts.readyWhen) { isReady = true; markReady(); }
    if (opts.readyWhen) deliverStderr(true);
    const readyOnStdout = (r.lines ?? []).some((l) => opts.readyWhen?.(l, 'stdout'));
    if (opts.readyWhen && !isReady && readyOnStdout) deliverStdoutLines(true);
    if (opts.readyWhen && !isReady && !readyOnStdout) finish(false);
  });
  // Removed when the collector ends on its own: the signal may be the whole run's.
  const onAbort = () => finish(true);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  void done.then(() => opts.signal?.removeEventListener('abort', onAbort));

  return {
    argv: full, ready, done,
    async stop() {
      await Promise.resolve(); // let the start microtask run for a collector stopped at once
      return finish(false);
    },
  };
}

export function argvMatches(pattern: ArgvPattern, argv: string[], opts: RunOptions): boolean {
  if (typeof pattern === 'function') return pattern(argv, opts);
  return pattern.length === argv.length && pattern.every((p, i) => argMatches(p, argv[i]!));
}

function argMatches(p: ArgPattern, a: string): boolean {
  if (typeof p === 'string') return p === a;
  const m = p.exec(a);
  return m !== null && m[0] === a;
}

function netnsMatches(want: string | NetnsRef | null, got?: NetnsRef): boolean {
  if (want === null) return got === undefined;
  if (!got) return false;
  if (typeof want === 'string') return got.kind === 'name' ? got.name === want : got.kind === 'path' && got.path === `/run/netns/${want}`;
  return JSON.stringify(want) === JSON.stringify(got);
}

export function describeNetns(n: NetnsRef): string {
  return n.kind === 'name' ? n.name : n.kind === 'path' ? n.path : `of pid ${n.pid}`;
}

function describeRecording(r: Recording): string {
  const argv = typeof r.argv === 'function' ? '(predicate)' : `[${r.argv.map((a) => (typeof a === 'string' ? JSON.stringify(a) : String(a))).join(',')}]`;
  const ns = r.netns === undefined ? '' : r.netns === null ? ' (no netns)' : ` in ${typeof r.netns === 'string' ? r.netns : describeNetns(r.netns)}`;
  return `${argv}${ns}${r.times !== undefined ? ` ×${r.times}` : ''}`;
}

/** An argv pattern for messages. */
export function fmtArgv(a: ArgPattern[] | string[]): string {
  return a.map((x) => (typeof x === 'string' ? (/^[\w@%+=:,./-]+$/.test(x) ? x : JSON.stringify(x)) : String(x))).join(' ');
}

