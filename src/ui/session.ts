// The wizard's brain, without React: it owns the run (AbortController, the gate that paces the ladder, the
// shared facts), turns RunEvents into an immutable state snapshot, and exposes one method per key. The Ink
// components only render snapshots and map keys to these methods; tests drive it with a fake engine.
import type {
  CheckRecord, CheckStatus, DiagnosisEntry, Facts, Fix, FixOutcome, ProbeOutcome, RunEvent, RunReport, Target,
} from '../engine/types.js';
import type { PlannedCheck } from '../engine/runner.js';
import { diagnose } from '../engine/diagnosis.js';
import { createFacts } from '../engine/facts.js';
import { rerunPlan } from '../engine/fix-flow.js';
import { renderMarkdown } from '../report/markdown.js';
import { fixArgv } from '../report/format.js';
import { choicesOf, type Choice, type Discovery } from './discover.js';

export interface ClimbOptions {
  target: Target;
  checks: PlannedCheck[];
  emit(e: RunEvent): void;
  signal: AbortSignal;
  facts: Facts;
  gate?(checkId: string): Promise<'run' | 'skip'>;
  /** per-check: the wizard's pace, one probe per rung; shared: re-runs, one probe for all. */
  windowMode: 'per-check' | 'shared';
}

export interface FixApplied { ok: boolean; output: string[]; commands: string[][]; undo: string[][]; error?: string }

/** Everything the wizard needs from the outside world. The real one is in engine.ts; tests pass fakes. */
export interface WizardEngine {
  discover(signal: AbortSignal): Promise<Discovery>;
  /** The Target for a start-screen choice; throws an Error whose message is shown to the operator. */
  resolve(choice: Choice): Promise<Target>;
  climb(o: ClimbOptions): Promise<RunReport>;
  applyFix(cause: string, fix: Fix): Promise<FixApplied>;
  probe(target: Target, signal: AbortSignal): Promise<ProbeOutcome | undefined>;
  writeFile(path: string, text: string): Promise<void>;
  /** Ends every child process at once (Ctrl-C). */
  stopChildren(): void;
  now?(): Date;
}

export interface RungPlan { id: string; title: string; rung: number; question?: string }

export type StaticItem =
  | { key: string; kind: 'header'; text: string }
  | { key: string; kind: 'rung'; record: CheckRecord; question?: string; again?: 'rerun' | 'after fix' }
  | { key: string; kind: 'fix'; outcome: FixOutcome }
  | { key: string; kind: 'note'; text: string; tone: 'good' | 'bad' | 'info' };

export interface Running {
  id: string; title: string; question?: string; progress?: string;
  /** The newest live evidence lines (tcpdump lines, counters); liveTotal counts all of them. */
  live: string[]; liveTotal: number;
  startedAt: number; probe?: string; again?: 'rerun' | 'after fix';
}

export type Overlay =
  | { kind: 'details'; id: string; scroll: number }
  | { kind: 'fix-confirm'; cause: string; causeTitle: string; fix: Fix; argv: string[][]; undo: string[][] };

export type Phase = 'start' | 'resolving' | 'ladder' | 'end' | 'done';

export interface StartState {
  loading: boolean; choices: Choice[]; selected: number; problems: string[]; namespaces: number; error?: string;
}

export interface WizardState {
  phase: Phase;
  start?: StartState;
  target?: Target;
  plan: RungPlan[];
  items: StaticItem[];
  /** Newest record of every rung that finished, in rung order (re-runs replace). */
  records: CheckRecord[];
  running?: Running;
  /** The rung the ladder waits to run (Enter runs it, s skips it). */
  next?: RungPlan;
  auto: boolean;
  focus?: string;
  overlay?: Overlay;
  busy?: { kind: 'rerun' | 'fix'; step: string };
  report?: RunReport;
  fix?: FixOutcome;
  notice?: { text: string; tone: 'good' | 'bad' | 'info' };
  exitCode?: number;
  interrupted?: boolean;
}

