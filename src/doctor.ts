// The ladder from the command line: resolve the target, run the rungs, render, exit. Owns the signal
// handlers: Ctrl-C, SIGTERM and SIGHUP abort the run, every child dies, and the exit code is 130.
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { LadderArgs } from './cli-args.js';
import type { IO } from './command-io.js';
import type { RunEvent, RunReport, Target } from './engine/types.js';
import { isInteractive } from './interactive.js';
import { eraseSplash } from './splash.js';
import { runLadder } from './engine/ladder.js';
import { dryRunExec } from './engine/recording-exec.js';
import { killAllChildren, realExec } from './tools/exec.js';
import { interruptedBy, shutdownSignal } from './shutdown.js';
import { dryRunFiles, realFiles } from './tools/files.js';
import { createTools } from './tools/index.js';
import { toolStatus } from './tools/versions.js';
import { resolveTarget, TargetError } from './targets.js';
import { packageVersion } from './paths.js';
import { renderText } from './report/text.js';
import { renderMarkdown } from './report/markdown.js';
import type { PlannedCheck } from './engine/runner.js';
import { applyWith, fixReport } from './engine/fix-flow.js';
import { fireProbe } from './engine/probe.js';
import { diagnose } from './engine/diagnosis.js';
import { planChecks, type Plan } from './plan.js';
import { dryRunListing } from './report/dry-run.js';
import { prepareArtifacts, type Artifacts } from './artifacts.js';
import { makeDirs, OutputPathError } from './output-paths.js';

export async function runDoctor(args: LadderArgs, io: IO): Promise<number> {
  try {
    if (!args.dryRun && isInteractive(args, process.env, process.stdin, io.stdout as NodeJS.WriteStream)) {
      return await wizard(args, io, shutdownSignal);
    }
    return await climb(args, io, shutdownSignal, () => interruptedBy() !== undefined);
  } finally {
    killAllChildren('SIGKILL');
  }
}

/** The Ink wizard (loaded only here, so the plain path never imports Ink or React). No target: start screen. */
async function wizard(args: LadderArgs, io: IO, signal: AbortSignal): Promise<number> {
  // Ink and React load while the plan and the target are resolved (that waits on `ip`): a sooner first frame.
  const ui = import('./ui/wizard.js');
  ui.catch(() => undefined);
  let plan: Plan;
  let target: Target | undefined;
  try {
    plan = await planChecks(args);
    if (args.lab || args.iface) target = await resolveTarget(realExec, args, { verify: true });
  } catch (e) {
    eraseSplash(io.stdout);
    if (e instanceof TargetError) { io.stderr.write(`xdp-doctor: ${e.message}\n`); return 2; }
    throw e;
  }
  const { runWizard } = await ui;
  const artifacts = await artifactsOrProblem(args, io, () => eraseSplash(io.stdout));
  if (!artifacts) return 2;
  try {
    return await runWizard({
      args, target, signal, artifacts, tool: { name: 'xdp-doctor', version: packageVersion() },
      // Loaded only when the start screen looks (no target given), like the wizard itself.
      discover: async (s) => (await import('./target/discover.js')).discover(createTools(realExec), { signal: s }),
      checks: plan.checks.map((p) => ({ ...p, options: p.options ?? { noTracePipe: args.noTracePipe } })),
      preRecords: plan.warnings, diagnose: (records, probe) => diagnose(records, plan.causes, probe),
      stdout: io.stdout as NodeJS.WriteStream, stderr: io.stderr as NodeJS.WriteStream,
    });
  } finally {
    await artifacts.cleanup();
  }
}

async function climb(args: LadderArgs, io: IO, signal: AbortSignal, interrupted: () => boolean): Promise<number> {
  const writes: string[][] = [];
  const exec = args.dryRun ? dryRunExec() : realExec;
  const files = args.dryRun ? dryRunFiles(writes) : realFiles;
  let plan: Plan;
  let target: Target;
  try {
    plan = await planChecks(args);
    target = await resolveTarget(realExec, args, { verify: !args.dryRun });
  } catch (e) {
    if (e instanceof TargetError) { io.stderr.write(`xdp-doctor: ${e.message}\n`); return 2; }
    throw e;
  }
  const artifacts = await artifactsOrProblem(args, io);
  if (!artifacts) return 2;
  target = { ...target, artifactDir: artifacts.dir, keepArtifacts: artifacts.keep };
  try {
    return await climbTarget(args, io, signal, interrupted, { plan, target, exec, files, writes });
  } finally {
    await artifacts.cleanup();
  }
}

