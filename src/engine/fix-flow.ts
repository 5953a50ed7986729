// --fix: apply the top cause's first runnable fix, then re-run the probe and the rungs that failed (with
// the rungs they depend on), and say whether it worked. Consent is the caller's job (--fix or a y/n).
import type { FixOutcome, RunReport } from './types.js';
import type { PlannedCheck } from './runner.js';
import { applyFix } from './apply-fix.js';
import type { Exec } from '../tools/exec.js';

/** The failed rungs plus everything they wait for, in plan order. */
export function rerunPlan(planned: PlannedCheck[], failedIds: string[]): PlannedCheck[] {
  const byId = new Map(planned.map((p) => [p.check.id, p]));
  const want = new Set<string>();
  const add = (id: string) => {
    if (want.has(id) || !byId.has(id)) return;
    want.add(id);
    for (const dep of byId.get(id)!.check.after ?? []) add(dep);
  };
  failedIds.forEach(add);
  return planned.filter((p) => want.has(p.check.id));
}

export async function fixAndVerify(
  exec: Exec, report: RunReport, planned: PlannedCheck[],
  rerun: (plan: PlannedCheck[]) => Promise<RunReport>,
): Promise<FixOutcome | undefined> {
  const top = report.diagnosis[0];
  if (!top) return undefined;
  const fix = top.fixes.find((f) => f.commands.length > 0);
  if (!fix) {
    return { cause: top.cause, title: top.fixes[0]?.title ?? '(none)', commands: [], undo: [], applied: false, output: [], worked: false,
      note: `no automatic fix for ${top.cause}: ${top.fixes.map((f) => f.title).join('; ') || 'see the diagnosis'}` };
  }
  const applied = await applyFix(exec, top.cause, fix);
  const outcome: FixOutcome = {
    cause: top.cause, title: fix.title, commands: applied.record.commands, undo: applied.record.undo,
    applied: applied.ok, output: applied.output, worked: false,
  };
  if (!applied.ok) {
    outcome.note = applied.record.state === 'rolled-back'
      ? `the fix failed and was rolled back: ${applied.record.error}`
      : `the fix failed before it changed anything: ${applied.record.error}`;
    return outcome;
  }
  const failed = report.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id);
  const second = await rerun(rerunPlan(planned, failed));
  outcome.rerun = { probe: second.probe, checks: second.checks, diagnosis: second.diagnosis };
  outcome.worked = second.exitCode === 0 && second.probe?.ok !== false;
  outcome.note = outcome.worked ? 'the probe passes and the rungs that failed now pass' : 'the fix did not clear every failure';
  return outcome;
}
