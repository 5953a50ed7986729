// Runs a plan of checks: each under its own timeout and AbortSignal, isolated (a throw, a hang or a bad
// result becomes `error` for that check only), in dependency order, with observing checks sharing one
// probe window per "generation" (see planWindows). Emits RunEvents; renders nothing.
import type {
  Check, CheckContext, CheckRecord, CheckResult, Facts, ProbeOutcome, RunEvent, Target, ToolName,
} from './types.js';
import { dependsOn } from './types.js';
import type { Exec } from '../tools/exec.js';
import type { Files } from '../tools/files.js';
import { createTools } from '../tools/index.js';
import { recordingExec } from './recording-exec.js';
import { resultProblem } from './validate-result.js';
import { severityOf } from '../kb/causes.js';
import { createWindow, type SharedWindow } from './window.js';
import { attachTimeoutMs } from '../tools/attach-timeout.js';

export { attachTimeoutMs } from '../tools/attach-timeout.js';

export interface PlannedCheck {
  check: Check;
  /** "built-in" or "plugin-name@version". */
  source: string;
  options?: Record<string, unknown>;
}

export interface RunChecksOptions {
  target: Target;
  exec: Exec;
  files?: Files;
  dryRun?: boolean;
  checks: PlannedCheck[];
  facts: Facts;
  emit(e: RunEvent): void;
  signal: AbortSignal;
  /**
   * shared: one probe for all observing checks (the CLI; fast). stepped: rungs one after another at the gate's pace,
   * except that the observing rungs of a window all start with the first of them and share its one probe (the
   * wizard). per-check: one probe per rung (a deliberate re-run of one rung).
   */
  windowMode: 'shared' | 'stepped' | 'per-check';
  /** `stop` aborts when the window's story is complete (earlyStop): the probe should end then. */
  fireProbe?: (stop?: AbortSignal) => Promise<ProbeOutcome>;
  /**
   * End each probe as soon as the collectors' sightings account for every packet it sent (engine/story.ts), after
   * settleMs without news. Absent: every probe runs its course (--full-window).
   */
  earlyStop?: { settleMs: number };
  /** Which tools exist on this machine, and the hint that installs a missing one. */
  toolStatus: Partial<Record<ToolName, { present: boolean; install: string }>>;
  defaultTimeoutMs?: number;
  drainMs?: number;
  /** Set by the caller to hold a check until the user moves on (wizard); resolves immediately otherwise. */
  gate?(checkId: string): Promise<GateAnswer>;
}

interface RunChecksResult {
  records: CheckRecord[];
  probes: ProbeOutcome[];
}

/** Observing checks that depend on another observing check need that check's window closed first. */
export function planWindows(checks: Check[]): Map<string, number> {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const gen = new Map<string, number>();
  // need(c): the last window that must close before c can start — through any chain of dependencies,
  // observing or not. An observing check then takes the window after it.
  const need = new Map<string, number>();
  const visit = (c: Check, stack: Set<string>): number => {
    const known = need.get(c.id);
    if (known !== undefined) return known;
    if (stack.has(c.id)) return -1; // a cycle is reported by the plan; do not loop here
    stack.add(c.id);
    let n = -1;
    for (const depId of dependsOn(c)) {
      const dep = byId.get(depId);
      if (!dep) continue;
      const dn = visit(dep, stack);
      n = Math.max(n, dep.observes ? dn + 1 : dn);
    }
    stack.delete(c.id);
    need.set(c.id, n);
    // Only observers take a window; a non-observer's number is just where it falls in time.
    gen.set(c.id, c.observes ? n + 1 : Math.max(n, 0));
    return n;
  };
  for (const c of checks) visit(c, new Set());
  return gen;
}

/**
 * The operator's answer before a rung at the wizard's pace: run it, skip it, or run it and every rung after it
 * without asking (`a`), which hands the rest of the run to the CLI's scheduler (rungs overlap, one shared probe).
 */
export type GateAnswer = 'run' | 'skip' | 'all';

