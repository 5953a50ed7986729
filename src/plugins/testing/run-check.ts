// Runs one check as the runner would: real ctx.tools over the fakes, given facts and target, a window that
// resolves with a given probe outcome, the result validated like the runner validates it.
import type { Check, CheckContext, CheckResult, Facts, ProbeOutcome, Sighting, Target } from '../../engine/types.js';
import { createTools } from '../../tools/index.js';
import { createFacts } from '../../engine/facts.js';
import { resultProblem } from '../../engine/validate-result.js';
import { severityOf } from '../../kb/causes.js';
import { describeNetns, fakeExec, type ExecCall, type Recording } from './fake-exec.js';
import { fakeFiles } from './fake-files.js';

export interface CheckSetup {
  /** Merged over a minimal iface target (eth0, no hops, window 1000 ms). */
  target?: Partial<Target>;
  exec?: Recording[];
  files?: Record<string, string>;
  links?: Record<string, string>;
  /** Facts earlier rungs published, by key (see src/plugins/facts.ts: "inventory", "preflight", ...). */
  facts?: Record<string, unknown>;
  /** What ctx.window.ready() resolves with (merged over a probe that ran and passed). */
  probe?: Partial<ProbeOutcome>;
  options?: Record<string, unknown>;
  dryRun?: boolean;
  /** Default: the check's own timeoutMs, else 30 s (as in a run). */
  timeoutMs?: number;
}

export interface CheckRun {
  /** The check's result, validated like the runner validates it. */
  result: CheckResult;
  /** Every argv run, as it would run (nsenter prefix included), in call order. */
  commands: string[][];
  calls: ExecCall[];
  progress: string[];
  live: string[];
  /** Every fact after the run (including those the check published). */
  facts: Record<string, unknown>;
  /** File writes (path, data). */
  writes: [string, string][];
  /** Whether the check waited for the probe window. */
  usedWindow: boolean;
  /** What the check told the window it saw while the probe ran (ctx.window.saw), in order. */
  sightings: Sighting[];
}

export const DEFAULT_TARGET: Target = { kind: 'iface', iface: 'eth0', hops: [], windowMs: 1000, expect: [] };

/**
 * Runs `check` once against the setup. Rejects when the check throws, times out, returns an invalid result, or
 * ran a command that had no recording (even if it caught that error itself).
 */
export async function runCheck(check: Check, setup: CheckSetup = {}): Promise<CheckRun> {
  const exec = fakeExec(setup.exec ?? []);
  const files = fakeFiles(setup.files, setup.links);
  const facts: Facts & { all(): Record<string, unknown> } = createFacts(structuredClone(setup.facts ?? {}));
  const progress: string[] = [];
  const live: string[] = [];
  const controller = new AbortController();
  let usedWindow = false;
  const sightings: Sighting[] = [];
  const started = Date.now();
  const outcome = (): ProbeOutcome => ({ ran: true, ok: true, startedAt: started, endedAt: Date.now(), exitCode: 0, ...setup.probe });

  const ctx: CheckContext = {
    // The facts a check reads are given up front: every check it waits for has ended.
    finished: async () => undefined,
    target: { ...DEFAULT_TARGET, ...setup.target },
    tools: createTools(exec, { dryRun: setup.dryRun, files }),
    window: {
      ready: async () => {
        if (!check.observes) throw new Error(`check ${check.id} used the probe window without declaring observes: true`);
        usedWindow = true;
        exec.flushCollectors();
        return outcome();
      },
      saw: (x) => { sightings.push(x); },
    },
    facts,
    signal: controller.signal,
    progress: (m) => { progress.push(m); },
    live: (l) => { live.push(l); },
    options: { ...setup.options },
  };

  const timeoutMs = setup.timeoutMs ?? check.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timeout'));
      reject(new Error(`check ${check.id} timed out after ${timeoutMs} ms${exec.calls.length ? `; last command: ${exec.calls.at(-1)!.full.join(' ')}` : ''}`));
    }, timeoutMs);
  });
  let raw: unknown;
  try {
    raw = await Promise.race([Promise.resolve().then(() => check.run(ctx)), timeout]);
  } finally {
    clearTimeout(timer);
    controller.abort(new Error('check finished'));
  }
  if (exec.unmatched.length) {
    throw new Error(`check ${check.id} ran ${exec.unmatched.length} command(s) with no recording:\n${exec.unmatched.map((c) => `  ${c.kind} ${JSON.stringify(c.argv)}${c.netns ? ` in netns ${describeNetns(c.netns)}` : ''}`).join('\n')}`);
  }
  const problem = resultProblem(raw);
  if (problem) throw new Error(`check ${check.id} returned an invalid result: ${problem}`);
  // As the runner records it: a cause the kb knows carries the kb's one severity.
  const result = raw as CheckResult;
  return {
    result: { ...result, findings: result.findings.map((f) => ({ ...f, severity: severityOf(f) })) },
    commands: exec.calls.map((c) => c.full),
    calls: exec.calls, progress, live, facts: facts.all(), writes: files.writes, usedWindow, sightings,
  };
}
