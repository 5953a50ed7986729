// The non-interactive path never loads Ink or React: nothing doctor.ts (or the CLI entry) imports statically —
// directly or through any module it reaches — is Ink, React or src/ui. The wizard is reached only through
// `await import('./ui/wizard.js')`. Checked on the sources' static import graph (type-only imports are erased).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STATIC = /^\s*import\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const EXPORT_FROM = /^\s*export\s+(?!type\b)[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gm;

function sourceOf(spec: string, from: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base]) if (existsSync(c)) return c;
  return undefined;
}

function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const re of [STATIC, EXPORT_FROM]) {
      for (const m of text.matchAll(re)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) { const f = sourceOf(spec, file); if (f) visit(f); } else if (!spec.startsWith('node:')) packages.add(spec.split('/')[0]!.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
  };
  visit(entry);
  return { files, packages };
}

describe('lazy Ink', () => {
  test.each(['src/cli.tsx', 'src/main.ts', 'src/doctor.ts'])('%s reaches no Ink, React or src/ui statically', (entry) => {
    const g = staticGraph(join(ROOT, entry));
    expect(g.files.size).toBeGreaterThan(entry === 'src/doctor.ts' ? 10 : 1);
    expect([...g.packages].filter((p) => /^(ink|ink-spinner|react|react-reconciler)$/.test(p))).toEqual([]);
    expect([...g.files].map((f) => f.slice(ROOT.length + 1)).filter((f) => f.startsWith('src/ui/'))).toEqual([]);
  });

  test('the wizard does pull Ink in (the check above would notice)', () => {
    const g = staticGraph(join(ROOT, 'src/ui/wizard.tsx'));
    expect(g.packages).toContain('ink');
    expect(g.packages).toContain('react');
  });

  test('doctor.ts loads the wizard only with a dynamic import', () => {
    const text = readFileSync(join(ROOT, 'src/doctor.ts'), 'utf8');
    expect(text).toMatch(/await import\('\.\/ui\/wizard\.js'\)|import\('\.\/ui\/wizard\.js'\)/);
  });
});
