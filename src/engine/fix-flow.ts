// The one fix flow, for --fix and the wizard's `f`: apply a fix (logged with its undo), re-run the rungs it
// should change in one shared window, send the probe once more on its own, and say whether it worked. It
// emits FixEvents on the way; callers render them. Consent is the caller's job (--fix or a y/n).
import type { CheckRecord, CheckStatus, DiagnosisEntry, Fix, FixOutcome, ProbeOutcome, RunEvent, RunReport } from './types.js';
import { dependsOn } from './types.js';
import type { PlannedCheck } from './runner.js';
import { applyFix } from './apply-fix.js';
import type { FixState } from './fix-log.js';
import type { Exec } from '../tools/exec.js';

/** What applying a fix did. `state` tells a rolled-back fix from one that failed before it changed anything. */
export interface FixApplied {
  ok: boolean; state: FixState; output: string[]; commands: string[][]; undo: string[][]; error?: string;
}

export type FixEvent =
  | { type: 'fix-progress'; step: string }
  | { type: 'fix-applied'; applied: FixApplied }
  /** One event of the re-run's climb, passed through as it happens. */
  | { type: 'fix-rerun'; event: RunEvent }
  | { type: 'fix-outcome'; outcome: FixOutcome };

export interface FixDeps {
  apply(cause: string, fix: Fix): Promise<FixApplied>;
  /** Climbs `plan` again, in one shared probe window. */
  rerun(plan: PlannedCheck[], emit: (e: RunEvent) => void): Promise<RunReport>;
  /** Sends the target's probe on its own; absent or undefined: the target has none (a passive window). */
  probe?(): Promise<ProbeOutcome | undefined>;
  /** Ranks the findings of the records as they stand after the fix. */
  diagnose(records: CheckRecord[]): DiagnosisEntry[];
  emit?(e: FixEvent): void;
  signal?: AbortSignal;
}

const bad = (s: CheckStatus) => s === 'fail' || s === 'error';

/** applyFix with a real (or fake) Exec, as a FixDeps.apply. */
export function applyWith(exec: Exec): FixDeps['apply'] {
  return async (cause, fix) => {
    const r = await applyFix(exec, cause, fix);
    return { ok: r.ok, state: r.record.state, output: r.output, commands: r.record.commands, undo: r.record.undo, error: r.record.error };
  };
}

/** The fix to offer: the best-ranked cause that has one with commands to run. */
export function fixCandidate(diagnosis: DiagnosisEntry[]): { entry: DiagnosisEntry; fix: Fix } | undefined {
  for (const entry of diagnosis) {
    const fix = entry.fixes.find((f) => f.commands.length > 0);
    if (fix) return { entry, fix };
  }
  return undefined;
}

/** The failed rungs plus everything they wait for, in plan order. */
export function rerunPlan(planned: PlannedCheck[], failedIds: string[]): PlannedCheck[] {
  const byId = new Map(planned.map((p) => [p.check.id, p]));
  const want = new Set<string>();
  const add = (id: string) => {
    if (want.has(id) || !byId.has(id)) return;
    want.add(id);
    for (const dep of dependsOn(byId.get(id)!.check)) add(dep);
  };
  failedIds.forEach(add);
  return planned.filter((p) => want.has(p.check.id));
}

/** The rungs a fix for `cause` should change: those that failed and those that found the cause. */
function rungsToRerun(records: CheckRecord[], cause: string): string[] {
  return records.filter((r) => bad(r.status) || r.findings.some((f) => f.cause === cause)).map((r) => r.id);
}

/** --fix on a finished run: undefined when nothing was diagnosed; not applied when no fix can run by itself. */
export async function fixReport(report: RunReport, planned: PlannedCheck[], deps: FixDeps): Promise<FixOutcome | undefined> {
  const top = report.diagnosis[0];
  if (!top) return undefined;
  const c = fixCandidate(report.diagnosis);
  if (!c) {
    return { cause: top.cause, title: top.fixes[0]?.title ?? '(none)', commands: [], undo: [], applied: false, output: [], worked: false,
      note: `no automatic fix for ${top.cause}: ${top.fixes.map((f) => f.title).join('; ') || 'see the diagnosis'}` };
  }
  return fixAndVerify({ cause: c.entry.cause, fix: c.fix, records: report.checks, planned }, deps);
}