export async function runChecks(opts: RunChecksOptions): Promise<RunChecksResult> {
  const planned = dependencyOrder(opts.checks);
  const ids = new Set(planned.map((p) => p.check.id));
  const missingTools = new Map(planned.map((p) => [p.check.id, missingNeeds(p.check, opts.toolStatus)]));
  const probes: ProbeOutcome[] = [];
  let markOpened!: () => void;
  const opened = new Promise<void>((resolve) => { markOpened = resolve; });
  const runOpts = { ...opts, emit: openedOnProbeStart(opts.emit, () => markOpened()) };

  const finished = new Map<string, Promise<CheckRecord>>();
  const records: CheckRecord[] = [];
  // Looked up when asked, not when the asking check starts: a readsLater dependency starts before it is awaited.
  const finishedOf = async (id: string) => { await finished.get(id); };

  const start = (p: PlannedCheck, o: RunChecksOptions, shared: SharedWindow | undefined) => {
    const deps = (p.check.after ?? []).filter((d) => ids.has(d));
    const promise = (async () => {
      await Promise.all(deps.map((d) => finished.get(d)));
      const record = await runOne(p, o, missingTools.get(p.check.id) ?? [], shared, finishedOf, opened);
      records.push(record);
      opts.emit({ type: 'check-end', record });
      return record;
    })();
    finished.set(p.check.id, promise);
    return promise;
  };
  // No rung that attaches a collector: no window will open.
  if (!planned.some((p) => p.check.observes && (missingTools.get(p.check.id)?.length ?? 0) === 0)) markOpened();
  const concurrently = async (rest: PlannedCheck[], o: RunChecksOptions) => {
    const windowFor = makeWindowFactory(o, rest, missingTools, probes);
    for (const p of rest) {
      const promise = start(p, o, windowFor(p.check));
      // In per-check mode rungs run one after another.
      if (o.windowMode === 'per-check') await promise;
    }
  };
  if (opts.windowMode === 'stepped') await runStepped(planned, runOpts, missingTools, probes, finished, start, concurrently);
  else await concurrently(planned, runOpts);
  await Promise.all(finished.values());
  records.sort((a, b) => a.rung - b.rung || planned.findIndex((p) => p.check.id === a.id) - planned.findIndex((p) => p.check.id === b.id));
  return { records, probes };
}

/**
 * The wizard's pace: each rung waits for the gate (Enter), one after another. When the gate lets an observing rung
 * through, every observing rung of its window whose other prerequisites are done starts with it, without asking,
 * and they share one probe: the climb the CLI does, revealed as it goes. Once the operator answers `all`, the
 * rungs not yet started run as the CLI runs them (concurrently: collectors attach while the inventory runs).
 */
async function runStepped(
  planned: PlannedCheck[], opts: RunChecksOptions, missing: Map<string, unknown[]>, probes: ProbeOutcome[],
  finished: Map<string, Promise<CheckRecord>>,
  start: (p: PlannedCheck, o: RunChecksOptions, shared: SharedWindow | undefined) => Promise<CheckRecord>,
  concurrently: (rest: PlannedCheck[], o: RunChecksOptions) => Promise<void>,
): Promise<void> {
  const generations = planWindows(planned.map((p) => p.check));
  const observing = new Set(planned.filter((p) => p.check.observes).map((p) => p.check.id));
  const ungated = { ...opts, gate: undefined };
  // At the wizard's pace a readsLater dependency is waited for like `after`: one rung at a time gains nothing.
  const depsDone = (p: PlannedCheck) => dependsOn(p.check).every((d) => !planned.some((q) => q.check.id === d) || finished.has(d) || observing.has(d));
  for (const [i, p] of planned.entries()) {
    if (finished.has(p.check.id)) { await finished.get(p.check.id); continue; }
    await Promise.all(dependsOn(p.check).map((d) => finished.get(d)));
    const answer = opts.gate && !opts.signal.aborted ? await opts.gate(p.check.id) : 'run';
    if (answer === 'all') return concurrently(planned.slice(i).filter((q) => !finished.has(q.check.id)), { ...ungated, windowMode: 'shared' });
    if (answer === 'skip') {
      await start(p, { ...ungated, gate: async () => 'skip' as const }, undefined);
      continue;
    }
    if (!p.check.observes) { await start(p, ungated, undefined); continue; }
    const g = generations.get(p.check.id) ?? 0;
    const group = [p, ...planned.filter((q) => q !== p && q.check.observes && !finished.has(q.check.id) && (generations.get(q.check.id) ?? 0) === g && depsDone(q))];
    const participants = group.filter((q) => (missing.get(q.check.id)?.length ?? 0) === 0).length;
    const shared = participants ? createWindow({ participants, attachTimeoutMs: attachTimeoutMs(), ...windowEvents(opts, probes) }) : undefined;
    await Promise.all(group.map((q) => start(q, ungated, shared)));
  }
}

