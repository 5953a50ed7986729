// `xdp-doctor --version --verbose`: what ran, so a report pasted into a ticket says so: the package and where it
// is installed, Node, the kernel and byte order, where each BPF object comes from, and every tool's version.
import { existsSync } from 'node:fs';
import { arch, endianness, release, version as kernelBuild } from 'node:os';
import { dirname } from 'node:path';
import { BPF_OBJECTS, bpfObject, shippedBpfDir } from './tools/bpf-objects.js';
import type { ToolName } from './engine/types.js';
import type { Exec } from './tools/exec.js';
import { installHintFor } from './tools/packages.js';
import { parseVersion, toolVersions, TOOL_SPECS } from './tools/versions.js';
import { packageRoot, packageVersion } from './paths.js';

export interface VersionInfo {
  version: string;
  packageDir: string;
  node: string;
  kernel: string;
  arch: string;
  byteOrder: 'little-endian' | 'big-endian';
  /** Object → where it is loaded from, or where it will be built at first use. */
  bpfObjects: Record<string, { path: string; from: 'package' | 'cache' | 'XDP_DOCTOR_BPF_DIR'; present: boolean }>;
  /** Tool → version, or null when not on PATH. clang builds BPF objects where the package's cannot be used. */
  tools: Record<string, string | null>;
}

export async function versionInfo(exec: Exec, env: NodeJS.ProcessEnv = process.env): Promise<VersionInfo> {
  const [tools, clang] = await Promise.all([
    toolVersions(exec),
    exec.run(['clang', '--version'], { timeoutMs: 5000 }),
  ]);
  const bpfObjects: VersionInfo['bpfObjects'] = {};
  for (const name of BPF_OBJECTS) {
    const path = bpfObject(name, env);
    const from = env.XDP_DOCTOR_BPF_DIR ? 'XDP_DOCTOR_BPF_DIR' : dirname(path) === shippedBpfDir() ? 'package' : 'cache';
    bpfObjects[name] = { path, from, present: existsSync(path) };
  }
  return {
    version: packageVersion(),
    packageDir: packageRoot(),
    node: process.version,
    kernel: `${release()} ${kernelBuild()}`,
    arch: arch(),
    byteOrder: endianness() === 'LE' ? 'little-endian' : 'big-endian',
    bpfObjects,
    tools: { ...tools, clang: clang.notFound ? null : parseVersion(`${clang.stdout}\n${clang.stderr}`) ?? 'unknown' },
  };
}

export function formatVersionInfo(v: VersionInfo): string {
  const rows: [string, string][] = [
    ['package', v.packageDir],
    ['node', v.node],
    ['kernel', `${v.kernel} (${v.arch}, ${v.byteOrder})`],
  ];
  for (const [name, o] of Object.entries(v.bpfObjects)) {
    rows.push([name, `${o.path}${o.present ? '' : o.from === 'cache' ? ' (not built yet: built from the shipped sources at first use)' : ' (missing)'}`]);
  }
  for (const [tool, ver] of Object.entries(v.tools)) {
    const bin = tool in TOOL_SPECS ? TOOL_SPECS[tool as ToolName].bin : tool;
    rows.push([tool, ver ?? `not found (${installHintFor([bin])}${tool === 'clang' ? '; only to build BPF objects' : ''})`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return `xdp-doctor ${v.version}\n${rows.map(([k, val]) => `  ${k.padEnd(width)}  ${val}`).join('\n')}\n`;
}

