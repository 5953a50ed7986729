// Entry of the interactive mode, loaded lazily by doctor.ts (the non-interactive path never loads Ink or
// React). Renders the wizard on the terminal, returns its exit code once the terminal is restored and the run
// has wound down: 0/1 like the plain report, 130 after Ctrl-C or a signal.
import { render } from 'ink';
import type { LadderArgs } from '../cli-args.js';
import type { PlannedCheck } from '../engine/runner.js';
import type { CheckRecord, DiagnosisEntry, ProbeOutcome, Target } from '../engine/types.js';
import { Wizard } from './app.js';
import { realEngine } from './engine.js';
import { eraseSplash } from '../splash.js';
import { WizardSession, type WizardEngine } from './session.js';

export interface RunWizardOptions {
  args: LadderArgs;
  checks: PlannedCheck[];
  target?: Target;
  signal: AbortSignal;
  tool: { name: string; version: string };
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  engine?: WizardEngine;
  /** What the start screen offers (src/target/discover.ts): the caller's, so no view loads the code that looks. */
  discover: WizardEngine['discover'];
  /** Plugins that did not load, as report rows. */
  preRecords?: CheckRecord[];
  diagnose?(records: CheckRecord[], probe?: ProbeOutcome): DiagnosisEntry[];
  /** Where captures go (removed after the run unless kept). */
  artifacts?: { dir: string; keep: boolean };
}

export async function runWizard(o: RunWizardOptions): Promise<number> {
  const session = new WizardSession({
    engine: o.engine ?? realEngine(o.args, o.tool, o.artifacts, o.discover), checks: o.checks, tool: o.tool, target: o.target,
    preferLab: o.args.labName, signal: o.signal, reportPath: o.args.report, preRecords: o.preRecords, diagnose: o.diagnose,
  });
  let code = 0;
  eraseSplash(o.stdout ?? process.stdout);
  const ink = render(<Wizard session={session} onExit={(c) => { code = c; }} />, {
    stdin: o.stdin ?? process.stdin,
    stdout: o.stdout ?? process.stdout,
    stderr: o.stderr ?? process.stderr,
    // Ctrl-C arrives as a key in raw mode: the session stops the run, kills every child and exits 130.
    exitOnCtrlC: false,
    // Only changed lines are rewritten: the spinner and live lines do not repaint the whole region.
    incrementalRendering: false,
  });
  try {
    await ink.waitUntilExit();
  } finally {
    session.dispose();
  }
  // Children were signalled; give the aborted rungs a moment to reap them before the caller's final kill.
  await session.settled(2000);
  return code;
}
