// Helpers of the kernel suite (test/kernels/*.test.ts), which runs inside the VMs of `npm run test:kernels`:
// the kernel's name in the matrix, the results disk where reports and recordings go back to the host, and the
// CLI run as the e2e tests run it.
import { copyFileSync, mkdirSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../e2e/helpers/cli.js';

/** The matrix name of the kernel under test (test/kernels/matrix), e.g. "6.1". */
export const KERNEL = process.env.XDP_DOCTOR_KERNEL_VM ?? '';
export const RESULTS = process.env.XDP_DOCTOR_KERNEL_RESULTS ?? '/results';

/**
 * What each kernel of the matrix can do, measured (docs/kernels.md): whether fentry programs load (xdpdump attaches)
 * and whether libxdp's dispatcher loads under `xdp-loader load`; whether skb:kfree_skb carries a drop reason (5.17
 * and later). A kernel must be in the table: a test that found no expectation would have to accept either outcome.
 */
const CAN: Record<string, { fentry: boolean; dispatcher: boolean; dropReasons: boolean }> = {
  '5.10': { fentry: true, dispatcher: true, dropReasons: false },
  '6.1': { fentry: true, dispatcher: true, dropReasons: true },
  '6.12': { fentry: true, dispatcher: true, dropReasons: true },
};
export function kernelCan(): { fentry: boolean; dispatcher: boolean; dropReasons: boolean } {
  const can = CAN[KERNEL];
  if (!can) throw new Error(`kernel "${KERNEL}" has no row in test/kernels/helpers.ts CAN: measure it and add one (docs/kernels.md)`);
  return can;
}

/** A file for the host: test/recordings/kernels/<kernel>/<name> once scripts/kernels.sh copies it back. */
export function record(name: string, text: string): void {
  const p = join(RESULTS, 'recordings', name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

/** A run's report kept for docs/kernels.md (reports/<name>.json on the results disk). */
export function keepReport(name: string, report: unknown): void {
  const p = join(RESULTS, 'reports', `${name}.json`);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, JSON.stringify(report, null, 2));
}

export async function sh(argv: string[], opts: { timeoutMs?: number } = {}) {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: opts.timeoutMs ?? 60_000, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export async function doctorJson(args: string[]) {
  const r = await runCli([...args, '--json'], { timeoutMs: 300_000 });
  let report: any;
  try { report = JSON.parse(r.stdout); } catch { throw new Error(`--json printed no report (exit ${r.exitCode}): ${r.stderr.slice(0, 1500)}`); }
  return { ...r, report };
}

export const byId = (report: any): Record<string, any> => Object.fromEntries(report.checks.map((c: any) => [c.id, c]));

/** The xdp:* tracepoints this kernel has, from tracefs. */
export function kernelXdpTracepoints(): string[] {
  const dir = '/sys/kernel/tracing/events/xdp';
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : [];
}

/** A binary file (a capture) for the host, next to the text recordings. */
export function recordFile(name: string, from: string): void {
  const p = join(RESULTS, 'recordings', name);
  mkdirSync(dirname(p), { recursive: true });
  copyFileSync(from, p);
}

/** xdpdump (in namespace NETNS) while `during` runs: its stdout and stderr as they came, SIGINT at the end. */
export async function xdpdumpDuring(netns: string, args: string[], during: () => Promise<unknown>) {
  const child = execa('nsenter', [`--net=/run/netns/${netns}`, '--', 'xdpdump', ...args], { reject: false, timeout: 120_000, stdin: 'ignore' });
  let err = '';
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 60_000);
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); if (/listening on|ERROR/.test(err)) { clearTimeout(t); resolve(); } });
    void child.then(() => { clearTimeout(t); resolve(); });
  });
  const listening = /listening on/.test(err);
  if (listening) { await during(); await new Promise((r) => setTimeout(r, 1500)); }
  child.kill('SIGINT');
  const r = await child;
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), listening };
}
