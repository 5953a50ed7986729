// The import graph of our own source, read with the TypeScript scanner (no type checking, so it takes well under a
// second): every relative specifier counts — `import type`, re-exports, side-effect imports and `import()`, in
// code or in a type — because a type-only circle still ties the files into one unit that cannot be read, moved or
// tested apart.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** File path relative to the repository root, with forward slashes: `src/tools/ip.ts`. */
export type ModulePath = string;
export type ImportGraph = Map<ModulePath, ModulePath[]>;

const SOURCE = /\.tsx?$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./x.js` names the compiled file; the source is x.ts or x.tsx. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  const target = resolve(dirname(fromFile), specifier);
  const candidates = /\.jsx?$/.test(target)
    ? [target.replace(/\.jsx?$/, '.ts'), target.replace(/\.jsx?$/, '.tsx')]
    : [target, `${target}.ts`, `${target}.tsx`, join(target, 'index.ts')];
  return candidates.find((c) => SOURCE.test(c) && existsAsFile(c));
}

function existsAsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface ScannedGraph {
  graph: ImportGraph;
  /** Relative specifiers of script files that point at no source file: the scan would miss an edge. */
  unresolved: string[];
}

/** Reads every .ts/.tsx under `roots` (relative to `repoRoot`) and returns who imports whom among them. */
export function importGraph(repoRoot: string, roots: string[]): ScannedGraph {
  const graph: ImportGraph = new Map();
  const unresolved: string[] = [];
  const name = (abs: string): ModulePath => relative(repoRoot, abs).split('\\').join('/');
  for (const file of roots.flatMap((r) => sourceFiles(join(repoRoot, r)))) {
    const imported = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
    const edges = new Set<ModulePath>();
    for (const specifier of imported.filter((s) => s.startsWith('.'))) {
      const target = resolveSpecifier(file, specifier);
      if (target) edges.add(name(target));
      else if (/\.jsx?$/.test(specifier)) unresolved.push(`${name(file)} → ${specifier}`);
      // Anything else (package.json, a .c file, a recording) is data, not a module of ours.
    }
    graph.set(name(file), [...edges].sort());
  }
  return { graph, unresolved };
}

/** A set of modules that each reach every other through imports, with one shortest circle among them. */
export interface Circle {
  /** Every module of the strongly connected component, sorted. */
  members: ModulePath[];
  /** `a → b → … → a`: naming one concrete circle is enough to start cutting. */
  path: ModulePath[];
}

/** One entry per strongly connected component (Tarjan) of more than one module, or a module importing itself. */
export function importCycles(graph: ImportGraph): Circle[] {
  const index = new Map<ModulePath, number>();
  const low = new Map<ModulePath, number>();
  const onStack = new Set<ModulePath>();
  const stack: ModulePath[] = [];
  const components: ModulePath[][] = [];
  let next = 0;

  const visit = (v: ModulePath): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: ModulePath[] = [];
      let w: ModulePath;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = graph.get(v)?.includes(v) ?? false;
      if (component.length > 1 || selfLoop) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);

  return components.map((members) => ({ members, path: shortestCircle(graph, new Set(members), members[0]!) }));
}

/** Breadth-first from `start` back to itself, staying inside its component. */
function shortestCircle(graph: ImportGraph, inside: Set<ModulePath>, start: ModulePath): ModulePath[] {
  const cameFrom = new Map<ModulePath, ModulePath>();
  const queue: ModulePath[] = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(w) && w !== start) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
