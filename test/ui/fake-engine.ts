// A fake engine for the wizard: no process runs. climb() keeps runLadder's contract (run-start, gate before
// each rung, check-start/live/check-end, run-end) and replays CheckRecords recorded from a real run on the
// lab with the veth-peer fault (fixtures/report-veth-peer.json); after applyFix it replays the healthy run.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Check, CheckRecord, Fix, ProbeOutcome, RunReport, Target } from '../../src/engine/types.js';
import type { PlannedCheck } from '../../src/engine/runner.js';
import type { Discovery } from '../../src/target/choices.js';
import type { ClimbOptions, FixApplied, WizardEngine } from '../../src/ui/wizard-engine.js';

const here = dirname(fileURLToPath(import.meta.url));
export const fixture = (name: string) => readFileSync(join(here, 'fixtures', name), 'utf8');
export const VETH_REPORT = JSON.parse(fixture('report-veth-peer.json')) as RunReport;
export const HEALTHY_REPORT = JSON.parse(fixture('report-healthy.json')) as RunReport;
/** `xdp-doctor attach xdp_pass.o --iface l0 --json` on a veth whose peer g1 has MTU 9000 (checkout path replaced). */
export const ATTACH_MTU_REPORT = JSON.parse(fixture('report-attach-veth-mtu.json')) as RunReport;

const QUESTIONS: Record<string, string> = {
  preflight: 'Can this machine run the ladder: privileges, kernel file systems, BTF, fentry, tools?',
  inventory: 'Which XDP program runs on the interface, in which mode, with which maps, and what is on the veth peer?',
  routing: 'Does the packet travel the route towards the XDP program, and where is it last seen?',
  'trace-pipe': 'What does the program itself say about each packet (bpf_printk in trace_pipe)?',
  'map-dump': 'Are the parameters the program reads from its maps what they should be?',
};

/** Planned checks with the ids, titles, rungs and prerequisites of the recorded run (run() is never called). */
export function plannedFrom(report: RunReport, ids?: string[]): PlannedCheck[] {
  const recs = report.checks.filter((c) => !ids || ids.includes(c.id));
  return recs.map((r, i) => ({
    source: 'built-in',
    check: {
      id: r.id, title: r.title, rung: r.rung, question: QUESTIONS[r.id] ?? `What does ${r.id} find?`,
      after: i > 0 ? [recs[0]!.id] : [],
      run: () => { throw new Error('the fake engine never runs checks'); },
    } satisfies Check,
  }));
}

export interface Deferred { promise: Promise<void>; resolve(): void }
export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

export interface FakeOptions {
  target?: Target;
  discovery?: Discovery;
  resolveError?: string;
  before?: RunReport;
  after?: RunReport;
  /** Live lines a rung emits once it starts. */
  live?: Record<string, string[]>;
  /** A rung that keeps running until released (or aborted). */
  hold?: Record<string, Deferred>;
  /** Records of a second run (the attach's rungs after `t`), looked up by id before `before`'s. */
  also?: RunReport;
  applyOk?: boolean;
  /** What a failed apply reports: rolled back (the default) or failed before it changed anything. */
  applyState?: 'rolled-back' | 'failed';
  probeOk?: boolean;
  writeError?: string;
}

export interface FakeEngine extends WizardEngine {
  climbs: { ids: string[]; windowMode: string; gated: boolean }[];
  gates: string[];
  resolved: unknown[];
  fixes: { cause: string; fix: Fix }[];
  probes: number;
  written: Map<string, string>;
  stopped: number;
  signals: AbortSignal[];
  fixed: boolean;
}

