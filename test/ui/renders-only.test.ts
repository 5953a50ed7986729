// src/ui renders the report and never decides: no file in it imports the knowledge base (src/kb) or the facts
// store (engine/facts, the fact keys in checks/), none reads facts, and none finds a rung's evidence by label or
// a rung by a built-in id. The route and the errno explanations come from the report (engine/route.ts,
// engine/errnos.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const uiDir = join(root, 'src/ui');
const files = readdirSync(uiDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.tsx?$/.test(f)).map((f) => join(uiDir, f));

/** Every module specifier: static imports and re-exports, dynamic import(). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

const inRepo = (file: string, spec: string) => (spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)) : spec);

describe('src/ui renders and never decides', () => {
  test('the scan sees the wizard', () => {
    expect(files.map((f) => relative(root, f))).toEqual(expect.arrayContaining(['src/ui/summary.tsx', 'src/ui/route.ts', 'src/ui/session.ts']));
    expect(specifiers(readFileSync(join(uiDir, 'summary.tsx'), 'utf8'))).toContain('../report/format.js');
  });

  test('no import of src/kb or of the facts store', () => {
    const bad: string[] = [];
    for (const f of files) {
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        const target = inRepo(f, spec);
        if (/^src\/kb(\/|$)/.test(target) || /^src\/engine\/facts(\.js)?$/.test(target) || /^checks(\/|$)/.test(target)) {
          bad.push(`${relative(root, f)} imports ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  test('no fact is read, no evidence found by label, no rung found by a built-in id', () => {
    const bad: string[] = [];
    for (const f of files) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const at = `${relative(root, f)}:${i + 1}`;
        if (/\bfacts\??\.get\s*[<(]|\bFacts\b/.test(line)) bad.push(`${at} reads facts: ${line.trim()}`);
        if (/\.evidence\??\.(find|filter|some)\(/.test(line)) bad.push(`${at} searches a rung's evidence: ${line.trim()}`);
        if (/\.id\s*===\s*['"][a-z-]+['"]/.test(line)) bad.push(`${at} finds a rung by id: ${line.trim()}`);
      });
    }
    expect(bad).toEqual([]);
  });

  test('no view finds a line by its text, and the summary and route picture take no lab flag', () => {
    const bad: string[] = [];
    for (const f of files) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        const at = `${relative(root, f)}:${i + 1}`;
        // A line, summary, verdict or message is rendered, never searched: what it is comes with it as data.
        if (/\b(text|summary|verdict|message|title|label|line|l)\??\.(startsWith|endsWith|includes|match|search|indexOf)\(/.test(line)) {
          bad.push(`${at} matches text: ${line.trim()}`);
        }
      });
    }
    for (const name of ['summary.tsx', 'route.ts']) {
      const source = readFileSync(join(uiDir, name), 'utf8');
      if (/\blab\b/.test(source.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''))) bad.push(`src/ui/${name} names the lab in code`);
    }
    expect(bad).toEqual([]);
  });
});