export interface SessionOptions {
  engine: WizardEngine;
  checks: PlannedCheck[];
  tool: { name: string; version: string };
  target?: Target;
  /** Preselected on the start screen (--lab-name). */
  preferLab?: string;
  /** Aborted by SIGINT/SIGTERM/SIGHUP: the wizard ends with 130. */
  signal?: AbortSignal;
  /** --report FILE: written when the ladder ends. */
  reportPath?: string;
  /** Rows known before the ladder starts (plugins that did not load): shown first, kept in the report. */
  preRecords?: CheckRecord[];
  /** Ranks the findings; the default is the engine's diagnose() (doctor.ts adds plugin cause titles). */
  diagnose?(records: CheckRecord[]): DiagnosisEntry[];
  liveFlushMs?: number;
}

const LIVE_KEEP = 40;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
const bad = (s: CheckStatus) => s === 'fail' || s === 'error';

/** The fix `f` would apply: the best-ranked cause that has one with commands. */
export function fixCandidate(diagnosis: DiagnosisEntry[]): { entry: DiagnosisEntry; fix: Fix } | undefined {
  for (const entry of diagnosis) {
    const fix = entry.fixes.find((f) => f.commands.length > 0);
    if (fix) return { entry, fix };
  }
  return undefined;
}

export class WizardSession {
  private state: WizardState;
  private listeners = new Set<() => void>();
  private controller = new AbortController();
  private facts: Facts = createFacts();
  private gateResolve?: (v: 'run' | 'skip') => void;
  private gatedOnce = false;
  private liveBuffer: string[] = [];
  private liveCount = 0;
  private liveTimer?: NodeJS.Timeout;
  private main?: Promise<unknown>;
  private seq = 0;
  private reportBase?: string;
  private readonly o: SessionOptions;

  constructor(o: SessionOptions) {
    this.o = o;
    this.state = { phase: o.target ? 'ladder' : 'start', plan: [], items: [], records: [], auto: false, target: o.target };
    if (o.signal) {
      if (o.signal.aborted) queueMicrotask(() => this.interrupt());
      else o.signal.addEventListener('abort', () => this.interrupt(), { once: true });
    }
  }

