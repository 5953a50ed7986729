// What the lab needs from the machine, checked before anything is created so a missing piece is named up
// front instead of surfacing as a half-built lab: root, the tools, bpffs (mounted here if absent), a kernel
// that lets us use BPF, and the BPF objects (shipped, or built from the shipped sources at first use).
import { readFileSync } from 'node:fs';
import { BpfBuildError, ensureBpfObjects } from '../tools/bpf-objects.js';
import type { Exec } from '../tools/exec.js';
import { mountedAs } from '../tools/mounts.js';
import { installLines } from '../tools/packages.js';
import { onPath } from '../tools/versions.js';
import { LAB_OBJECT_NAMES } from './paths.js';
import { LabError } from './steps.js';

/**
 * Binaries the lab runs; their packages per distribution are in tools/packages.ts. Not tools/versions.ts
 * TOOL_SPECS: that is the ladder's set, and the lab also needs nc and sysctl but not tcpdump or bpftrace.
 */
const TOOLS = ['ip', 'bpftool', 'ethtool', 'nsenter', 'nc', 'sysctl', 'nstat'];

export function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new LabError('xdp-doctor lab must run as root: it creates network namespaces and loads XDP programs (try sudo)');
  }
}

export function requireTools(): void {
  const missing = TOOLS.filter((t) => !onPath(t));
  if (missing.length) {
    throw new LabError(`missing tools: ${missing.join(', ')}; install them with\n  ${installLines(missing).join('\n  ')}`);
  }
}

function bpffsMounted(): boolean {
  try { return mountedAs(readFileSync('/proc/self/mounts', 'utf8'), '/sys/fs/bpf', 'bpf'); } catch { return false; }
}

/** Pins need bpffs at /sys/fs/bpf; mount it when absent (as `npm run setup` does). */
export async function requireBpffs(exec: Exec): Promise<void> {
  if (bpffsMounted()) return;
  const r = await exec.run(['mount', '-t', 'bpf', 'bpf', '/sys/fs/bpf'], { timeoutMs: 10_000 });
  if (!r.ok || !bpffsMounted()) {
    throw new LabError(`no BPF file system at /sys/fs/bpf and mounting it failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  }
}

/** A kernel without the bpf() syscall, or a locked-down one, fails here with bpftool's own reason. */
export async function requireBpf(exec: Exec): Promise<void> {
  const r = await exec.run(['bpftool', '-j', 'prog', 'show'], { timeoutMs: 15_000 });
  if (!r.ok) {
    throw new LabError(`BPF is not usable on this machine (bpftool prog show failed: ${r.stderr.trim() || `exit ${r.exitCode}`})`);
  }
}

/** The lab's BPF objects exist afterwards: shipped, or built now from the shipped sources into the cache. */
export async function requireObjects(exec: Exec): Promise<void> {
  try {
    await ensureBpfObjects(exec, LAB_OBJECT_NAMES);
  } catch (e) {
    if (e instanceof BpfBuildError) throw new LabError(e.message);
    throw e;
  }
}
