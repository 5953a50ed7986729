// Shared e2e helpers: run the BUILT CLI (dist/src/cli.js) as a user would, a lab name unique to the test file,
// and loud failures when the machine is not ready (e2e tests never skip: in CI a skipped kernel test is a bug).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

export interface CliResult { exitCode: number; stdout: string; stderr: string; durationMs: number }

export async function runCli(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  const started = Date.now();
  const r = await execa(process.execPath, [CLI, ...args], {
    cwd: ROOT, reject: false, timeout: opts.timeoutMs ?? 90_000, stdin: 'ignore', env: { CI: 'true', ...opts.env },
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), durationMs: Date.now() - started };
}

/** Lab names are [a-z0-9-]{1,10}: a letter tag plus the pid keeps parallel runs and the demo lab apart. */
export function uniqueLabName(tag = 't'): string {
  return `${tag}${process.pid % 100000}`.slice(0, 10);
}

// Sources whose compiled output the CLI runs. A stale dist/ would test yesterday's code.
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.tsx?$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

// The CLI runs dist/, built from src/ and checks/: a test must never run yesterday's build.
function distIsCurrent(): boolean {
  const built = join(ROOT, 'dist', 'src', 'main.js');
  if (!existsSync(CLI) || !existsSync(built)) return false;
  const oldest = Math.min(statSync(CLI).mtimeMs, statSync(built).mtimeMs);
  return oldest >= Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'checks')));
}

/**
 * Root, the BPF objects and a current TypeScript build. Rebuilds dist/ when src/ or checks/ is newer (a developer running
 * one test file); everything else missing is an error that says how to fix it.
 */
export async function requireLabEnvironment(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('e2e lab tests must run as root (they create namespaces and load XDP programs)');
  const objs = ['xdp_lb.o', 'xdp_lb_badhdr.o', 'xdp_pass.o', 'xdp_decap.o'].map((o) => join(ROOT, 'bpf', 'build', o));
  const missing = objs.filter((o) => !existsSync(o));
  if (missing.length) throw new Error(`BPF objects missing: ${missing.join(', ')}; run \`make -s -C bpf\` (or npm run setup)`);
  if (!distIsCurrent()) {
    // tsc exits non-zero on type errors elsewhere in the tree but still emits; what matters is a current dist/.
    await execa(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, reject: false });
    if (!distIsCurrent()) throw new Error('dist/ is missing or older than src/ or checks/; `npx tsc -p tsconfig.json` did not produce it');
  }
}

/**
 * A lab of this name, freshly up with these faults (leftovers of a crashed earlier run removed first); `ipv6`:
 * `lab up --ipv6`, probed over IPv6.
 */
export async function freshLab(name: string, faults: string[] = [], opts: { ipv6?: boolean } = {}): Promise<void> {
  await requireLabEnvironment();
  await runCli(['lab', 'down', '--lab-name', name]);
  const up = await runCli(['lab', 'up', '--lab-name', name, ...faults.flatMap((f) => ['--fault', f]), ...(opts.ipv6 ? ['--ipv6'] : [])]);
  if (up.exitCode !== 0) throw new Error(`lab up ${faults.join(' ')} failed (exit ${up.exitCode}): ${up.stderr}${up.stdout}`);
}

/** A `--json` run read the way the e2e tests judge it. */
export interface JsonRun extends CliResult {
  report: any;
  byId: Record<string, any>;
  /** Rungs that ended in error, or skipped for a missing tool: never acceptable in a scenario test. */
  errored: string[];
  causes: string[];
  /** The top cause's evidence, one `check: message` per line. */
  said: string;
}

/** Parses a `--json` run's report; a run that printed none fails with its stderr. */
export function reportOf(r: CliResult): JsonRun {
  let report: any;
  try { report = JSON.parse(r.stdout); } catch { throw new Error(`--json printed no report (exit ${r.exitCode}): ${r.stderr.slice(0, 800)}`); }
  const byId = Object.fromEntries(report.checks.map((c: any) => [c.id, c]));
  const errored = report.checks
    .filter((c: any) => c.status === 'error' || (c.status === 'skip' && /not installed|missing/.test(c.summary)))
    .map((c: any) => `${c.id}: ${c.summary}`);
  const top = report.diagnosis[0];
  const said = top ? top.evidence.map((e: any) => `${e.check}: ${e.message}`).join('\n') : '';
  return { ...r, report, byId, errored, causes: report.diagnosis.map((d: any) => d.cause) as string[], said };
}

/**
 * `--artifacts DIR/<test name>` when XDP_DOCTOR_RECORD_DIR is set: how a scenario's real tool output (pcaps, the
 * bpftrace collectors' raw output) is gathered for test/recordings. Unset (CI), nothing is kept.
 */
export function recordArgs(testName: string | undefined): string[] {
  const dir = process.env.XDP_DOCTOR_RECORD_DIR;
  if (!dir || !testName) return [];
  const slug = testName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
  return ['--artifacts', join(dir, slug)];
}
