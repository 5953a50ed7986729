// An Exec that runs nothing: each argv gets the answer `respond` gives (default: exit 0, empty output),
// and every call is kept with its options so tests can look at argv, netns and signal.
import type { Collector, CollectorResult, Exec, RunOptions, RunResult, SpawnOptions } from '../../../src/tools/exec.js';

export interface FakeExec extends Exec {
  calls: { argv: string[]; opts: RunOptions }[];
  spawns: { argv: string[]; opts: SpawnOptions }[];
}

export function fakeExec(respond: (argv: string[], opts: RunOptions) => Partial<RunResult> | Promise<Partial<RunResult>> = () => ({})): FakeExec {
  const calls: FakeExec['calls'] = [];
  const spawns: FakeExec['spawns'] = [];
  return {
    calls,
    spawns,
    async run(argv, opts = {}) {
      calls.push({ argv, opts });
      const r = await respond(argv, opts);
      const ok = r.ok ?? (r.exitCode === undefined || r.exitCode === 0);
      return { argv, exitCode: ok ? 0 : 1, stdout: '', stderr: '', timedOut: false, notFound: false, durationMs: 0, ok, ...r };
    },
    spawn(argv, opts = {}): Collector {
      spawns.push({ argv, opts });
      const result: CollectorResult = {
        argv, exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false, durationMs: 0, ok: true,
        stdoutLines: [], stderrLines: [], droppedLines: 0,
      };
      return { argv, ready: Promise.resolve(), done: Promise.resolve(result), stop: async () => result };
    },
  };
}
