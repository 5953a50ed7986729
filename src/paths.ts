// The package root, found from this file whether it runs from src/ (vitest) or dist/src/ (built). BPF objects:
// tools/bpf-objects.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'xdp-doctor') return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('xdp-doctor: cannot find its package root (package.json)');
    dir = up;
  }
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
}