export function fakeEngine(o: FakeOptions = {}): FakeEngine {
  const before = o.before ?? VETH_REPORT;
  const afterFix = o.after ?? HEALTHY_REPORT;
  const e: FakeEngine = {
    climbs: [], gates: [], resolved: [], fixes: [], probes: 0, written: new Map(), stopped: 0, signals: [], fixed: false,
    async discover() {
      return o.discovery ?? { programs: [], labs: [{ name: 'wz', phase: 'up', faults: ['veth-peer'], programs: 2 }], problems: [], namespaces: 4 };
    },
    async resolve(choice) {
      e.resolved.push(choice);
      if (o.resolveError) throw new Error(o.resolveError);
      return o.target ?? before.target;
    },
    async climb(c: ClimbOptions): Promise<RunReport> {
      e.climbs.push({ ids: c.checks.map((p) => p.check.id), windowMode: c.windowMode, gated: Boolean(c.gate) });
      e.signals.push(c.signal);
      c.emit({ type: 'run-start', target: c.target, checks: c.checks.map(({ check }) => ({ id: check.id, title: check.title, rung: check.rung, question: check.question })) });
      const records: CheckRecord[] = [];
      const end = (r: CheckRecord) => { records.push(r); c.emit({ type: 'check-end', record: r }); };
      const skip = (p: PlannedCheck, summary: string): CheckRecord => ({
        id: p.check.id, title: p.check.title, rung: p.check.rung, source: 'built-in', commands: [], durationMs: 0,
        status: 'skip', summary, evidence: [], findings: [],
      });
      for (const p of c.checks) {
        const id = p.check.id;
        if (c.signal.aborted) { end(skip(p, 'interrupted before it ran')); continue; }
        if (c.gate) {
          e.gates.push(id);
          if ((await c.gate(id)) === 'skip') { end(skip(p, 'skipped by the operator')); continue; }
        }
        c.emit({ type: 'check-start', id });
        c.emit({ type: 'check-progress', id, message: `working on ${id}` });
        for (const line of o.live?.[id] ?? []) c.emit({ type: 'check-live', id, line });
        const hold = o.hold?.[id];
        if (hold) {
          await Promise.race([hold.promise, new Promise<void>((r) => c.signal.addEventListener('abort', () => r(), { once: true }))]);
        }
        if (c.signal.aborted) { end(skip(p, 'interrupted')); continue; }
        const rec = o.also?.checks.find((r) => r.id === id) ?? (e.fixed ? afterFix : before).checks.find((r) => r.id === id);
        end(rec ? structuredClone(rec) : { ...skip(p, 'no recording'), status: 'pass', summary: `${id} ok` });
      }
      const report: RunReport = {
        ...structuredClone(before), checks: records, diagnosis: [], fix: undefined,
        probe: e.fixed ? afterFix.probe : before.probe,
        exitCode: c.signal.aborted ? 130 : records.some((r) => r.status === 'fail' || r.status === 'error') ? 1 : 0,
      };
      c.emit({ type: 'run-end', report });
      return report;
    },
    async applyFix(cause, fix): Promise<FixApplied> {
      e.fixes.push({ cause, fix });
      const ok = o.applyOk ?? true;
      if (ok) e.fixed = true;
      return {
        // The fake's fix has one command; a failure after it ran is what gets rolled back.
        ok, state: ok ? 'applied' : o.applyState ?? 'rolled-back', output: fix.commands.map((c) => `$ ${c.join(' ')}${ok ? '' : '\n  failed: RTNETLINK answers: Device or resource busy'}`),
        commands: fix.commands, undo: fix.undo ?? [], error: ok ? undefined : 'RTNETLINK answers: Device or resource busy',
      };
    },
    async probe(): Promise<ProbeOutcome> {
      e.probes++;
      const ok = o.probeOk ?? e.fixed;
      return { ran: true, ok, startedAt: 0, endedAt: 1, exitCode: ok ? 0 : 1, note: ok ? undefined : 'no echo came back' };
    },
    async writeFile(path, text) {
      if (o.writeError) throw new Error(o.writeError);
      e.written.set(path, text);
    },
    stopChildren() { e.stopped++; },
    now: () => new Date('2026-11-24T13:45:00Z'),
  };
  return e;
}
