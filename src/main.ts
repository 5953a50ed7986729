// argv → verb or ladder → exit code. Heavy modules load lazily so --version and --help stay fast.
import { statSync } from 'node:fs';
import { UsageError, parseLadderArgs, type LadderArgs } from './cli-args.js';
import type { IO } from './command-io.js';

const VERSION_HINT = 'try `xdp-doctor --help`';

export async function main(argv: string[], io: IO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'lab') {
    const { labCommand } = await import('./lab/command.js');
    return labCommand(rest, io);
  }
  if (first === 'explain') {
    const { explainCommand } = await import('./explain.js');
    return explainCommand(rest, io);
  }
  if (first === 'checks') {
    const { checksCommand } = await import('./plugins/checks-command.js');
    return checksCommand(rest, io);
  }
  if (first === 'merge') {
    const { mergeCommand } = await import('./merge-command.js');
    return mergeCommand(rest, io);
  }
  if (first === 'attach') {
    const { attachCommand } = await import('./attach/command.js');
    return attachCommand(rest, io);
  }
  if (first === 'undo') {
    const { undoCommand } = await import('./undo.js');
    return undoCommand(rest, io);
  }
  if (first !== undefined && !first.startsWith('-')) {
    io.stderr.write(`xdp-doctor: unknown command "${first}"; ${VERSION_HINT}\n`);
    return 2;
  }
  let args: LadderArgs;
  try {
    args = parseLadderArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`xdp-doctor: ${e.message}; ${VERSION_HINT}\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    // The registry costs --help ~40 modules (the checks and the tools and kb they use; no execa, no Ink);
    // a list kept by hand cost it the truth: it named 5 of the 10 rungs.
    const [{ helpText }, { BUILTIN_CHECKS }] = await Promise.all([import('./help.js'), import('../checks/index.js')]);
    io.stdout.write(helpText(BUILTIN_CHECKS));
    return 0;
  }
  if (args.version && args.verbose) {
    const [{ versionInfo, formatVersionInfo }, { realExec }] = await Promise.all([import('./version.js'), import('./tools/exec.js')]);
    io.stdout.write(formatVersionInfo(await versionInfo(realExec)));
    return 0;
  }
  if (args.version) {
    const { packageVersion } = await import('./paths.js');
    io.stdout.write(`xdp-doctor ${packageVersion()}\n`);
    return 0;
  }
  // Before anything runs or is painted: a report or capture path that cannot be written ends here, in one line.
  if (args.report !== undefined || args.artifacts !== undefined) {
    const { checkOutputPaths } = await import('./output-paths.js');
    const problem = await checkOutputPaths(args);
    if (problem) { io.stderr.write(`xdp-doctor: ${problem}\n`); return 2; }
  }
  // In a terminal the wizard's first frame goes out now, then the engine and Ink load as one file.
  const { isInteractive } = await import('./interactive.js');
  if (!args.dryRun && io.stdout === process.stdout && isInteractive(args, process.env, process.stdin, process.stdout)) {
    const { paintSplash } = await import('./splash.js');
    paintSplash(io.stdout, !process.env.NO_COLOR);
    const { runDoctor } = await loadInteractive();
    return runDoctor(args, io);
  }
  const { runDoctor } = await import('./doctor.js');
  return runDoctor(args, io);
}

type DoctorModule = typeof import('./doctor.js');

/**
 * doctor.js with everything the wizard needs as one file (dist/src/wizard.bundle.js, built by
 * scripts/bundle-wizard.mjs after tsc): ~0.05 s to import instead of ~0.6 s module by module. The modules
 * themselves where no bundle was built, or where tsc ran after it (the bundle would be older code).
 */
export async function loadInteractive(
  bundle = new URL('./wizard.bundle.js', import.meta.url), modules = new URL('./doctor.js', import.meta.url),
): Promise<DoctorModule> {
  // Ink's DEV=true mode (React DevTools) reads Ink's package.json next to Ink's own files: modules only.
  if (process.env.DEV === 'true' || !bundleIsCurrent(bundle, modules)) return import('./doctor.js');
  return (await import(bundle.href)) as DoctorModule;
}

/** The bundle exists and was built after tsc last wrote doctor.js (tsc rewrites every output on each run). */
export function bundleIsCurrent(bundle: URL, modules: URL): boolean {
  try {
    return statSync(bundle).mtimeMs >= statSync(modules).mtimeMs;
  } catch {
    return false;
  }
}
