// The built-in rungs are written against the public plugin API and nothing else: what a rung needs from the
// tools or the knowledge base is in `xdp-doctor/plugin` (or ctx.tools), so a plugin can do anything a rung does.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHECKS = fileURLToPath(new URL('../../checks/', import.meta.url));
/** Pure path arithmetic is not a capability; files and processes go through ctx.tools. */
const ALLOWED = new Set(['../src/plugins/api.js', 'node:path']);

function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/\bfrom\s+'([^']+)'|\bimport\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|\brequire\(\s*'([^']+)'\s*\)/g)) {
    found.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  return found;
}

describe('checks/ import only the public plugin API', () => {
  const files = readdirSync(CHECKS).filter((f) => f.endsWith('.ts'));

  it('finds the rungs', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)('%s', (file) => {
    const bad = specifiers(readFileSync(join(CHECKS, file), 'utf8'))
      .filter((s) => !ALLOWED.has(s) && !/^\.\/[\w-]+\.js$/.test(s));
    expect(bad).toEqual([]);
  });

  it('sees every kind of import (the scan itself)', () => {
    const sample = "import a from '../src/kb/x.js';\nimport type { B } from '../src/tools/y.js';\nimport 'node:fs';\nconst c = await import('node:os');";
    expect(specifiers(sample)).toEqual(['../src/kb/x.js', '../src/tools/y.js', 'node:fs', 'node:os']);
  });
});
