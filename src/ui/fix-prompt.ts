// `f` and `y`: the fix the diagnosis offers, shown with its exact argv and undo for a y/n, then handed to the
// engine's fix flow (engine/fix-flow.ts), the same one --fix runs. The wizard only renders what the flow
// reports: its steps, the rungs it re-runs, and the outcome.
import type { CheckRecord, DiagnosisEntry } from '../engine/types.js';
import type { PlannedCheck } from '../engine/runner.js';
import { fixAndVerify, fixCandidate, type FixEvent } from '../engine/fix-flow.js';
import { fixArgv } from '../engine/fix-argv.js';
import type { LiveLines } from './live-lines.js';
import { applyRunEvent } from './run-events.js';
import type { Store } from './store.js';
import type { WizardEngine } from './wizard-engine.js';

/** Opens the confirmation for the fix the diagnosis offers, or says why there is none. */
export function offerFix(store: Store, diagnosis: DiagnosisEntry[]): void {
  const c = fixCandidate(diagnosis);
  if (!c) {
    const manual = diagnosis.flatMap((d) => d.fixes.map((f) => f.title));
    store.set({ notice: { tone: 'info', text: manual.length ? `no fix can be applied automatically; by hand: ${manual[0]}` : 'no fix to apply: nothing has been diagnosed so far' } });
    return;
  }
  store.set({
    overlay: {
      kind: 'fix-confirm', cause: c.entry.cause, causeTitle: c.entry.title, fix: c.fix,
      argv: c.fix.commands.map((a) => fixArgv(c.fix, a)), undo: (c.fix.undo ?? []).map((a) => fixArgv(c.fix, a)),
    },
    notice: undefined,
  });
}

interface FixRun {
  store: Store; live: LiveLines; engine: WizardEngine; checks: PlannedCheck[]; signal: AbortSignal;
  diagnose(records: CheckRecord[]): DiagnosisEntry[];
}

/** The operator's answer to the confirmation. */
export async function answerFix(x: FixRun, yes: boolean): Promise<void> {
  const s = x.store.getState();
  const o = s.overlay;
  const target = s.target;
  if (o?.kind !== 'fix-confirm' || !target) return;
  if (!yes) {
    x.store.set({ overlay: undefined, notice: { tone: 'info', text: 'the fix was not applied; nothing changed' } });
    return;
  }
  x.store.set({ overlay: undefined, busy: { kind: 'fix', step: `applying: ${o.fix.title}` } });
  await fixAndVerify({ cause: o.cause, fix: o.fix, records: s.records, planned: x.checks }, {
    apply: (cause, fix) => x.engine.applyFix(cause, fix),
    rerun: (plan, emit) => x.engine.climb({ target, checks: plan, emit, signal: x.signal, windowMode: 'shared' }),
    probe: target.probe ? () => x.engine.probe(target, x.signal) : undefined,
    diagnose: x.diagnose,
    signal: x.signal,
    emit: (e) => renderFixEvent(x, e),
  });
}

function renderFixEvent(x: FixRun, e: FixEvent): void {
  if (x.signal.aborted) return; // Ctrl-C or q: the wizard is ending, and says so itself
  switch (e.type) {
    case 'fix-progress':
      x.store.set({ busy: { kind: 'fix', step: e.step } });
      return;
    case 'fix-applied':
      return; // its output is part of the outcome's row
    case 'fix-rerun':
      applyRunEvent(x.store, x.live, e.event, 'after fix');
      return;
    case 'fix-outcome':
      x.store.push({ kind: 'fix', outcome: e.outcome });
      x.store.set({ fix: e.outcome, busy: undefined, running: undefined });
      return;
  }
}
