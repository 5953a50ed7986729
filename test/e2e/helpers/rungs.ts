// What an e2e test asserts about a whole report besides its own rungs: that no rung was skipped because a tool is
// missing (in CI a missing tool is a failure, and the test names the tool), and, measured here rather than read
// from the report under test, whether fentry programs load on this kernel (which decides xdpdump's one right path).
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { ROOT } from './cli.js';

interface Row { id: string; status: string; summary: string; evidence?: { label: string; data: unknown }[] }

/** Every rung skipped for a missing tool ("needs bpftrace: apt-get install …"), and every tool preflight found absent. */
export function missingTools(report: { checks: Row[] }): string[] {
  const skipped = report.checks.filter((c) => c.status === 'skip' && /^needs /.test(c.summary)).map((c) => `${c.id} ${c.summary}`);
  const tools = report.checks.find((c) => c.id === 'preflight')?.evidence?.find((e) => e.label === 'tools')?.data;
  const absent = Object.entries((tools ?? {}) as Record<string, string | null>).filter(([, v]) => v === null).map(([t]) => `preflight: ${t} missing`);
  return [...skipped, ...absent];
}

export function expectNoMissingTool(report: { checks: Row[] }): void {
  expect(missingTools(report), 'rungs skipped or degraded for a missing tool (install it: npm run setup)').toEqual([]);
}

let fentry: boolean | undefined;

/**
 * Whether this kernel loads an fentry program, measured as preflight measures it (bpf/fentry_probe.o through
 * bpftool) but by the test itself, so a preflight that wrongly warns cannot choose the branch the test expects.
 */
export async function fentryLoadsHere(): Promise<boolean> {
  if (fentry !== undefined) return fentry;
  const obj = join(ROOT, 'bpf', 'build', 'fentry_probe.o');
  if (!existsSync(obj)) throw new Error(`${obj} missing: run make -s -C bpf`);
  const pin = `/sys/fs/bpf/xdpd-test-fentry-${process.pid}`;
  const r = await execa('bpftool', ['prog', 'load', obj, pin], { reject: false });
  rmSync(pin, { force: true });
  fentry = r.exitCode === 0;
  return fentry;
}

/**
 * Processes holding trace_pipe open. The kernel gives its lines to one reader at a time, so a test that expects the
 * trace-pipe rung to read them first asserts nobody else holds it, and fails naming the holder instead of blaming
 * the rung. (Kernel-facing runs take /run/xdp-doctor-kernel.lock, so a holder is someone outside that discipline.)
 */
export function tracePipeHolders(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (!readlinkSafe(`/proc/${pid}/fd/${fd}`)?.endsWith('/trace_pipe')) continue;
        out.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
        break;
      }
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

export function expectTracePipeFree(): void {
  expect(tracePipeHolders(), 'trace_pipe is held by another reader: stop it before this test').toEqual([]);
}

function readlinkSafe(p: string): string | undefined {
  try { return readlinkSync(p); } catch { return undefined; }
}
