// The wizard's brain, without React: it owns the run (AbortController, the gate that paces the ladder) and exposes one method per key; each concern lives in its own module (start, gate,
// run-events, focus, fix-prompt, report-file). The Ink components only render the store's snapshots and map
// keys to these methods; tests drive it with a fake engine.
import type { CheckRecord, DiagnosisEntry, ProbeOutcome, RunReport, Target } from '../engine/types.js';
import type { PlannedCheck } from '../engine/runner.js';
import { diagnose } from '../engine/diagnosis.js';
import { fixCandidate } from '../engine/fix-flow.js';
import { answerFix, offerFix } from './fix-prompt.js';
import { moveFocus, scrollDetails, toggleDetails } from './focus.js';
import { Gate } from './gate.js';
import { headerText } from './header.js';
import { LiveLines } from './live-lines.js';
import { currentReport, formatOf, reportBase, reportText } from './report-file.js';
import { applyRunEvent } from './run-events.js';
import { loadChoices, selectTarget } from './start.js';
import type { Phase, WizardState } from './state.js';
import { Store } from './store.js';
import type { WizardEngine } from './wizard-engine.js';
import { attachPlan } from '../attach/plan.js';
import { isAbsolute, resolve } from 'node:path';

export type * from './state.js';
export type { ClimbOptions, FixApplied, WizardEngine } from './wizard-engine.js';

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
  diagnose?(records: CheckRecord[], probe?: ProbeOutcome): DiagnosisEntry[];
  liveFlushMs?: number;
}

const bad = (r: CheckRecord) => r.status === 'fail' || r.status === 'error';

export class WizardSession {
  private readonly store: Store;
  private readonly controller = new AbortController();
  private readonly gate: Gate;
  private readonly live: LiveLines;
  private main?: Promise<unknown>;
  private base?: string;
  private readonly o: SessionOptions;
  /** The rungs `r` and a fix re-run: the ladder's, or the attach run's once `t` started one. */
  private checks: PlannedCheck[];
  private attached = false;

  constructor(o: SessionOptions) {
    this.o = o;
    this.checks = o.checks;
    this.store = new Store({ phase: o.target ? 'ladder' : 'start', plan: [], items: [], records: [], auto: false, target: o.target });
    this.gate = new Gate(this.store, this.controller.signal);
    this.live = new LiveLines(this.store, o.liveFlushMs);
    if (o.signal) {
      if (o.signal.aborted) queueMicrotask(() => this.interrupt());
      else o.signal.addEventListener('abort', () => this.interrupt(), { once: true });
    }
  }

  // ---- store protocol (useSyncExternalStore) ----
  get getState(): () => WizardState { return this.store.getState; }
  get subscribe(): (fn: () => void) => () => void { return this.store.subscribe; }
  private get state(): WizardState { return this.store.getState(); }
  private phase(): Phase { return this.state.phase; }
  get signal(): AbortSignal { return this.controller.signal; }

  /** Asks the engine for the start screen's choices (no target) or starts the ladder. Called once, after the first frame. */
  begin(): void {
    if (this.state.phase === 'start') void loadChoices(this.store, this.o.engine, this.signal, this.o.preferLab);
    else if (this.state.target) this.startLadder(this.state.target);
  }

