// The ladder from the command line: resolve the target, run the rungs, render, exit. Owns the signal
// handlers: Ctrl-C, SIGTERM and SIGHUP abort the run, every child dies, and the exit code is 130.
import { writeFile } from 'node:fs/promises';
import type { LadderArgs } from './cli-args.js';
import type { IO } from './main.js';
import type { RunEvent, RunReport, Target } from './engine/types.js';
import { isInteractive } from './interactive.js';
import { runLadder } from './engine/ladder.js';
import { dryRunExec } from './engine/recording-exec.js';
import { killAllChildren, realExec } from './tools/exec.js';
import { interruptedBy, shutdownSignal } from './shutdown.js';
import { dryRunFiles, realFiles } from './tools/files.js';
import { toolStatus } from './tools/versions.js';
import { resolveTarget, TargetError } from './targets.js';
import { BUILTIN_CHECKS } from '../checks/index.js';
import { packageVersion } from './paths.js';
import { renderText } from './report/text.js';
import { renderMarkdown } from './report/markdown.js';
import { shellQuote } from './report/format.js';
import { inNetns } from './tools/exec.js';
import type { PlannedCheck } from './engine/runner.js';
import { fixAndVerify } from './engine/fix-flow.js';
import { diagnose } from './engine/diagnosis.js';
import type { CheckRecord } from './engine/types.js';
import type { PluginCause } from './plugins/api.js';
import { loadCatalog, selectChecks, SelectionError, withPluginCauses } from './plugins/plan.js';

export interface Plan {
  /** Built-ins and plugin checks, minus the config's disable list and --skip, narrowed to --checks. */
  checks: PlannedCheck[];
  /** Plugins that could not be loaded, as report rows (status warn, id plugin:NAME). */
  warnings: CheckRecord[];
  /** Diagnosis titles of the plugins' own causes (see withPluginCauses). */
  causes: Map<string, PluginCause>;
}

/** Config and --plugin loaded, checks selected. A bad config or an unknown id is a TargetError (exit 2). */
export async function planChecks(
  args: Pick<LadderArgs, 'checks' | 'skip' | 'config' | 'plugins'>, cwd = process.cwd(),
): Promise<Plan> {
  const catalog = await loadCatalog({ config: args.config, plugins: args.plugins ?? [] }, { cwd, builtins: BUILTIN_CHECKS });
  try {
    return { checks: selectChecks(catalog, args), warnings: catalog.warnings, causes: catalog.causes };
  } catch (e) {
    throw e instanceof SelectionError ? new TargetError(e.message) : e;
  }
}

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
    if (e instanceof TargetError) { io.stderr.write(`xdp-doctor: ${e.message}\n`); return 2; }
    throw e;
  }
  const { runWizard } = await ui;
  return runWizard({
    args, target, signal, tool: { name: 'xdp-doctor', version: packageVersion() },
    checks: plan.checks.map((p) => ({ ...p, options: p.options ?? { noTracePipe: args.noTracePipe } })),
    preRecords: plan.warnings, diagnose: (records) => withPluginCauses(diagnose(records), plan.causes),
    stdout: io.stdout as NodeJS.WriteStream, stderr: io.stderr as NodeJS.WriteStream,
  });
}

async function climb(args: LadderArgs, io: IO, signal: AbortSignal, interrupted: () => boolean): Promise<number> {
  const writes: string[][] = [];
  const exec = args.dryRun ? dryRunExec() : realExec;
  const files = args.dryRun ? dryRunFiles(writes) : realFiles;
  let plan: Plan;
  let target;
  try {
    plan = await planChecks(args);
    target = await resolveTarget(realExec, args, { verify: !args.dryRun });
  } catch (e) {
    if (e instanceof TargetError) { io.stderr.write(`xdp-doctor: ${e.message}\n`); return 2; }
    throw e;
  }
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
      target, exec, files, checks, emit, signal, dryRun: args.dryRun, toolStatus: toolStatus(),
      tool: { name: 'xdp-doctor', version: packageVersion() },
    });
    withPluginCauses(r.diagnosis, plan.causes);
    return r;
  };
  const report = await climbOnce(withOptions);
  // Plugins that did not load are rows of the report; they do not change the exit code.
  report.checks.unshift(...plan.warnings);
  if (args.fix && !args.dryRun && report.exitCode === 1 && !interrupted()) {
    if (progress) io.stderr.write('… applying the top fix (--fix) and re-running the failed rungs\n');
    const fix = await fixAndVerify(realExec, report, withOptions, climbOnce);
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
  if (args.report) await writeReport(args.report, report);
  io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report, { verbose: args.verbose }));
  if (interrupted()) io.stderr.write('xdp-doctor: interrupted; every child process was stopped\n');
  return report.exitCode;
}

async function writeReport(path: string, report: RunReport): Promise<void> {
  await writeFile(path, path.toLowerCase().endsWith('.json') ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report));
}

function dryRunListing(report: RunReport, writes: string[][]): string {
  const out = ['Dry run: these commands would run (none did).', ''];
  for (const c of report.checks) {
    out.push(`${c.id}:`);
    if (!c.commands.length) out.push('  (no commands before real output is needed)');
    for (const argv of c.commands) out.push(`  ${shellQuote(argv)}`);
  }
  if (report.target.probe) out.push('probe:', `  ${shellQuote(inNetns(report.target.probe.argv, report.target.probe.netns))}`);
  if (writes.length) out.push('file writes:', ...writes.map((w) => `  ${w[0]} ${w[1]} ${JSON.stringify(w[2])}`));
  return `${out.join('\n')}\n`;
}
