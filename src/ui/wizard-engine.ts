// Everything the wizard needs from the outside world, as one interface: the real one is in engine.ts (the
// same runLadder, fix flow and probe the plain path uses); tests pass fakes. No component imports it.
import type { Fix, ProbeOutcome, RunEvent, RunReport, Target } from '../engine/types.js';
import type { GateAnswer, PlannedCheck } from '../engine/runner.js';
import type { FixApplied } from '../engine/fix-flow.js';
import type { Choice, Discovery } from '../target/choices.js';

export type { FixApplied };

export interface ClimbOptions {
  target: Target;
  checks: PlannedCheck[];
  emit(e: RunEvent): void;
  signal: AbortSignal;
  gate?(checkId: string): Promise<GateAnswer>;
  /** stepped: the wizard's pace, the observing rungs of a window sharing its probe; per-check: `r`, one rung with a fresh probe; shared: re-runs after a fix. */
  windowMode: 'stepped' | 'per-check' | 'shared';
}

/** One engine per wizard run: its climbs share the facts the rungs publish (kept in the engine, never read here). */
export interface WizardEngine {
  discover(signal: AbortSignal): Promise<Discovery>;
  /** The Target for a start-screen choice; throws an Error whose message is shown to the operator. */
  resolve(choice: Choice): Promise<Target>;
  climb(o: ClimbOptions): Promise<RunReport>;
  /** Applies one fix, logged with its undo (engine/apply-fix.ts). */
  applyFix(cause: string, fix: Fix): Promise<FixApplied>;
  probe(target: Target, signal: AbortSignal): Promise<ProbeOutcome | undefined>;
  writeFile(path: string, text: string): Promise<void>;
  /** Ends every child process at once (Ctrl-C). */
  stopChildren(): void;
  now?(): Date;
}
