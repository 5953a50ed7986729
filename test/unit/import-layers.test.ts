// The import graph of src/ and checks/ has no circle, and the bottom floor points down: src/tools runs commands
// and parses their output for everyone above it, so it may not import the engine, the renderers, the views or
// the rungs, and whatever it does import outside its folder imports nothing of ours.
// The views do not look for targets: discovery (src/target/discover.ts) is handed to them, and in src/ui only the
// real engine's wiring imports the process runner.
// Relative imports only; every kind counts (`import type`, re-exports, `import()` in code or in a type).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, type ImportGraph, type ModulePath } from './helpers/import-graph.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { graph, unresolved } = importGraph(ROOT, ['src', 'checks']);

/**
 * Circles known and not yet cut, each with the reason it stays. An entry that no longer matches a circle fails
 * too, so the list only shrinks.
 */
const KNOWN_CYCLES: { members: ModulePath[]; why: string }[] = [];

const TOOLS = 'src/tools/';
const ABOVE_THE_TOOLS = ['src/engine/', 'src/report/', 'src/ui/', 'checks/'];

const same = (a: ModulePath[], b: ModulePath[]) => [...a].sort().join() === [...b].sort().join();

const UI = 'src/ui/';
/** Discovery runs commands to find targets (issue 25): the views get its findings, never the code. */
const DISCOVERY = 'src/target/discover.ts';
/** The ui modules that may import the process runner, each with why: it is the wiring of the real world. */
const UI_EXEC_ALLOWED: Record<ModulePath, string> = {
  'src/ui/engine.ts': 'the real engine behind the wizard: realExec for the ladder, fixes and probe, and the kill on Ctrl-C',
};

/** Every module `from` reaches through its imports, itself left out. */
function reachable(g: ImportGraph, from: ModulePath): Set<ModulePath> {
  const seen = new Set<ModulePath>();
  const todo = [...(g.get(from) ?? [])];
  while (todo.length) {
    const m = todo.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    todo.push(...(g.get(m) ?? []));
  }
  return seen;
}

describe('import graph of src/ and checks/', () => {
  it('reads every module and resolves every relative import', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.has('src/tools/exec.ts') && graph.has('checks/index.ts')).toBe(true);
    expect(unresolved).toEqual([]);
  });

  it('has no import circle', () => {
    const cycles = importCycles(graph);
    // A known circle that grows is a new one: the whole component must match.
    const unknown = cycles.filter((c) => !KNOWN_CYCLES.some((k) => same(k.members, c.members)));
    expect(unknown.map((c) => `${c.path.join(' → ')} (${c.members.length} modules in the circle)`)).toEqual([]);
    const gone = KNOWN_CYCLES.filter((k) => !cycles.some((c) => same(k.members, c.members)));
    expect(gone.map((k) => `${k.members.join(', ')}: no longer a circle, remove it from KNOWN_CYCLES`)).toEqual([]);
  });

  it('no src/tools module imports src/engine, src/report, src/ui or checks', () => {
    const upward = [...graph]
      .filter(([from]) => from.startsWith(TOOLS))
      .flatMap(([from, to]) => to.filter((t) => ABOVE_THE_TOOLS.some((a) => t.startsWith(a))).map((t) => `${from} → ${t}`));
    expect(upward).toEqual([]);
  });

  it('what src/tools imports outside its folder imports nothing of ours (paths, state dirs, shutdown hooks)', () => {
    const leaky = [...graph]
      .filter(([from]) => from.startsWith(TOOLS))
      .flatMap(([from, to]) => to.filter((t) => !t.startsWith(TOOLS)).map((t) => [from, t] as const))
      .filter(([, t]) => (graph.get(t) ?? []).length > 0)
      .map(([from, t]) => `${from} → ${t} → ${graph.get(t)!.join(', ')}`);
    expect(leaky).toEqual([]);
  });
});

describe('the views do not look for targets', () => {
  it('discovery lives in src/target, not src/ui', () => {
    expect(graph.has(DISCOVERY)).toBe(true);
    expect([...graph.keys()].filter((m) => m.startsWith(UI) && /discover/.test(m))).toEqual([]);
  });

  it('no src/ui module reaches src/target/discover.ts, through any chain of imports', () => {
    const reaching = [...graph.keys()].filter((m) => m.startsWith(UI) && reachable(graph, m).has(DISCOVERY));
    expect(reaching).toEqual([]);
  });

  it('only the real engine\'s wiring in src/ui imports src/tools/exec.ts', () => {
    const importers = [...graph].filter(([from, to]) => from.startsWith(UI) && to.includes('src/tools/exec.ts')).map(([from]) => from);
    expect(importers.sort()).toEqual(Object.keys(UI_EXEC_ALLOWED).sort());
  });
});

describe('the scan itself', () => {
  const fixture = (files: Record<string, string>): ImportGraph => {
    const dir = mkdtempSync(join(tmpdir(), 'xdpd-imports-'));
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const scanned = importGraph(dir, ['src']);
      expect(scanned.unresolved).toEqual([]);
      return scanned.graph;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('sees every kind of relative import, and skips comments, strings and packages', () => {
    const g = fixture({
      'src/a.ts': [
        "import type { B } from './b.js';",
        "export * from './c.js';",
        "export type { D } from './d.js';",
        "const e = await import('./e.js');",
        "let f: import('./f.js').F;",
        "import './g.js';",
        "import { h } from './sub/h.js';",
        "import { execa } from 'execa';",
        "// import x from './x.js';",
        "const s = \"import y from './y.js'\";",
      ].join('\n'),
      ...Object.fromEntries(['b', 'c', 'd', 'e', 'f', 'g'].map((n) => [`src/${n}.ts`, ''])),
      'src/sub/h.tsx': '',
    });
    expect(g.get('src/a.ts')).toEqual(['src/b.ts', 'src/c.ts', 'src/d.ts', 'src/e.ts', 'src/f.ts', 'src/g.ts', 'src/sub/h.tsx']);
  });

  it('names a circle through a type-only import, and each circle once', () => {
    const g = fixture({
      'src/low.ts': "import type { T } from './mid.js';\nexport const low = 1;",
      'src/mid.ts': "export { top } from './top.js';\nexport type T = number;",
      'src/top.ts': "import { low } from './low.js';\nexport const top = low;",
      'src/self.ts': "export type { S } from './self.js';\nexport type S = 1;",
      'src/leaf.ts': "import { low } from './low.js';",
    });
    expect(importCycles(g).map((c) => c.path)).toEqual([
      ['src/low.ts', 'src/mid.ts', 'src/top.ts', 'src/low.ts'],
      ['src/self.ts', 'src/self.ts'],
    ]);
  });
});