interface FixRequest { cause: string; fix: Fix; records: CheckRecord[]; planned: PlannedCheck[] }

export async function fixAndVerify(req: FixRequest, deps: FixDeps): Promise<FixOutcome> {
  const emit = deps.emit ?? (() => undefined);
  const end = (outcome: FixOutcome) => { emit({ type: 'fix-outcome', outcome }); return outcome; };
  emit({ type: 'fix-progress', step: `applying: ${req.fix.title}` });
  // An apply that throws may have stopped anywhere: neither rolled back nor untouched can be claimed.
  const applied = await deps.apply(req.cause, req.fix).catch((e): FixApplied => ({
    ok: false, state: 'applying', output: [], commands: req.fix.commands, undo: req.fix.undo ?? [], error: (e as Error).message,
  }));
  emit({ type: 'fix-applied', applied });
  const outcome: FixOutcome = {
    cause: req.cause, title: req.fix.title, commands: applied.commands, undo: applied.undo,
    applied: applied.ok, output: applied.output, worked: false,
  };
  if (!applied.ok) {
    const why = applied.error ?? 'see the output';
    outcome.note = applied.state === 'rolled-back' ? `the fix failed and was rolled back: ${why}`
      : applied.state === 'failed' ? `the fix failed before it changed anything: ${why}`
        : `the fix could not be applied: ${why} (whether any of its commands ran is not known)`;
    return end(outcome);
  }
  if (deps.signal?.aborted) return end({ ...outcome, note: 'interrupted after the fix was applied; undo with `xdp-doctor undo`' });

  const plan = rerunPlan(req.planned, rungsToRerun(req.records, req.cause));
  let rerun: CheckRecord[] = [];
  let probe: ProbeOutcome | undefined;
  let rerunFailed = false;
  if (plan.length) {
    emit({ type: 'fix-progress', step: `re-running ${plan.length} rung(s)` });
    try {
      const second = await deps.rerun(plan, (event) => emit({ type: 'fix-rerun', event }));
      rerun = second.checks;
      probe = second.probe;
    } catch (e) {
      rerunFailed = true;
      outcome.note = `re-running the rungs failed: ${(e as Error).message}`;
    }
  }
  // The probe on its own, after the collectors are gone: the last word on whether traffic goes through now.
  if (deps.probe && !deps.signal?.aborted) {
    emit({ type: 'fix-progress', step: 'sending the probe again' });
    probe = (await deps.probe().catch(() => undefined)) ?? probe;
  }
  if (deps.signal?.aborted) return end({ ...outcome, note: 'interrupted after the fix was applied; undo with `xdp-doctor undo`' });

  const records = [...req.records.filter((r) => !rerun.some((x) => x.id === r.id)), ...rerun].sort((a, b) => a.rung - b.rung);
  outcome.rerun = { probe, checks: rerun, diagnosis: deps.diagnose(records) };
  // A passive window (no probe to send) is ok; a probe that failed or could not start is not.
  const probeOk = !probe || probe.ok;
  const failing = records.filter((r) => bad(r.status));
  outcome.worked = !rerunFailed && probeOk && failing.length === 0;
  outcome.note ??= outcome.worked
    ? `${probe?.ran ? 'the probe passes' : 'no probe to send'}${rerun.length ? ' and the rungs that failed now pass' : ''}`
    : `${!probeOk ? `the probe still fails${probe!.note ? ` (${probe!.note})` : ''}` : `still failing: ${failing.map((r) => r.title).join(', ')}`}; undo with \`xdp-doctor undo\``;
  return end(outcome);
}
