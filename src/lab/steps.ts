// Running the lab's commands: plain argv lists (optionally inside a namespace) through the project's Exec,
// failing with the command and its stderr so the operator sees exactly which step broke.
import type { NetnsRef } from '../engine/types.js';
import type { Exec, RunResult } from '../tools/exec.js';

export interface Step { argv: string[]; netns?: NetnsRef }

/** A lab failure with the exit code the CLI should return (1: environment/state, 2: bad input). */
export class LabError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

const STEP_TIMEOUT_MS = 15_000;

export function describeStep(s: Step): string {
  const where = s.netns?.kind === 'name' ? `[${s.netns.name}] ` : '';
  return where + s.argv.join(' ');
}

/**
 * An Exec whose commands stop when `signal` aborts (Ctrl-C during `lab up`): the running one is cancelled and
 * no further one starts, so the builder fails at a step boundary and its cleanup sees a settled system.
 */
export function withSignal(exec: Exec, signal: AbortSignal): Exec {
  const interrupted = (argv: string[]) => new LabError(`interrupted at ${argv.join(' ')}`);
  return {
    async run(argv, o) {
      if (signal.aborted) throw interrupted(argv);
      const r = await exec.run(argv, { ...o, signal });
      if (signal.aborted) throw interrupted(argv);
      return r;
    },
    spawn: (argv, o) => exec.spawn(argv, { ...o, signal }),
  };
}

export async function runStep(exec: Exec, s: Step, opts: { input?: string } = {}): Promise<RunResult> {
  const r = await exec.run(s.argv, { netns: s.netns, timeoutMs: STEP_TIMEOUT_MS, input: opts.input });
  if (!r.ok) {
    const why = r.notFound ? `${s.argv[0]} not found` : r.timedOut ? 'timed out' : (r.stderr.trim() || `exit ${r.exitCode}`);
    throw new LabError(`${describeStep(s)}: ${why.split('\n').slice(-3).join(' | ')}`);
  }
  return r;
}

/** Steps in order; used for per-namespace sequences that run in parallel with other namespaces. */
export async function runSteps(exec: Exec, steps: Step[]): Promise<void> {
  for (const s of steps) await runStep(exec, s);
}