/** Rung order, except that a check always comes after the checks it waits for (`after`, `readsLater`), whatever their rung. */
function dependencyOrder(checks: PlannedCheck[]): PlannedCheck[] {
  const byRung = [...checks].sort((a, b) => a.check.rung - b.check.rung);
  const byId = new Map(byRung.map((p) => [p.check.id, p]));
  const out: PlannedCheck[] = [];
  const placed = new Set<string>();
  const place = (p: PlannedCheck, stack: Set<string>) => {
    if (placed.has(p.check.id) || stack.has(p.check.id)) return;
    stack.add(p.check.id);
    for (const d of dependsOn(p.check)) { const dep = byId.get(d); if (dep) place(dep, stack); }
    placed.add(p.check.id);
    out.push(p);
  };
  for (const p of byRung) place(p, new Set());
  return out;
}

function missingNeeds(check: Check, status: RunChecksOptions['toolStatus']): { tool: ToolName; install: string }[] {
  return (check.needs ?? [])
    .filter((t) => status[t] && !status[t]!.present)
    .map((t) => ({ tool: t, install: status[t]!.install }));
}

/** What a probe window needs from the run: how to fire, how long to listen, and where its events go. */
function windowEvents(opts: RunChecksOptions, probes: ProbeOutcome[]) {
  return {
    fire: opts.fireProbe,
    earlyStop: opts.earlyStop,
    passiveMs: opts.target.windowMs,
    drainMs: opts.drainMs,
    lastOutputAt: opts.exec.lastOutputAt ? () => opts.exec.lastOutputAt!() : undefined,
    signal: opts.signal,
    onStart: () => opts.emit({ type: 'probe-start' }),
    onEnd: (o: ProbeOutcome) => { probes.push(o); opts.emit({ type: 'probe-end', outcome: o }); },
  };
}

function makeWindowFactory(
  opts: RunChecksOptions, planned: PlannedCheck[],
  missing: Map<string, unknown[]>, probes: ProbeOutcome[],
): (check: Check) => SharedWindow | undefined {
  const fireWith = () => windowEvents(opts, probes);
  if (opts.windowMode === 'per-check') {
    return (check) => (check.observes ? createWindow({ participants: 1, attachTimeoutMs: attachTimeoutMs(), ...fireWith() }) : undefined);
  }
  const generations = planWindows(planned.map((p) => p.check));
  const windows = new Map<number, SharedWindow>();
  for (const p of planned) {
    if (!p.check.observes || (missing.get(p.check.id)?.length ?? 0) > 0) continue;
    const g = generations.get(p.check.id) ?? 0;
    if (windows.has(g)) continue;
    const participants = planned.filter(
      (q) => q.check.observes && (missing.get(q.check.id)?.length ?? 0) === 0 && (generations.get(q.check.id) ?? 0) === g,
    ).length;
    windows.set(g, createWindow({ participants, attachTimeoutMs: attachTimeoutMs(), ...fireWith() }));
  }
  return (check) => (check.observes ? windows.get(generations.get(check.id) ?? 0) : undefined);
}

/** Resolves when the signal aborts (a rung waiting on the run must not outlive its own end). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The run's emit, which also marks the first window opened when a probe starts. */
function openedOnProbeStart(emit: RunChecksOptions['emit'], mark: () => void): RunChecksOptions['emit'] {
  return (event) => {
    if (event.type === 'probe-start') mark();
    emit(event);
  };
}

