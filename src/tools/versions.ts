// Which external tools exist (a PATH lookup, no process) and what version each reports.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Exec } from './exec.js';
import { type Family, hostFamily, installHintFor } from './packages.js';

/** The external tools a rung may declare it needs; each has a spec below. */
export type ToolName =
  | 'ip' | 'bpftool' | 'tcpdump' | 'ethtool' | 'bpftrace' | 'tshark' | 'xdpdump' | 'nstat' | 'nsenter';

// Package names per distribution live in packages.ts (one table for preflight, the lab and the BPF build).
export interface ToolSpec { bin: string; versionArgv: string[] }

export const TOOL_SPECS: Record<ToolName, ToolSpec> = {
  ip: { bin: 'ip', versionArgv: ['ip', '-V'] },
  bpftool: { bin: 'bpftool', versionArgv: ['bpftool', 'version'] },
  tcpdump: { bin: 'tcpdump', versionArgv: ['tcpdump', '--version'] },
  ethtool: { bin: 'ethtool', versionArgv: ['ethtool', '--version'] },
  bpftrace: { bin: 'bpftrace', versionArgv: ['bpftrace', '--version'] },
  tshark: { bin: 'tshark', versionArgv: ['tshark', '--version'] },
  xdpdump: { bin: 'xdpdump', versionArgv: ['xdpdump', '--version'] },
  nstat: { bin: 'nstat', versionArgv: ['nstat', '-V'] },
  nsenter: { bin: 'nsenter', versionArgv: ['nsenter', '--version'] },
};

/** The line that installs the tool on this host's distribution (both lines where the family is unknown). */
export function installHint(tool: ToolName, family: Family | 'unknown' = hostFamily() ?? 'unknown'): string {
  return installHintFor([TOOL_SPECS[tool].bin], family);
}

export function onPath(bin: string, pathEnv = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'): boolean {
  // Root's tools live in sbin, which a non-login PATH may lack.
  const dirs = new Set([...pathEnv.split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const d of dirs) {
    try { accessSync(join(d, bin), constants.X_OK); return true; } catch { /* next */ }
  }
  return false;
}

export function toolStatus(): Record<ToolName, { present: boolean; install: string }> {
  const out = {} as Record<ToolName, { present: boolean; install: string }>;
  for (const t of Object.keys(TOOL_SPECS) as ToolName[]) out[t] = { present: onPath(TOOL_SPECS[t].bin), install: installHint(t) };
  return out;
}

/** First version-looking token: "bpftool v7.1.0" → "7.1.0", "TShark (Wireshark) 4.0.17 (...)" → "4.0.17". */
export function parseVersion(text: string): string | undefined {
  return /v?(\d+\.\d+(?:\.\d+)?(?:[-.]\w+)?)/.exec(text)?.[1];
}

export async function toolVersions(exec: Exec, tools: ToolName[] = Object.keys(TOOL_SPECS) as ToolName[]): Promise<Record<string, string | null>> {
  const entries = await Promise.all(tools.map(async (t) => {
    const r = await exec.run(TOOL_SPECS[t].versionArgv, { timeoutMs: 5000 });
    if (r.notFound) return [t, null] as const;
    return [t, parseVersion(`${r.stdout}\n${r.stderr}`) ?? 'unknown'] as const;
  }));
  return Object.fromEntries(entries);
}
