// Wraps the Exec a check receives: records every argv (for `d` details, the report and --dry-run) and
// ties every command to the check's AbortSignal, so a timed-out or interrupted check kills its children.
import type { Exec, RunResult, CollectorResult } from '../tools/exec.js';
import { inNetns } from '../tools/netns.js';

export function recordingExec(inner: Exec, commands: string[][], signal: AbortSignal): Exec {
  return {
    run(argv, opts = {}) {
      commands.push(inNetns(argv, opts.netns));
      return inner.run(argv, { ...opts, signal: opts.signal ?? signal });
    },
    spawn(argv, opts = {}) {
      commands.push(inNetns(argv, opts.netns));
      return inner.spawn(argv, { ...opts, signal: opts.signal ?? signal });
    },
    ...(inner.lastOutputAt ? { lastOutputAt: () => inner.lastOutputAt!() } : {}),
    ...(inner.real ? { real: true } : {}),
  };
}

/** --dry-run: nothing runs; every command "succeeds" with empty output so checks walk their whole plan. */
export function dryRunExec(): Exec {
  const empty = (argv: string[]): RunResult => ({
    argv, exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false, durationMs: 0, ok: true,
  });
  return {
    async run(argv, opts = {}) { return empty(inNetns(argv, opts.netns)); },
    spawn(argv, opts = {}) {
      const full = inNetns(argv, opts.netns);
      const result: CollectorResult = { ...empty(full), stdoutLines: [], stderrLines: [], droppedLines: 0 };
      return { argv: full, ready: Promise.resolve(), done: Promise.resolve(result), stop: async () => result };
    },
  };
}