async function runOne(
  p: PlannedCheck, opts: RunChecksOptions,
  missing: { tool: ToolName; install: string }[], shared: SharedWindow | undefined,
  finishedOf: (id: string) => Promise<void>, opened: Promise<void>,
): Promise<CheckRecord> {
  const { check } = p;
  const started = Date.now();
  const commands: string[][] = [];
  const base = { id: check.id, title: check.title, rung: check.rung, source: p.source, commands };
  const done = (r: CheckResult): CheckRecord => ({
    ...base, ...r, findings: r.findings.map((f) => ({ ...f, severity: severityOf(f) })), durationMs: Date.now() - started,
  });

  if (missing.length > 0) {
    return done({
      status: 'skip',
      summary: `needs ${missing.map((m) => m.tool).join(', ')}: ${missing.map((m) => m.install).join('; ')}`,
      evidence: [], findings: [],
    });
  }
  if (opts.signal.aborted) return done({ status: 'skip', summary: 'interrupted before it ran', evidence: [], findings: [] });
  if (opts.gate && (await opts.gate(check.id)) === 'skip') {
    shared?.leave();
    return done({ status: 'skip', summary: 'skipped by the operator', evidence: [], findings: [] });
  }

  opts.emit({ type: 'check-start', id: check.id });
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onOuterAbort, { once: true });
  let calledReady = false;
  const ctx: CheckContext = {
    target: opts.target,
    tools: createTools(recordingExec(opts.exec, commands, controller.signal), { dryRun: opts.dryRun, files: opts.files }),
    window: {
      ready: () => {
        if (!shared) return Promise.reject(new Error(`check ${check.id} used the probe window without declaring observes: true`));
        calledReady = true;
        return shared.window.ready();
      },
      saw: (s) => shared?.saw(s),
      opened: () => paused(Promise.race([opened, aborted(controller.signal)])),
    },
    facts: opts.facts,
    signal: controller.signal,
    progress: (message) => opts.emit({ type: 'check-progress', id: check.id, message }),
    live: (line) => opts.emit({ type: 'check-live', id: check.id, line }),
    options: p.options ?? {},
    // The wait for a dependency is not the rung's own time (as with `after`, whose wait precedes the timer): the
    // timer stops while it waits and starts again, whole, once the dependency has ended.
    finished: (id) => paused(finishedOf(id)),
  };
  /**
   * Waits with the rung's timer stopped, then starts it again, whole, once no wait is left: a rung may wait for two
   * things at once (packet-sanity: the window's opening and xdpdump's end), and the first to come must not restart
   * the timer while the other, which can last a whole window, is still pending.
   */
  let waits = 0;
  async function paused(wait: Promise<void>): Promise<void> {
    waits++;
    clearTimeout(timer);
    try { await wait; } finally { if (--waits === 0) arm(); }
  }

  // An observing rung waits for the shared window, which opens once every collector has attached or the attach
  // timeout passed (XDP_DOCTOR_ATTACH_TIMEOUT_MS: 90 s in the TCG kernel VMs): that wait is not the rung's own time.
  const timeoutMs = (check.timeoutMs ?? opts.defaultTimeoutMs ?? 30_000) + (check.observes ? attachTimeoutMs() : 0);
  let timer: NodeJS.Timeout | undefined;
  let expire: (v: 'timeout') => void = () => undefined;
  const timeout = new Promise<'timeout'>((resolve) => { expire = resolve; });
  let settled = false;
  // Never re-armed once the rung has ended: a dependency that ends later must not keep the process alive.
  const arm = () => { clearTimeout(timer); if (!settled) timer = setTimeout(() => expire('timeout'), timeoutMs); };
  arm();
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => check.run(ctx)), timeout]);
    if (outcome === 'timeout') {
      controller.abort(new Error('timeout'));
      return done({ status: 'error', summary: `timed out after ${timeoutMs} ms${tag(p)}`, evidence: [], findings: [] });
    }
    const problem = resultProblem(outcome);
    if (problem) return done({ status: 'error', summary: `invalid result: ${problem}${tag(p)}`, evidence: [], findings: [] });
    // Collectors and the probe were cut short: what the rung concluded is not evidence of a fault.
    if (opts.signal.aborted) return done({ status: 'skip', summary: `interrupted (partial: ${outcome.summary})`, evidence: outcome.evidence, findings: [] });
    return done(outcome);
  } catch (err) {
    const interrupted = opts.signal.aborted;
    // A tool that printed something unexpected (other version, truncated JSON) is not a crash of ours.
    const toolError = typeof (err as { excerpt?: unknown })?.excerpt === 'string';
    return done({
      status: interrupted ? 'skip' : 'error',
      summary: interrupted ? 'interrupted' : `${toolError ? 'unexpected tool output' : 'crashed'}: ${err instanceof Error ? err.message : String(err)}${tag(p)}`,
      evidence: interrupted ? [] : errorEvidence(err),
      findings: [],
    });
  } finally {
    settled = true;
    clearTimeout(timer);
    // Whatever the check left running dies with it.
    controller.abort(new Error('check finished'));
    opts.signal.removeEventListener('abort', onOuterAbort);
    if (shared && !calledReady) shared.leave();
  }
}

const tag = (p: PlannedCheck) => (p.source === 'built-in' ? '' : ` [plugin ${p.source}]`);

function errorEvidence(err: unknown): { label: string; data: string; detail?: boolean }[] {
  const out: { label: string; data: string; detail?: boolean }[] = [];
  const excerpt = (err as { excerpt?: unknown })?.excerpt;
  if (typeof excerpt === 'string') out.push({ label: 'raw output', data: excerpt || '(empty)' });
  else if (err instanceof Error && err.stack) out.push({ label: 'stack', data: err.stack, detail: true });
  return out;
}
