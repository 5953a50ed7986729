// The check tester (`xdp-doctor/testing`): runs one check against recorded tool output, the way ESLint's
// RuleTester serves rule authors. The check gets real ctx.tools (the same parsers as a live run) built over a
// fake Exec that answers argv patterns with recorded {stdout, stderr, exitCode} (collectors: recorded lines),
// fake Files, given facts and target, and a probe window that resolves with a given outcome. A command with
// no recording fails the test loudly, naming its argv. The result is validated like the runner does.
import type {
  Check, CheckContext, CheckResult, Facts, NetnsRef, ProbeOutcome, Target,
} from '../engine/types.js';
import { realExec, type Collector, type CollectorResult, type Exec, type RunOptions, type RunResult, type SpawnOptions } from '../tools/exec.js';
import { realFiles, type Files } from '../tools/files.js';
import { fireProbe } from '../engine/probe.js';
import { createTools } from '../tools/index.js';
import { inNetns } from '../tools/netns.js';
import { createFacts } from '../engine/facts.js';
import { resultProblem } from '../engine/validate-result.js';

// ---------------------------------------------------------------------------------------------------------
// Recordings and the fake Exec

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
  /** Collectors (exec.spawn): stdout lines, delivered when the probe window fires or on stop(). */
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
}

export interface ExecCall {
  kind: 'run' | 'spawn';
  argv: string[];
  netns?: NetnsRef;
  /** argv as it would run: nsenter --net=... -- argv */
  full: string[];
  input?: string;
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
    const call: ExecCall = { kind, argv: [...argv], netns: opts.netns, full: inNetns(argv, opts.netns), input: opts.input };
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
      return result(call.full, r);
    },

    spawn(argv, opts: SpawnOptions = {}) {
      const call = record('spawn', argv, opts);
      const r = call.recording;
      if (!r) throw new NoRecordingError(call, recordings);
      return fakeCollector(call.full, r, opts, pending);
    },
  };
}

