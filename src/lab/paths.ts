// Files the lab needs from the package: the BPF objects (located by ../tools/bpf-objects.ts) and the compiled echo server.
// This module runs from src/ (vitest) and from dist/src/ (the built CLI), so paths are found by walking up to
// package.json instead of assuming a fixed depth.
import { existsSync } from 'node:fs';
import { bpfObject } from '../tools/bpf-objects.js';
import { packageRoot } from '../paths.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LabObjects { lb: string; lbBadhdr: string; pass: string; decap: string }

/** The lab's programs, wherever bpf-objects.ts finds them (shipped, XDP_DOCTOR_BPF_DIR, or built into the cache). */
export function labObjects(): LabObjects {
  return { lb: bpfObject('xdp_lb.o'), lbBadhdr: bpfObject('xdp_lb_badhdr.o'), pass: bpfObject('xdp_pass.o'), decap: bpfObject('xdp_decap.o') };
}

/** The object names behind labObjects(), for ensureBpfObjects. */
export const LAB_OBJECT_NAMES = ['xdp_lb.o', 'xdp_lb_badhdr.o', 'xdp_pass.o', 'xdp_decap.o'] as const;

/**
 * The echo server must be JavaScript node can run: next to this file when we run from dist/, otherwise the
 * tsc output under dist/ (vitest runs the TypeScript sources, which node cannot execute directly).
 */
export function echoServerScript(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'echo-server.js'), join(packageRoot(), 'dist', 'src', 'lab', 'echo-server.js')];
  return candidates.find((p) => existsSync(p));
}
