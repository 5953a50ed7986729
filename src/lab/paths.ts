// Files the lab needs from the package: the BPF objects bpf/Makefile builds and the compiled echo server.
// This module runs from src/ (vitest) and from dist/src/ (the built CLI), so paths are found by walking up to
// package.json instead of assuming a fixed depth.
import { existsSync } from 'node:fs';
import { packageRoot } from '../paths.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LabObjects { lb: string; lbBadhdr: string; pass: string; decap: string }

/** XDP_DOCTOR_BPF_DIR points at another build directory (a bpf/ build elsewhere); default bpf/build. */
export function labObjects(): LabObjects {
  const dir = process.env.XDP_DOCTOR_BPF_DIR || join(packageRoot(), 'bpf', 'build');
  return {
    lb: join(dir, 'xdp_lb.o'),
    lbBadhdr: join(dir, 'xdp_lb_badhdr.o'),
    pass: join(dir, 'xdp_pass.o'),
    decap: join(dir, 'xdp_decap.o'),
  };
}

/**
 * The echo server must be JavaScript node can run: next to this file when we run from dist/, otherwise the
 * tsc output under dist/ (vitest runs the TypeScript sources, which node cannot execute directly).
 */
export function echoServerScript(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'echo-server.js'), join(packageRoot(), 'dist', 'src', 'lab', 'echo-server.js')];
  return candidates.find((p) => existsSync(p));
}
