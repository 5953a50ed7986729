// One run of the ladder: plan → checks (sharing probe windows) → diagnosis → report. Emits RunEvents that
// every renderer (Ink, text, JSON, Markdown) subscribes to. No Ink, no execa: the Exec is injected.
import { release } from 'node:os';
import type { Facts, RunEvent, RunReport, Target, ToolName } from './types.js';
import type { Exec } from '../tools/exec.js';
import type { Files } from '../tools/files.js';
import { runChecks, type GateAnswer, type PlannedCheck } from './runner.js';
import { conclude, type CauseText } from './diagnosis.js';
import { concludeRoute } from './route.js';
import { concludeErrnos } from './errnos.js';
import { fireProbe } from './probe.js';
import { DEFAULT_SETTLE_MS } from './story.js';
import { createFacts } from './facts.js';
import { realFiles } from '../tools/files.js';
import { readHostIdentity } from './host-identity.js';

export interface LadderOptions {
  target: Target;
  exec: Exec;
  files?: Files;
  checks: PlannedCheck[];
  emit(e: RunEvent): void;
  signal: AbortSignal;
  windowMode?: 'shared' | 'stepped' | 'per-check';
  dryRun?: boolean;
  toolStatus: Partial<Record<ToolName, { present: boolean; install: string }>>;
  tool: { name: string; version: string };
  facts?: Facts;
  gate?(checkId: string): Promise<GateAnswer>;
  /**
   * Let every probe run its course (--full-window, --window): no early end once the evidence is in. Also off for
   * a dry run, where nothing is seen.
   */
  fullWindow?: boolean;
  /** Titles of the plugins' own causes, for the diagnosis. */
  causes?: ReadonlyMap<string, CauseText>;
}

export async function runLadder(o: LadderOptions): Promise<RunReport> {
  const started = Date.now();
  const facts = o.facts ?? createFacts();
  o.emit({
    type: 'run-start', target: o.target,
    checks: o.checks.map(({ check }) => ({ id: check.id, title: check.title, rung: check.rung, question: check.question })),
  });
  const probe = o.target.probe;
  const { records, probes } = await runChecks({
    target: o.target, exec: o.exec, files: o.files, dryRun: o.dryRun, checks: o.checks, facts, emit: o.emit, signal: o.signal,
    windowMode: o.windowMode ?? 'shared', toolStatus: o.toolStatus, gate: o.gate,
    fireProbe: probe ? (stop) => fireProbe(o.exec, probe, o.signal, stop) : undefined,
    ...(o.fullWindow || o.dryRun ? {} : { earlyStop: { settleMs: DEFAULT_SETTLE_MS } }),
  });
  // An interrupted run has no honest diagnosis: its rungs were cut short.
  const conclusion = o.signal.aborted ? { diagnosis: [], notes: [] } : conclude(records, o.causes, probes[0]);
  // A failed probe that no rung explains fails the run too: it is a loss nobody has accounted for.
  const failed = records.some((r) => r.status === 'fail' || r.status === 'error') || conclusion.diagnosis.some((d) => d.cause === 'probe-failed-unexplained');
  const preflight = facts.get<{ tools?: Record<string, string | null> }>('preflight');
  const host = await readHostIdentity({
    exec: o.exec, files: o.files ?? realFiles, target: o.target, facts, tool: o.tool, dryRun: o.dryRun, signal: o.signal,
  });
  const report: RunReport = {
    schemaVersion: 2,
    tool: o.tool,
    target: o.target,
    environment: { kernel: release(), tools: preflight?.tools ?? {} },
    host,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    ...(probes[0] ? { probe: probes[0] } : {}),
    checks: records,
    diagnosis: conclusion.diagnosis,
    ...(conclusion.notes.length ? { notes: conclusion.notes } : {}),
    ...routeOf(o.target, records),
    ...packetsOf(records),
    errnos: concludeErrnos(conclusion.diagnosis, records),
    exitCode: o.signal.aborted ? 130 : failed ? 1 : 0,
  };
  o.emit({ type: 'run-end', report });
  return report;
}

function routeOf(target: Target, records: RunReport['checks']): Pick<RunReport, 'route'> {
  const route = concludeRoute(target, records);
  return route ? { route } : {};
}

/** The first rung's observation of what the program did to the packets. */
export function packetsOf(records: RunReport['checks']): Pick<RunReport, 'packets'> {
  const r = records.find((x) => x.packets?.groups.length);
  return r?.packets ? { packets: { check: r.id, ...r.packets } } : {};
}

/**
 * Ladder runs that share one facts store (the wizard's climb, its re-runs, the re-runs after a fix): a rung re-run
 * alone still reads what the earlier rungs published. The store stays in the engine; no view reads it.
 */
export function sharedFactsLadder(): (o: LadderOptions) => Promise<RunReport> {
  const facts = createFacts();
  return (o) => runLadder({ ...o, facts: o.facts ?? facts });
}
