// The one place that knows where each BPF object the tool loads lives. The package ships them little-endian,
// built from bpf/*.c (BPF bytecode depends on byte order only, not on the CPU). On a big-endian host, or when
// an object is missing (a checkout before `make`, a trimmed package), it is built from the shipped C sources at
// first use into a cache directory outside the package: a global install directory may be read-only, and a
// package directory is no place for files the tool writes.
import { existsSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot, packageVersion } from '../paths.js';
import type { Exec } from './exec.js';
import { BPF_BUILD_NEEDS, installLines } from './packages.js';
import { onPath } from './versions.js';

/**
 * Every object the tool loads: the lab's programs (xdp_lb, its bad-header twin, xdp_decap, the xdp_pass on the
 * peer), the dummy XDP_PASS of the veth-peer fix (xdp_pass), and preflight's fentry probe. bpf/Makefile builds them.
 */
export const BPF_OBJECTS = ['xdp_lb.o', 'xdp_lb_badhdr.o', 'xdp_pass.o', 'xdp_decap.o', 'fentry_probe.o'] as const;
export type BpfObjectName = (typeof BPF_OBJECTS)[number];

/** The objects as the package ships them (bpf/build, made by `make -s -C bpf` before npm pack). */
export function shippedBpfDir(): string {
  return join(packageRoot(), 'bpf', 'build');
}

/** Where objects built at first use go: XDP_DOCTOR_CACHE_DIR, $XDG_CACHE_HOME/xdp-doctor or /var/cache/xdp-doctor. */
export function bpfCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDP_DOCTOR_CACHE_DIR || (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'xdp-doctor') : '/var/cache/xdp-doctor');
  // Per version: an upgrade with changed sources must not load the previous version's objects.
  return join(base, `bpf-${packageVersion()}`);
}

/**
 * Where object X is, or will be once built: in XDP_DOCTOR_BPF_DIR when set (another build directory); the
 * shipped object on a little-endian host; otherwise the cache.
 */
export function bpfObject(name: BpfObjectName, env: NodeJS.ProcessEnv = process.env, le = endianness() === 'LE'): string {
  if (env.XDP_DOCTOR_BPF_DIR) return join(env.XDP_DOCTOR_BPF_DIR, name);
  const shipped = join(shippedBpfDir(), name);
  if (le && existsSync(shipped)) return shipped;
  return join(bpfCacheDir(env), name);
}

/**
 * The argv that builds `path` (a bpfObject() path) from the shipped sources, in the host's byte order (TARGET=bpf),
 * into path's own directory: bpf/Makefile's rules with BUILD pointed outside the package.
 */
export function bpfBuildArgv(path: string): string[] {
  return ['make', '-s', '-C', join(packageRoot(), 'bpf'), `BUILD=${dirname(path)}`, 'TARGET=bpf', path];
}

/** Commands a fix prepends so the object it loads exists when it runs: nothing when it already does. */
export function bpfBuildSteps(name: BpfObjectName): string[][] {
  const path = bpfObject(name);
  return existsSync(path) ? [] : [bpfBuildArgv(path)];
}

export class BpfBuildError extends Error {}

/** One line: what cannot be built and the install lines for the compiler, make and the headers. */
export function missingCompilerMessage(names: string[], missing: string[]): string {
  return `cannot build BPF object${names.length > 1 ? 's' : ''} ${names.join(', ')} from source: ${missing.join(' and ')} ` +
    `not installed (${installLines(BPF_BUILD_NEEDS).join('; ')})`;
}

export interface EnsureOptions { signal?: AbortSignal; env?: NodeJS.ProcessEnv; le?: boolean; dryRun?: boolean }

/**
 * The paths of these objects, building the missing ones first (a BpfBuildError with one line when that cannot
 * happen). Runs make through `exec`, so --dry-run prints the argv and a test sees it.
 */
export async function ensureBpfObjects<N extends BpfObjectName>(exec: Exec, names: readonly N[], opts: EnsureOptions = {}): Promise<Record<N, string>> {
  const paths = Object.fromEntries(names.map((n) => [n, bpfObject(n, opts.env, opts.le)])) as Record<N, string>;
  const missing = names.filter((n) => !existsSync(paths[n]));
  if (!missing.length) return paths;
  const noTool = ['clang', 'make'].filter((t) => !onPath(t));
  if (noTool.length) throw new BpfBuildError(missingCompilerMessage(missing, noTool));
  for (const n of missing) {
    const r = await exec.run(bpfBuildArgv(paths[n]), { timeoutMs: 120_000, signal: opts.signal });
    if (!r.ok) throw new BpfBuildError(`building BPF object ${n} from ${join(packageRoot(), 'bpf')} failed: ${buildFailure(r)}`);
    if (!opts.dryRun && !existsSync(paths[n])) throw new BpfBuildError(`building BPF object ${n}: make left no ${paths[n]}`);
  }
  return paths;
}

/** clang's first error line (the last is "1 error generated."); a missing header adds the lines that install it. */
function buildFailure(r: { timedOut: boolean; stderr: string; exitCode: number | undefined }): string {
  if (r.timedOut) return 'timed out';
  const lines = r.stderr.trim().split('\n');
  const line = lines.find((l) => /error/i.test(l)) ?? lines.pop() ?? '';
  if (/file not found|No such file/.test(line)) return `${line} (${installLines(BPF_BUILD_NEEDS).join('; ')})`;
  return line || `exit ${r.exitCode}`;
}