  /** Resolves when the run (if any) has wound down, or after `ms`. */
  async settled(ms = 3000): Promise<void> {
    if (!this.main) return;
    await Promise.race([this.main.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
  }

  dispose(): void {
    this.live.stop();
    if (!this.signal.aborted) this.controller.abort(new Error('wizard closed'));
    this.gate.close();
  }

  // ---- start screen ----
  select(delta: number): void { selectTarget(this.store, delta); }

  async choose(): Promise<void> {
    const s = this.state.start;
    const choice = s?.choices[s.selected];
    if (!s || !choice || this.state.phase !== 'start') return;
    this.store.set({ phase: 'resolving' });
    try {
      const target = await this.o.engine.resolve(choice);
      if (this.phase() !== 'resolving') return;
      this.store.set({ target, phase: 'ladder' });
      this.startLadder(target);
    } catch (e) {
      if (this.phase() !== 'resolving') return;
      this.store.set({ phase: 'start', start: { ...s, error: (e as Error).message } });
    }
  }

  // ---- the ladder ----
  private startLadder(target: Target): void {
    this.store.push({ kind: 'header', text: headerText(this.o.tool, target) });
    for (const record of this.o.preRecords ?? []) this.store.push({ kind: 'rung', record });
    this.store.set({ phase: 'ladder', records: [...(this.o.preRecords ?? [])] });
    this.main = this.o.engine.climb({
      target, checks: this.checks, emit: (e) => applyRunEvent(this.store, this.live, e), signal: this.signal,
      gate: this.gate.ask, windowMode: 'stepped',
    }).then(
      (report) => this.onMainEnd(report),
      (err) => {
        this.store.push({ kind: 'note', tone: 'bad', text: `the ladder stopped: ${(err as Error).message}` });
        this.store.set({ climbFailed: (err as Error).message });
        this.onMainEnd(undefined);
      },
    );
  }

  next(): void { this.gate.answer('run'); }
  skip(): void { this.gate.answer('skip'); }
  runAll(): void {
    if (this.state.phase !== 'ladder') return;
    this.store.set({ auto: true });
    this.gate.answer('all');
  }

  private onMainEnd(report: RunReport | undefined): void {
    this.gate.forget();
    if (this.state.phase === 'done') return;
    this.store.set({ phase: 'end', report, next: undefined, running: undefined });
    if (report && this.o.reportPath) void this.writeReport(formatOf(this.o.reportPath), this.o.reportPath);
  }

  // ---- keys on a finished rung ----
  moveFocus(delta: number): void { moveFocus(this.store, delta); }

  canAct(): boolean {
    return (this.state.phase === 'ladder' || this.state.phase === 'end') && !this.state.running && !this.state.busy;
  }

  toggleDetails(): void { if (this.canAct()) toggleDetails(this.store); }
  scrollDetails(delta: number, total: number, page: number): void { scrollDetails(this.store, delta, total, page); }
  closeOverlay(): void { if (this.state.overlay) this.store.set({ overlay: undefined }); }

  async rerun(): Promise<void> {
    if (!this.canAct() || !this.state.target) return;
    const id = this.state.focus;
    const planned = this.checks.find((p) => p.check.id === id);
    if (!planned) return;
    // A re-run is one rung on its own: an observing rung gets a fresh probe of its own, and says so.
    const fresh = planned.check.observes ? ' with a fresh probe of its own' : '';
    this.store.set({ busy: { kind: 'rerun', step: `re-running ${planned.check.title}${fresh}` }, overlay: undefined, notice: undefined });
    try {
      await this.o.engine.climb({
        target: this.state.target, checks: [planned], emit: (e) => applyRunEvent(this.store, this.live, e, 'rerun'),
        signal: this.signal, windowMode: 'per-check',
      });
    } catch (e) {
      this.store.set({ notice: { tone: 'bad', text: `re-run failed: ${(e as Error).message}` } });
    }
    this.store.set({ busy: undefined, running: undefined, focus: id });
  }

  diagnosis(): DiagnosisEntry[] {
    // The probe of the climb (or of the re-run after a fix): a failed one that no rung explains is a cause too.
    return (this.o.diagnose ?? ((records, probe) => diagnose(records, undefined, probe)))(this.state.records, this.state.fix?.rerun?.probe ?? this.state.report?.probe);
  }

  /** Whether `f` has a fix with commands to offer now. */
  hasFix(): boolean { return fixCandidate(this.diagnosis()) !== undefined; }

  requestFix(): void { if (this.canAct()) offerFix(this.store, this.diagnosis()); }

  confirmFix(yes: boolean): Promise<void> {
    return answerFix({
      store: this.store, live: this.live, engine: this.o.engine, checks: this.checks, signal: this.signal,
      diagnose: (records) => (this.o.diagnose ?? diagnose)(records),
    }, yes);
  }

  // ---- attach a program where there is none (t) ----
  /** The ladder ended on an interface with no XDP program (inventory said so), and nothing was attached yet. */
  canAttach(): boolean {
    const s = this.state;
    return s.phase === 'end' && !this.attached && !s.running && !s.busy && s.target !== undefined
      && s.records.some((r) => r.findings.some((f) => f.cause === 'no-xdp-program'));
  }

  askObject(): void {
    if (this.canAttach()) this.store.set({ overlay: { kind: 'attach-prompt', iface: this.state.target!.iface, text: '' }, notice: undefined });
  }

  typeObject(input: string): void {
    const o = this.state.overlay;
    if (o?.kind === 'attach-prompt') this.store.set({ overlay: { ...o, text: (o.text + input).replace(/[\r\n\0]/g, '').slice(0, 4096) } });
  }

  eraseObject(): void {
    const o = this.state.overlay;
    if (o?.kind === 'attach-prompt') this.store.set({ overlay: { ...o, text: o.text.slice(0, -1) } });
  }

  /** The same run as `xdp-doctor attach OBJECT --iface IFACE`: preconditions, then the attach, all at once. */
  submitObject(): void {
    const o = this.state.overlay;
    const target = this.state.target;
    if (o?.kind !== 'attach-prompt' || !target) return;
    const text = o.text.trim();
    if (!text) { this.store.set({ notice: { tone: 'bad', text: 'give the path of a BPF object (.o) to attach' } }); return; }
    const object = isAbsolute(text) ? text : resolve(text);
    this.attached = true;
    this.checks = attachPlan({ object, iface: target.iface, ...(target.netns ? { netns: target.netns } : {}), mode: 'auto' });
    this.store.push({ kind: 'note', tone: 'info', text: `attach ${object} to ${target.iface}: the preconditions, then the attach` });
    this.store.set({ overlay: undefined, notice: undefined, phase: 'ladder', auto: true, records: [], report: undefined, fix: undefined, focus: undefined });
    // The attach observes no traffic: no route, no probe, no window in its report.
    const here = { ...target, hops: [], windowMs: 0, probe: undefined, nstatNodes: undefined, flow: undefined };
    this.main = this.o.engine.climb({
      target: here, checks: this.checks, emit: (e) => applyRunEvent(this.store, this.live, e), signal: this.signal,
      gate: this.gate.ask, windowMode: 'stepped',
    }).then(
      (report) => this.onMainEnd(report),
      (err) => {
        this.store.push({ kind: 'note', tone: 'bad', text: `the attach stopped: ${(err as Error).message}` });
        this.onMainEnd(undefined);
      },
    );
  }

  // ---- the end ----
  currentReport(): RunReport | undefined {
    // Ctrl-C ends the run with 130 whatever the rungs found; the summary shows the exit the process will have.
    return currentReport(this.state, this.diagnosis(), this.state.interrupted ? 130 : this.verdict());
  }

  /** The file `m`/`j` write, in the current directory: one name per run (decided when first asked). */
  reportName(format: 'md' | 'json'): string {
    this.base ??= reportBase(this.state.target, this.o.engine.now?.() ?? new Date());
    return `${this.base}.${format}`;
  }

  async writeReport(format: 'md' | 'json', path = this.reportName(format)): Promise<void> {
    const report = this.currentReport();
    if (!report || this.state.phase !== 'end') return;
    try {
      await this.o.engine.writeFile(path, reportText(report, format));
      this.store.set({ notice: { tone: 'good', text: `wrote the ${format === 'json' ? 'JSON' : 'Markdown'} report to ${path}` } });
    } catch (e) {
      this.store.set({ notice: { tone: 'bad', text: `could not write ${path}: ${(e as Error).message}` } });
    }
  }

  /** 1 while a rung fails or errors (a fix that worked re-ran them) or the climb itself failed, else 0. */
  verdict(): number {
    return this.state.climbFailed !== undefined || this.state.records.some(bad) || this.diagnosis().some((d) => d.cause === 'probe-failed-unexplained') ? 1 : 0;
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
    this.live.flush();
    if (!this.signal.aborted) this.controller.abort(new Error(interrupted ? 'interrupted' : 'quit'));
    this.gate.close();
    this.store.set({ phase: 'done', exitCode: code, interrupted, next: undefined, overlay: undefined, busy: undefined, running: undefined });
  }
}
