// The built CLI where an unprivileged user can run it. The "not root" tests start the CLI as nobody; a checkout
// under a private directory (a fresh clone in `mktemp -d`, anything under /root) is not traversable by nobody,
// so running dist/ in place fails with "Cannot find module" before the CLI says a word. The copy holds what the
// CLI loads (dist, package.json, the runtime dependencies, the BPF objects preflight looks for), readable by all;
// the tests still assert on what the CLI itself says as nobody.
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ROOT } from './cli.js';

export interface UnprivilegedCopy { root: string; cli: string; remove(): void }

export function unprivilegedCopy(root = ROOT): UnprivilegedCopy {
  const cli = join(root, 'dist', 'src', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -p tsconfig.json)`);
  const dir = mkdtempSync(join(tmpdir(), 'xdp-doctor-unprivileged-'));
  const copy = (from: string, to: string) => cpSync(from, to, { recursive: true, dereference: true });
  copy(join(root, 'package.json'), join(dir, 'package.json'));
  copy(join(root, 'dist'), join(dir, 'dist'));
  if (existsSync(join(root, 'bpf', 'build'))) copy(join(root, 'bpf', 'build'), join(dir, 'bpf', 'build'));
  const modules = realpathSync(join(root, 'node_modules'));
  for (const pkg of runtimePackages(root)) {
    const rel = relative(modules, pkg);
    if (rel.startsWith('..')) throw new Error(`${pkg} resolves outside ${modules}; the copy would not find it`);
    copy(pkg, join(dir, 'node_modules', rel));
  }
  // Our copy, so opening it up loosens nothing of the user's: directories traversable, files readable by all.
  openUp(dir);
  return { root: dir, cli: join(dir, 'dist', 'src', 'cli.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Directories of package.json's dependencies and theirs, as node resolves them from the package root. */
export function runtimePackages(root: string): string[] {
  const seen = new Set<string>();
  const resolveFrom = (from: string, name: string): string | undefined => {
    for (let d = from; ; d = dirname(d)) {
      const p = join(d, 'node_modules', name);
      if (existsSync(join(p, 'package.json'))) return realpathSync(p);
      if (dirname(d) === d) return undefined;
    }
  };
  const visit = (pkgDir: string, logical: string) => {
    const pj = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    for (const name of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) {
      const found = resolveFrom(logical, name);
      if (found && !seen.has(found)) { seen.add(found); visit(found, found); }
    }
  };
  visit(root, root);
  return [...seen];
}

function openUp(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.mode | (st.isDirectory() ? 0o555 : 0o444));
  if (st.isDirectory()) for (const e of readdirSync(path)) openUp(join(path, e));
}