function result(full: string[], r: Recording): RunResult {
  const exitCode = r.notFound ? undefined : r.exitCode ?? 0;
  return {
    argv: full, exitCode,
    stdout: r.stdout ?? (r.lines ? r.lines.join('\n') : ''),
    stderr: r.stderr ?? (r.notFound ? `${full[0]}: command not found` : ''),
    timedOut: Boolean(r.timedOut), notFound: Boolean(r.notFound), durationMs: r.delayMs ?? 0,
    ok: exitCode === 0 && !r.timedOut && !r.notFound,
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

function fakeCollector(full: string[], r: Recording, opts: SpawnOptions, pending: Set<() => void>): Collector {
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
  let stdoutDelivered = false;
  const deliverStdout = () => {
    pending.delete(deliverStdout);
    if (stdoutDelivered) return;
    stdoutDelivered = true;
    for (const l of r.lines ?? []) take(l, 'stdout');
  };
  const finish = (canceled: boolean): CollectorResult => {
    if (finished) return finished;
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

  // Started: stderr up to readiness ("listening on") at once; stdout when traffic flows (window) or at stop().
  pending.add(deliverStdout);
  queueMicrotask(() => {
    if (r.notFound) { finish(false); return; }
    if (!opts.readyWhen) { isReady = true; markReady(); }
    if (opts.readyWhen) deliverStderr(true);
    if (opts.readyWhen && !isReady && !(r.lines ?? []).some((l) => opts.readyWhen!(l, 'stdout'))) finish(false);
  });
  opts.signal?.addEventListener('abort', () => finish(true), { once: true });

  return {
    argv: full, ready, done,
    async stop() {
      await Promise.resolve(); // let the start microtask run for a collector stopped at once
      return finish(false);
    },
  };
}

function argvMatches(pattern: ArgvPattern, argv: string[], opts: RunOptions): boolean {
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

function describeNetns(n: NetnsRef): string {
  return n.kind === 'name' ? n.name : n.kind === 'path' ? n.path : `of pid ${n.pid}`;
}

function describeRecording(r: Recording): string {
  const argv = typeof r.argv === 'function' ? '(predicate)' : `[${r.argv.map((a) => (typeof a === 'string' ? JSON.stringify(a) : String(a))).join(',')}]`;
  const ns = r.netns === undefined ? '' : r.netns === null ? ' (no netns)' : ` in ${typeof r.netns === 'string' ? r.netns : describeNetns(r.netns)}`;
  return `${argv}${ns}${r.times !== undefined ? ` ×${r.times}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------
// Fake files

export interface FakeFiles extends Files {
  reads: string[];
  writes: [path: string, data: string][];
}

/** Files by absolute path; list() and exists() see the directories the paths imply. */
export function fakeFiles(files: Record<string, string> = {}, links: Record<string, string> = {}): FakeFiles {
  const store = new Map(Object.entries(files));
  const reads: string[] = [];
  const writes: [string, string][] = [];
  const isDir = (d: string) => [...store.keys(), ...Object.keys(links)].some((p) => p.startsWith(`${d.replace(/\/$/, '')}/`));
  return {
    reads, writes,
    async read(p) { reads.push(p); return store.get(p); },
    async write(p, d) { writes.push([p, d]); store.set(p, d); },
    async exists(p) { return store.has(p) || p in links || isDir(p); },
    async list(d) {
      const prefix = `${d.replace(/\/$/, '')}/`;
      const names = [...store.keys(), ...Object.keys(links)].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]!);
      return [...new Set(names)].sort();
    },
    async readlink(p) { return links[p]; },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Running one check

export interface CheckSetup {
  /** Merged over a minimal iface target (eth0, no hops, window 1000 ms). */
  target?: Partial<Target>;
  exec?: Recording[];
  files?: Record<string, string>;
  links?: Record<string, string>;
  /** Facts earlier rungs published, by key (see checks/facts.ts: "inventory", "preflight", ...). */
  facts?: Record<string, unknown>;
  /** What ctx.window.ready() resolves with (merged over a probe that ran and passed). */
  probe?: Partial<ProbeOutcome>;
  options?: Record<string, unknown>;
  dryRun?: boolean;
  /** Default: the check's own timeoutMs, else 30 s (as in a run). */
  timeoutMs?: number;
}

export interface CheckRun {
  /** The check's result, validated like the runner validates it. */
  result: CheckResult;
  /** Every argv run, as it would run (nsenter prefix included), in call order. */
  commands: string[][];
  calls: ExecCall[];
  progress: string[];
  live: string[];
  /** Every fact after the run (including those the check published). */
  facts: Record<string, unknown>;
  /** File writes (path, data). */
  writes: [string, string][];
  /** Whether the check waited for the probe window. */
  usedWindow: boolean;
}

export const DEFAULT_TARGET: Target = { kind: 'iface', iface: 'eth0', hops: [], windowMs: 1000, expect: [] };

/**
 * Runs `check` once against the setup. Rejects when the check throws, times out, returns an invalid result, or
 * ran a command that had no recording (even if it caught that error itself).
 */
export async function runCheck(check: Check, setup: CheckSetup = {}): Promise<CheckRun> {
  const exec = fakeExec(setup.exec ?? []);
  const files = fakeFiles(setup.files, setup.links);
  const facts: Facts & { all(): Record<string, unknown> } = createFacts(structuredClone(setup.facts ?? {}));
  const progress: string[] = [];
  const live: string[] = [];
  const controller = new AbortController();
  let usedWindow = false;
  const started = Date.now();
  const outcome = (): ProbeOutcome => ({ ran: true, ok: true, startedAt: started, endedAt: Date.now(), exitCode: 0, ...setup.probe });

  const ctx: CheckContext = {
    target: { ...DEFAULT_TARGET, ...setup.target },
    tools: createTools(exec, { dryRun: setup.dryRun, files }),
    window: {
      ready: async () => {
        if (!check.observes) throw new Error(`check ${check.id} used the probe window without declaring observes: true`);
        usedWindow = true;
        exec.flushCollectors();
        return outcome();
      },
    },
    facts,
    signal: controller.signal,
    progress: (m) => { progress.push(m); },
    live: (l) => { live.push(l); },
    options: { ...setup.options },
  };

  const timeoutMs = setup.timeoutMs ?? check.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timeout'));
      reject(new Error(`check ${check.id} timed out after ${timeoutMs} ms${exec.calls.length ? `; last command: ${exec.calls.at(-1)!.full.join(' ')}` : ''}`));
    }, timeoutMs);
  });
  let raw: unknown;
  try {
    raw = await Promise.race([Promise.resolve().then(() => check.run(ctx)), timeout]);
  } finally {
    clearTimeout(timer);
    controller.abort(new Error('check finished'));
  }
  if (exec.unmatched.length) {
    throw new Error(`check ${check.id} ran ${exec.unmatched.length} command(s) with no recording:\n${exec.unmatched.map((c) => `  ${c.kind} ${JSON.stringify(c.argv)}${c.netns ? ` in netns ${describeNetns(c.netns)}` : ''}`).join('\n')}`);
  }
  const problem = resultProblem(raw);
  if (problem) throw new Error(`check ${check.id} returned an invalid result: ${problem}`);
  return {
    result: raw as CheckResult,
    commands: exec.calls.map((c) => c.full),
    calls: exec.calls, progress, live, facts: facts.all(), writes: files.writes, usedWindow,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Recording real output

/**
 * Wraps an Exec: every command that runs is kept as a Recording (argv, netns, output, exit code, lines), each
 * answering once (`times: 1`), so a replay sees repeated commands (before/after samples) answer in order.
 */
export function recordingExec(inner: Exec): Exec & { recordings: Recording[] } {
  const recordings: Recording[] = [];
  const netnsOf = (n?: NetnsRef): Recording['netns'] => (n === undefined ? null : n.kind === 'name' ? n.name : n);
  return {
    recordings,
    async run(argv, opts = {}) {
      const r = await inner.run(argv, opts);
      recordings.push({
        argv: [...argv], netns: netnsOf(opts.netns), times: 1, stdout: r.stdout, stderr: r.stderr,
        ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
        ...(r.notFound ? { notFound: true } : {}), ...(r.timedOut ? { timedOut: true } : {}),
      });
      return r;
    },
    spawn(argv, opts = {}) {
      const rec: Recording = { argv: [...argv], netns: netnsOf(opts.netns), times: 1, lines: [], stderrLines: [] };
      recordings.push(rec);
      const c = inner.spawn(argv, opts);
      void c.done.then((r) => {
        rec.lines = r.stdoutLines;
        rec.stderrLines = r.stderrLines;
        if (r.exitCode !== undefined && r.exitCode !== 0) rec.exitCode = r.exitCode;
        if (r.notFound) rec.notFound = true;
      });
      return c;
    },
  };
}

export interface RecordSetup extends Omit<CheckSetup, 'exec' | 'files' | 'links' | 'probe' | 'dryRun'> {
  target: Target;
  /** Where commands really run (default: this machine, through xdp-doctor's own process runner). */
  exec?: Exec;
}

/**
 * Runs `check` for real (real tools, the target's probe fired when the check calls ctx.window.ready()) and
 * returns what it did plus the Recordings to replay it with runCheck: save them next to your tests.
 */
export async function recordCheck(check: Check, setup: RecordSetup): Promise<{ run: CheckRun; recordings: Recording[]; probe?: ProbeOutcome }> {
  const inner = setup.exec ?? realExec;
  const exec = recordingExec(inner);
  const calls: ExecCall[] = [];
  const logged: Exec = {
    run: (argv, opts = {}) => { calls.push({ kind: 'run', argv, netns: opts.netns, full: inNetns(argv, opts.netns) }); return exec.run(argv, { ...opts, signal: opts.signal ?? controller.signal }); },
    spawn: (argv, opts = {}) => { calls.push({ kind: 'spawn', argv, netns: opts.netns, full: inNetns(argv, opts.netns) }); return exec.spawn(argv, { ...opts, signal: opts.signal ?? controller.signal }); },
  };
  const facts = createFacts(structuredClone(setup.facts ?? {}));
  const controller = new AbortController();
  const progress: string[] = [];
  const live: string[] = [];
  let usedWindow = false;
  let probe: ProbeOutcome | undefined;
  const ctx: CheckContext = {
    target: setup.target,
    tools: createTools(logged, { files: realFiles }),
    window: {
      ready: async () => {
        usedWindow = true;
        const startedAt = Date.now();
        probe = setup.target.probe
          ? await fireProbe(inner, setup.target.probe, controller.signal)
          : await new Promise<ProbeOutcome>((r) => setTimeout(() => r({ ran: false, ok: true, startedAt, endedAt: Date.now(), note: 'passive window' }), setup.target.windowMs));
        await new Promise((r) => setTimeout(r, 400)); // let collectors catch the last packets, as a run does
        return probe;
      },
    },
    facts, signal: controller.signal,
    progress: (m) => { progress.push(m); }, live: (l) => { live.push(l); },
    options: { ...setup.options },
  };
  let result: unknown;
  try {
    result = await check.run(ctx);
  } finally {
    controller.abort(new Error('check finished'));
  }
  await new Promise((r) => setTimeout(r, 50)); // collectors' done handlers fill their recordings
  const problem = resultProblem(result);
  if (problem) throw new Error(`check ${check.id} returned an invalid result: ${problem}`);
  return {
    run: { result: result as CheckResult, commands: calls.map((c) => c.full), calls, progress, live, facts: facts.all(), writes: [], usedWindow },
    recordings: exec.recordings, probe,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Table-driven tests

/** A partial expectation: objects match a subset of keys, arrays match length and each element, RegExps test strings. */
export type Expected<T> =
  T extends string ? string | RegExp | ((v: T) => boolean)
    : T extends (infer E)[] ? Expected<E>[] | ((v: T) => boolean)
      : T extends object ? { [K in keyof T]?: Expected<T[K]> } | ((v: T) => boolean)
        : T | ((v: T) => boolean);

export interface CheckCase extends CheckSetup {
  name: string;
  /** What the result must look like (partial). */
  expect?: Expected<CheckResult>;
  /** The exact commands run, in order, as they would run (nsenter prefix included). */
  commands?: ArgPattern[][];
  /** The check must fail to run: its error message contains this string or matches this RegExp. */
  throws?: string | RegExp;
  /** Anything else, with your test runner's assertions. */
  assert?(run: CheckRun): void | Promise<void>;
  only?: boolean;
  skip?: boolean;
}

/** Runs one case and throws an Error listing every mismatch. Usable from any test runner. */
export async function verifyCase(check: Check, c: CheckCase): Promise<CheckRun | undefined> {
  let run: CheckRun;
  try {
    run = await runCheck(check, c);
  } catch (e) {
    if (c.throws === undefined) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (typeof c.throws === 'string' ? !msg.includes(c.throws) : !c.throws.test(msg)) {
      throw new Error(`${c.name}: expected an error matching ${String(c.throws)}, got: ${msg}`);
    }
    return undefined;
  }
  if (c.throws !== undefined) throw new Error(`${c.name}: expected an error matching ${String(c.throws)}, but the check returned ${run.result.status}: ${run.result.summary}`);
  const problems: string[] = [];
  if (c.expect !== undefined) problems.push(...mismatches(run.result, c.expect, 'result'));
  if (c.commands) {
    if (c.commands.length !== run.commands.length || !c.commands.every((p, i) => argvMatches(p, run.commands[i]!, {}))) {
      problems.push(`commands: expected\n    ${c.commands.map(fmtArgv).join('\n    ')}\n  got\n    ${run.commands.map(fmtArgv).join('\n    ') || '(none)'}`);
    }
  }
  if (problems.length) {
    throw new Error(`${c.name}: ${problems.length} mismatch(es)\n  ${problems.join('\n  ')}\n  (status ${run.result.status}: ${run.result.summary})`);
  }
  await c.assert?.(run);
  return run;
}

export interface TestRunner {
  test?: TestFn;
  describe?: (name: string, body: () => void) => void;
}
type TestFn = ((name: string, body: () => Promise<unknown>) => unknown) & {
  only?: (name: string, body: () => Promise<unknown>) => unknown;
  skip?: (name: string, body: () => Promise<unknown>) => unknown;
};

/**
 * Registers one test per case with your runner: `testCheck(check, cases, { test, describe })` with vitest's or
 * node:test's functions (the globals `describe`/`it` are used when present).
 */
export function testCheck(check: Check, cases: CheckCase[], runner: TestRunner = {}): void {
  const g = globalThis as { it?: TestFn; test?: TestFn; describe?: TestRunner['describe'] };
  const test = runner.test ?? g.it ?? g.test;
  if (!test) throw new Error('testCheck needs your test function: testCheck(check, cases, { test }) (vitest: import { test } from "vitest")');
  const describe = runner.describe ?? g.describe ?? ((_: string, body: () => void) => body());
  const names = new Set<string>();
  describe(check.id, () => {
    for (const c of cases) {
      if (names.has(c.name)) throw new Error(`testCheck(${check.id}): two cases are named "${c.name}"`);
      names.add(c.name);
      const register = c.only && test.only ? test.only : c.skip && test.skip ? test.skip : test;
      register(c.name, async () => { await verifyCase(check, c); });
    }
  });
}

/** The differences between a value and a partial expectation, as "path: expected X, got Y" lines. */
export function mismatches(actual: unknown, expected: unknown, path = 'value'): string[] {
  if (typeof expected === 'function') {
    const text = String(expected).replace(/\s+/g, ' ');
    return (expected as (v: unknown) => boolean)(actual) ? [] : [`${path}: ${show(actual)} does not satisfy ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`];
  }
  if (expected instanceof RegExp) {
    return typeof actual === 'string' && expected.test(actual) ? [] : [`${path}: expected to match ${String(expected)}, got ${show(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${show(actual)}`];
    if (actual.length !== expected.length) {
      return [`${path}: expected ${expected.length} element(s), got ${actual.length}${actual.length ? `: ${show(actual)}` : ''}`];
    }
    return expected.flatMap((e, i) => mismatches(actual[i], e, `${path}[${i}]`));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return [`${path}: expected an object, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([k, e]) => mismatches((actual as Record<string, unknown>)[k], e, `${path}.${k}`));
  }
  return Object.is(actual, expected) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, (_, x) => (x instanceof RegExp ? String(x) : x)) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

function fmtArgv(a: ArgPattern[] | string[]): string {
  return a.map((x) => (typeof x === 'string' ? (/^[\w@%+=:,./-]+$/.test(x) ? x : JSON.stringify(x)) : String(x))).join(' ');
}

export { createFacts };
export type { Check, CheckResult, ProbeOutcome, Target };