  // ---- store protocol (useSyncExternalStore) ----
  getState = (): WizardState => this.state;
  subscribe = (fn: () => void): (() => void) => { this.listeners.add(fn); return () => { this.listeners.delete(fn); }; };
  private set(patch: Partial<WizardState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  private phase(): Phase { return this.state.phase; }
  get signal(): AbortSignal { return this.controller.signal; }
  get sharedFacts(): Facts { return this.facts; }

  /** Starts discovery (no target) or the ladder. Called once, after the first frame. */
  begin(): void {
    if (this.state.phase === 'start') void this.discover();
    else if (this.state.target) this.startLadder(this.state.target);
  }

  /** Resolves when the run (if any) has wound down, or after `ms`. */
  async settled(ms = 3000): Promise<void> {
    if (!this.main) return;
    await Promise.race([this.main.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
  }

  dispose(): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    if (!this.controller.signal.aborted) this.controller.abort(new Error('wizard closed'));
    this.gateResolve?.('skip');
  }

  // ---- start screen ----
  private async discover(): Promise<void> {
    this.set({ start: { loading: true, choices: [], selected: 0, problems: [], namespaces: 0 } });
    try {
      const d = await this.o.engine.discover(this.controller.signal);
      if (this.state.phase !== 'start') return;
      const { choices, selected } = choicesOf(d, this.o.preferLab);
      this.set({ start: { loading: false, choices, selected, problems: d.problems, namespaces: d.namespaces } });
    } catch (e) {
      if (this.state.phase !== 'start') return;
      this.set({ start: { loading: false, choices: [], selected: 0, problems: [], namespaces: 0, error: `could not look for XDP programs: ${(e as Error).message}` } });
    }
  }

  select(delta: number): void {
    const s = this.state.start;
    if (!s || !s.choices.length) return;
    const selected = Math.min(s.choices.length - 1, Math.max(0, s.selected + delta));
    if (selected !== s.selected) this.set({ start: { ...s, selected, error: undefined } });
  }

  async choose(): Promise<void> {
    const s = this.state.start;
    const choice = s?.choices[s.selected];
    if (!s || !choice || this.state.phase !== 'start') return;
    this.set({ phase: 'resolving' });
    try {
      const target = await this.o.engine.resolve(choice);
      if (this.phase() !== 'resolving') return;
      this.set({ target, phase: 'ladder' });
      this.startLadder(target);
    } catch (e) {
      if (this.phase() !== 'resolving') return;
      this.set({ phase: 'start', start: { ...s, error: (e as Error).message } });
    }
  }

  // ---- the ladder ----
  private startLadder(target: Target): void {
    this.pushItem({ kind: 'header', text: headerText(this.o.tool, target) });
    for (const record of this.o.preRecords ?? []) this.pushItem({ kind: 'rung', record });
    this.set({ phase: 'ladder', records: [...(this.o.preRecords ?? [])] });
    this.main = this.o.engine.climb({
      target, checks: this.o.checks, emit: (e) => this.onEvent(e), signal: this.controller.signal,
      facts: this.facts, gate: (id) => this.gate(id), windowMode: 'per-check',
    }).then(
      (report) => this.onMainEnd(report),
      (err) => {
        this.pushItem({ kind: 'note', tone: 'bad', text: `the ladder stopped: ${(err as Error).message}` });
        this.onMainEnd(undefined);
      },
    );
  }

  private gate(id: string): Promise<'run' | 'skip'> {
    if (this.controller.signal.aborted) return Promise.resolve('skip');
    // The operator chose the target with Enter: the first rung runs at once; then one rung per key.
    if (this.state.auto || !this.gatedOnce) { this.gatedOnce = true; return Promise.resolve('run'); }
    return new Promise((resolve) => {
      this.gateResolve = resolve;
      this.set({ next: this.state.plan.find((p) => p.id === id) ?? { id, title: id, rung: 0 } });
    });
  }

  private release(v: 'run' | 'skip'): boolean {
    const r = this.gateResolve;
    if (!r || this.state.busy) return false;
    this.gateResolve = undefined;
    this.set({ next: undefined, overlay: undefined, notice: undefined });
    r(v);
    return true;
  }

  next(): void { this.release('run'); }
  skip(): void { this.release('skip'); }
  runAll(): void {
    if (this.state.phase !== 'ladder') return;
    this.set({ auto: true });
    this.release('run');
  }

  private onEvent(e: RunEvent, again?: 'rerun' | 'after fix'): void {
    if (this.state.phase === 'done') return; // what an aborted run reports on its way out is not shown
    switch (e.type) {
      case 'run-start':
        if (!again) this.set({ plan: e.checks.map((c) => ({ id: c.id, title: c.title, rung: c.rung, question: c.question })) });
        return;
      case 'check-start': {
        const p = this.state.plan.find((x) => x.id === e.id);
        this.liveBuffer = [];
        this.liveCount = 0;
        this.set({ running: { id: e.id, title: p?.title ?? e.id, question: p?.question, live: [], liveTotal: 0, startedAt: Date.now(), again } });
        return;
      }
      case 'check-progress':
        if (this.state.running?.id === e.id) this.set({ running: { ...this.state.running, progress: e.message } });
        return;
      case 'check-live':
        if (this.state.running?.id !== e.id) return;
        this.liveBuffer.push(e.line);
        if (this.liveBuffer.length > LIVE_KEEP) this.liveBuffer.splice(0, this.liveBuffer.length - LIVE_KEEP);
        this.liveCount++;
        // A trace_pipe flood must not re-render per line: lines are shown in batches.
        this.liveTimer ??= setTimeout(() => this.flushLive(), this.o.liveFlushMs ?? 60);
        return;
      case 'probe-start':
        if (this.state.running) this.set({ running: { ...this.state.running, probe: 'probe: sending traffic…' } });
        return;
      case 'probe-end':
        if (this.state.running) {
          const o = e.outcome;
          const probe = !o.ran ? `probe: ${o.note ?? 'did not run'}` : `probe ${o.ok ? 'passed' : 'FAILED'}${o.note ? ` (${o.note})` : ''}`;
          this.set({ running: { ...this.state.running, probe } });
        }
        return;
      case 'check-end': {
        this.flushLive();
        const r = e.record;
        const records = [...this.state.records.filter((x) => x.id !== r.id), r].sort((a, b) => a.rung - b.rung);
        const question = this.state.plan.find((x) => x.id === r.id)?.question;
        this.pushItem({ kind: 'rung', record: r, question, again });
        this.set({ records, running: this.state.running?.id === r.id ? undefined : this.state.running, focus: r.id });
        return;
      }
      case 'run-end':
        return; // the climb() promise carries the report
    }
  }

  private flushLive(): void {
    if (this.liveTimer) { clearTimeout(this.liveTimer); this.liveTimer = undefined; }
    const run = this.state.running;
    if (!run || this.liveCount === run.liveTotal) return;
    this.set({ running: { ...run, live: [...this.liveBuffer], liveTotal: this.liveCount } });
  }

  private onMainEnd(report: RunReport | undefined): void {
    this.gateResolve = undefined;
    if (this.state.phase === 'done') return;
    this.set({ phase: 'end', report, next: undefined, running: undefined });
    if (report && this.o.reportPath) void this.writeReport(this.o.reportPath.toLowerCase().endsWith('.json') ? 'json' : 'md', this.o.reportPath);
  }

  // ---- keys on a finished rung ----
  moveFocus(delta: number): void {
    const recs = this.state.records;
    if (!recs.length) return;
    const i = recs.findIndex((r) => r.id === this.state.focus);
    const j = Math.min(recs.length - 1, Math.max(0, (i < 0 ? recs.length - 1 : i) + delta));
    this.set({ focus: recs[j]!.id, overlay: this.state.overlay?.kind === 'details' ? { kind: 'details', id: recs[j]!.id, scroll: 0 } : this.state.overlay });
  }

  canAct(): boolean {
    return (this.state.phase === 'ladder' || this.state.phase === 'end') && !this.state.running && !this.state.busy;
  }

  toggleDetails(): void {
    if (!this.canAct()) return;
    const id = this.state.focus;
    if (this.state.overlay?.kind === 'details' || !id) { this.set({ overlay: undefined }); return; }
    this.set({ overlay: { kind: 'details', id, scroll: 0 } });
  }

  scrollDetails(delta: number, total: number, page: number): void {
    const o = this.state.overlay;
    if (o?.kind !== 'details') return;
    const scroll = Math.max(0, Math.min(Math.max(0, total - page), o.scroll + delta));
    if (scroll !== o.scroll) this.set({ overlay: { ...o, scroll } });
  }

  closeOverlay(): void { if (this.state.overlay) this.set({ overlay: undefined }); }

  async rerun(): Promise<void> {
    if (!this.canAct() || !this.state.target) return;
    const id = this.state.focus;
    const planned = this.o.checks.find((p) => p.check.id === id);
    if (!planned) return;
    this.set({ busy: { kind: 'rerun', step: `re-running ${planned.check.title}` }, overlay: undefined, notice: undefined });
    try {
      await this.o.engine.climb({
        target: this.state.target, checks: [planned], emit: (e) => this.onEvent(e, 'rerun'),
        signal: this.controller.signal, facts: this.facts, windowMode: 'per-check',
      });
    } catch (e) {
      this.set({ notice: { tone: 'bad', text: `re-run failed: ${(e as Error).message}` } });
    }
    this.set({ busy: undefined, running: undefined, focus: id });
  }

  diagnosis(): DiagnosisEntry[] {
    return (this.o.diagnose ?? diagnose)(this.state.records);
  }

  requestFix(): void {
    if (!this.canAct()) return;
    const c = fixCandidate(this.diagnosis());
    if (!c) {
      const manual = this.diagnosis().flatMap((d) => d.fixes.map((f) => f.title));
      this.set({ notice: { tone: 'info', text: manual.length ? `no fix can be applied automatically; by hand: ${manual[0]}` : 'no fix to apply: nothing has been diagnosed so far' } });
      return;
    }
    this.set({
      overlay: {
        kind: 'fix-confirm', cause: c.entry.cause, causeTitle: c.entry.title, fix: c.fix,
        argv: c.fix.commands.map((a) => fixArgv(c.fix, a)), undo: (c.fix.undo ?? []).map((a) => fixArgv(c.fix, a)),
      },
      notice: undefined,
    });
  }

  async confirmFix(yes: boolean): Promise<void> {
    const o = this.state.overlay;
    if (o?.kind !== 'fix-confirm' || !this.state.target) return;
    if (!yes) {
      this.set({ overlay: undefined, notice: { tone: 'info', text: 'the fix was not applied; nothing changed' } });
      return;
    }
    const target = this.state.target;
    this.set({ overlay: undefined, busy: { kind: 'fix', step: `applying: ${o.fix.title}` } });
    const applied = await this.o.engine.applyFix(o.cause, o.fix).catch((e): FixApplied => ({
      ok: false, output: [], commands: o.argv, undo: o.undo, error: (e as Error).message,
    }));
    const outcome: FixOutcome = {
      cause: o.cause, title: o.fix.title, commands: applied.commands, undo: applied.undo,
      applied: applied.ok, output: applied.output, worked: false,
    };
    if (!applied.ok) {
      outcome.note = `the fix failed and was rolled back: ${applied.error ?? 'see the output'}`;
      return this.endFix(outcome);
    }
    if (this.controller.signal.aborted) return;
    // The rungs that failed (and the ones that found this cause) run again with their prerequisites...
    const again = new Set(this.state.records.filter((r) => bad(r.status) || r.findings.some((f) => f.cause === o.cause)).map((r) => r.id));
    const plan = rerunPlan(this.o.checks, [...again]);
    let rerunChecks: CheckRecord[] = [];
    let probe: ProbeOutcome | undefined;
    if (plan.length) {
      this.set({ busy: { kind: 'fix', step: `re-running ${plan.length} rung(s)` } });
      try {
        const second = await this.o.engine.climb({
          target, checks: plan, emit: (e) => this.onEvent(e, 'after fix'), signal: this.controller.signal,
          facts: this.facts, windowMode: 'shared',
        });
        rerunChecks = second.checks;
        probe = second.probe;
      } catch (e) {
        outcome.note = `re-running the rungs failed: ${(e as Error).message}`;
      }
    }
    // ...and the probe is sent once more on its own: the last word on whether traffic goes through now.
    if (target.probe && !this.controller.signal.aborted) {
      this.set({ busy: { kind: 'fix', step: 'sending the probe again' } });
      probe = (await this.o.engine.probe(target, this.controller.signal).catch(() => undefined)) ?? probe;
    }
    if (this.controller.signal.aborted) return;
    outcome.rerun = { probe, checks: rerunChecks, diagnosis: this.diagnosis() };
    // A passive window (no probe to send) is ok; a probe that could not start is not.
    const probeOk = !probe || probe.ok;
    outcome.worked = probeOk && rerunChecks.every((c) => !bad(c.status)) && !this.state.records.some((r) => bad(r.status));
    outcome.note ??= outcome.worked
      ? `${probe?.ran ? 'the probe passes' : 'no probe to send'}${rerunChecks.length ? ' and the rungs that failed now pass' : ''}`
      : `${probe && !probeOk ? `the probe still fails${probe.note ? ` (${probe.note})` : ''}` : `still failing: ${this.state.records.filter((r) => bad(r.status)).map((r) => r.title).join(', ')}`}; undo with \`xdp-doctor undo\``;
    this.endFix(outcome);
  }

  private endFix(outcome: FixOutcome): void {
    this.pushItem({ kind: 'fix', outcome });
    this.set({ fix: outcome, busy: undefined, running: undefined });
  }

  // ---- the end ----
  currentReport(): RunReport | undefined {
    const base = this.state.report;
    if (!base) return undefined;
    return {
      ...base,
      checks: this.state.records,
      diagnosis: this.diagnosis(),
      ...(this.state.fix ? { fix: this.state.fix } : {}),
      exitCode: this.verdict(),
    };
  }

  /** The file `m`/`j` write, in the current directory: one name per run (decided when the ladder ends). */
  reportName(format: 'md' | 'json'): string {
    if (!this.reportBase) {
      const t = this.state.target;
      const d = (this.o.engine.now?.() ?? new Date()).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
      const what = t ? (t.kind === 'lab' ? `lab-${t.labName}` : t.iface) : 'run';
      this.reportBase = `xdp-doctor-${what}-${d}`;
    }
    return `${this.reportBase}.${format}`;
  }

  async writeReport(format: 'md' | 'json', path = this.reportName(format)): Promise<void> {
    const report = this.currentReport();
    if (!report || this.state.phase !== 'end') return;
    const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report);
    try {
      await this.o.engine.writeFile(path, text);
      this.set({ notice: { tone: 'good', text: `wrote the ${format === 'json' ? 'JSON' : 'Markdown'} report to ${path}` } });
    } catch (e) {
      this.set({ notice: { tone: 'bad', text: `could not write ${path}: ${(e as Error).message}` } });
    }
  }

  /** 1 while a rung fails or errors (a fix that worked re-ran them), else 0. */
  verdict(): number {
    return this.state.records.some((r) => bad(r.status)) ? 1 : 0;
  }

  quit(): void {
    if (this.state.phase === 'done') return;
    const code = this.state.phase === 'start' || this.state.phase === 'resolving' ? 0 : this.verdict();
    this.finish(code, false);
  }

  /** Ctrl-C or a signal: stop every child at once, exit 130. */
  interrupt(): void {
    if (this.state.phase === 'done') return;
    this.o.engine.stopChildren();
    this.finish(130, true);
  }

  private finish(code: number, interrupted: boolean): void {
    this.flushLive();
    if (!this.controller.signal.aborted) this.controller.abort(new Error(interrupted ? 'interrupted' : 'quit'));
    const r = this.gateResolve;
    this.gateResolve = undefined;
    r?.('skip');
    this.set({ phase: 'done', exitCode: code, interrupted, next: undefined, overlay: undefined, busy: undefined, running: undefined });
  }

  private pushItem(item: DistributiveOmit<StaticItem, 'key'>): void {
    this.set({ items: [...this.state.items, { ...item, key: `i${this.seq++}` } as StaticItem] });
  }
}

function headerText(tool: { name: string; version: string }, t: Target): string {
  const where = t.kind === 'lab' ? `the built-in lab ${t.labName} (${t.iface} in ${t.netns?.kind === 'name' ? t.netns.name : 'its namespace'})`
    : `${t.iface}${t.netns ? ` in ${t.netns.kind === 'name' ? t.netns.name : t.netns.kind === 'pid' ? `pid ${t.netns.pid}` : t.netns.path}` : ''}`;
  return `${tool.name} ${tool.version} — climbing the ladder on ${where}`;
}