interface Prepared { plan: Plan; target: Target; exec: typeof realExec; files: typeof realFiles; writes: string[][] }

async function climbTarget(args: LadderArgs, io: IO, signal: AbortSignal, interrupted: () => boolean, p: Prepared): Promise<number> {
  const { plan, target, exec, files, writes } = p;
  const progress = !args.json && (io.stderr as NodeJS.WriteStream).isTTY;
  const emit = (e: RunEvent) => {
    if (!progress) return;
    if (e.type === 'check-start') io.stderr.write(`… ${e.id}\n`);
    if (e.type === 'probe-start') io.stderr.write('… probe\n');
  };
  // Plugin checks carry their plugin's options from the config; built-ins get the command line's.
  const withOptions = plan.checks.map((p) => ({ ...p, options: p.options ?? { noTracePipe: args.noTracePipe } }));
  const climbOnce = async (checks: PlannedCheck[]) => {
    const r = await runLadder({
      target, exec, files, checks, emit, signal, dryRun: args.dryRun, fullWindow: args.fullWindow, toolStatus: toolStatus(),
      tool: { name: 'xdp-doctor', version: packageVersion() }, causes: plan.causes,
    });
    return r;
  };
  const report = await climbOnce(withOptions);
  // Plugins that did not load are rows of the report; they do not change the exit code.
  report.checks.unshift(...plan.warnings);
  if (args.fix && !args.dryRun && report.exitCode === 1 && !interrupted()) {
    if (progress) io.stderr.write('… applying the fix for the best-ranked cause that has one (--fix), then re-running the rungs it should change\n');
    const probe = target.probe;
    const fix = await fixReport(report, withOptions, {
      apply: applyWith(realExec), rerun: climbOnce, signal,
      probe: probe ? () => fireProbe(realExec, probe, signal) : undefined,
      diagnose: (records) => diagnose(records, plan.causes),
    });
    if (fix) {
      report.fix = fix;
      report.exitCode = fix.worked ? 0 : 1;
    }
  }
  if (interrupted()) report.exitCode = 130;

  if (args.dryRun) {
    io.stdout.write(dryRunListing(report, writes));
    return 0;
  }
  if (args.report) {
    // Checked before the run (main.ts); if the place changed since, say so in one line and keep the output below.
    const problem = await writeReport(args.report, report);
    if (problem) { io.stderr.write(`xdp-doctor: ${problem}\n`); if (!report.exitCode) report.exitCode = 2; }
  }
  io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report, { verbose: args.verbose }));
  if (interrupted()) io.stderr.write('xdp-doctor: interrupted; every child process was stopped\n');
  return report.exitCode;
}

/** Undefined when written, else the one line that says why not. */
async function writeReport(path: string, report: RunReport): Promise<string | undefined> {
  try {
    await makeDirs(dirname(resolve(path)));
    await writeFile(path, path.toLowerCase().endsWith('.json') ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report));
    return undefined;
  } catch (e) {
    const why = e instanceof OutputPathError ? e.message : (e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0];
    return `the report was not written to ${path}: ${why}`;
  }
}

/** The capture directory, or undefined after one line on stderr (a place that stopped being writable). */
async function artifactsOrProblem(args: LadderArgs, io: IO, beforeMessage?: () => void): Promise<Artifacts | undefined> {
  try {
    return await prepareArtifacts(args);
  } catch (e) {
    if (!(e instanceof OutputPathError)) throw e;
    beforeMessage?.();
    io.stderr.write(`xdp-doctor: ${args.artifacts ? '--artifacts' : '--report'}: ${e.message}\n`);
    return undefined;
  }
}
