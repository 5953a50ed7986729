// Recording real output for the check tester: run a check for real once and keep what each command printed.
import type { Check, CheckContext, CheckResult, NetnsRef, ProbeOutcome, Sighting, Target } from '../../engine/types.js';
import { realExec, type Exec } from '../../tools/exec.js';
import { realFiles } from '../../tools/files.js';
import { inNetns } from '../../tools/netns.js';
import { createTools } from '../../tools/index.js';
import { fireProbe } from '../../engine/probe.js';
import { createFacts } from '../../engine/facts.js';
import { resultProblem } from '../../engine/validate-result.js';
import type { ExecCall, Recording } from './fake-exec.js';
import type { CheckRun, CheckSetup } from './run-check.js';

/**
 * Wraps an Exec: every command that runs is kept as a Recording (argv, netns, output, exit code, lines), each
 * answering once (`times: 1`), so a replay sees repeated commands (before/after samples) answer in order.
 */
export function recordingExec(inner: Exec): Exec & { recordings: Recording[] } {
  const recordings: Recording[] = [];
  const netnsOf = (n?: NetnsRef): Recording['netns'] => (n === undefined ? null : n.kind === 'name' ? n.name : n);
  return {
    recordings,
    async run(argv, opts = {}) {
      const r = await inner.run(argv, opts);
      recordings.push({
        argv: [...argv], netns: netnsOf(opts.netns), times: 1, stdout: r.stdout, stderr: r.stderr,
        ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
        ...(r.notFound ? { notFound: true } : {}), ...(r.timedOut ? { timedOut: true } : {}),
        ...(r.truncated ? { truncated: true } : {}),
      });
      return r;
    },
    spawn(argv, opts = {}) {
      const rec: Recording = { argv: [...argv], netns: netnsOf(opts.netns), times: 1, lines: [], stderrLines: [] };
      recordings.push(rec);
      const c = inner.spawn(argv, opts);
      void c.done.then((r) => {
        rec.lines = r.stdoutLines;
        rec.stderrLines = r.stderrLines;
        if (r.exitCode !== undefined && r.exitCode !== 0) rec.exitCode = r.exitCode;
        if (r.notFound) rec.notFound = true;
      });
      return c;
    },
  };
}

export interface RecordSetup extends Omit<CheckSetup, 'exec' | 'files' | 'links' | 'probe' | 'dryRun'> {
  target: Target;
  /** Where commands really run (default: this machine, through xdp-doctor's own process runner). */
  exec?: Exec;
}

/**
 * Runs `check` for real (real tools, the target's probe fired when the check calls ctx.window.ready()) and
 * returns what it did plus the Recordings to replay it with runCheck: save them next to your tests.
 */
export async function recordCheck(check: Check, setup: RecordSetup): Promise<{ run: CheckRun; recordings: Recording[]; probe?: ProbeOutcome }> {
  const inner = setup.exec ?? realExec;
  const exec = recordingExec(inner);
  const calls: ExecCall[] = [];
  const logged: Exec = {
    run: (argv, opts = {}) => { calls.push({ kind: 'run', argv, netns: opts.netns, full: inNetns(argv, opts.netns) }); return exec.run(argv, { ...opts, signal: opts.signal ?? controller.signal }); },
    spawn: (argv, opts = {}) => { calls.push({ kind: 'spawn', argv, netns: opts.netns, full: inNetns(argv, opts.netns) }); return exec.spawn(argv, { ...opts, signal: opts.signal ?? controller.signal }); },
  };
  const facts = createFacts(structuredClone(setup.facts ?? {}));
  const controller = new AbortController();
  const progress: string[] = [];
  const live: string[] = [];
  let usedWindow = false;
  const sightings: Sighting[] = [];
  let probe: ProbeOutcome | undefined;
  const ctx: CheckContext = {
    // The facts a check reads are given up front: every check it waits for has ended.
    finished: async () => undefined,
    target: setup.target,
    tools: createTools(logged, { files: realFiles }),
    window: {
      ready: async () => {
        usedWindow = true;
        const startedAt = Date.now();
        probe = setup.target.probe
          ? await fireProbe(inner, setup.target.probe, controller.signal)
          : await new Promise<ProbeOutcome>((r) => setTimeout(() => r({ ran: false, ok: true, startedAt, endedAt: Date.now(), note: 'passive window' }), setup.target.windowMs));
        await new Promise((r) => setTimeout(r, 400)); // let collectors catch the last packets, as a run does
        return probe;
      },
      saw: (x) => { sightings.push(x); },
    },
    facts, signal: controller.signal,
    progress: (m) => { progress.push(m); }, live: (l) => { live.push(l); },
    options: { ...setup.options },
  };
  let result: unknown;
  try {
    result = await check.run(ctx);
  } finally {
    controller.abort(new Error('check finished'));
  }
  await new Promise((r) => setTimeout(r, 50)); // collectors' done handlers fill their recordings
  const problem = resultProblem(result);
  if (problem) throw new Error(`check ${check.id} returned an invalid result: ${problem}`);
  return {
    run: { result: result as CheckResult, commands: calls.map((c) => c.full), calls, progress, live, facts: facts.all(), writes: [], usedWindow, sightings },
    recordings: exec.recordings, probe,
  };
}
