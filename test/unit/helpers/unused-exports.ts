// Exports that no other file uses, found with the TypeScript checker: each import, re-export, `import()` and
// `import('./x.js').T` in the program is resolved (through every re-export) to the declaration it names.
// Only those nodes are resolved, never whole files, so the scan stays fast.
import { relative } from 'node:path';
import ts from 'typescript';

export interface UnusedExportsOptions {
  root: string;
  tsconfig: string;
  /** Folders whose modules must not export what nobody uses: `src`, `checks`. */
  checked: string[];
  /** Public modules (package.json "exports", "bin"): all they export is used by definition. */
  entries: string[];
}

/** `src/x.ts: name` for each export used by no other file. */
export function unusedExports(options: UnusedExportsOptions): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(options.tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error(`cannot read ${options.tsconfig}`);
  const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const own = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));
  const path = (f: ts.SourceFile) => relative(options.root, f.fileName);
  const used = new Set<ts.Symbol>();

  const original = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const useAll = (moduleSymbol: ts.Symbol | undefined, seen = new Set<ts.Symbol>()) => {
    if (!moduleSymbol || seen.has(moduleSymbol)) return;
    seen.add(moduleSymbol);
    for (const e of checker.getExportsOfModule(moduleSymbol)) {
      const target = original(e);
      used.add(target);
      // `export * as kb from './kb.js'` in a public module makes all of kb.ts public.
      if (target.flags & ts.SymbolFlags.ValueModule) useAll(target, seen);
    }
  };
  const useNode = (node: ts.Node, from: ts.SourceFile) => {
    const s = checker.getSymbolAtLocation(node);
    if (!s) return;
    const target = original(s);
    // A file's use of its own export does not count: without the export keyword it would still work.
    if (target.declarations?.every((d) => d.getSourceFile() === from)) return;
    used.add(target);
  };

  for (const file of own) {
    if (options.entries.includes(path(file))) useAll(checker.getSymbolAtLocation(file));
    const visit = (node: ts.Node): void => {
      if (ts.isImportSpecifier(node) || ts.isExportSpecifier(node)) useNode(node.propertyName ?? node.name, file);
      else if (ts.isImportClause(node) && node.name) useNode(node.name, file);
      else if (ts.isExportDeclaration(node) && !node.exportClause && node.moduleSpecifier) {
        // `export * from` in a module that is not public forwards names; whoever imports them marks them.
      } else if (ts.isImportTypeNode(node) && node.qualifier) useNode(ts.isQualifiedName(node.qualifier) ? node.qualifier.right : node.qualifier, file);
      else if (ts.isNamespaceImport(node) || ts.isNamespaceExport(node)) markNamespaceUses(node.name, file);
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) markDynamicImport(node, file);
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  // `import * as ns`: each `ns.x` names x. Used any other way (passed along), every export counts.
  function markNamespaceUses(name: ts.ModuleExportName, file: ts.SourceFile) {
    if (!ts.isIdentifier(name)) return; // `export * as "x"`: not written here
    const ns = checker.getSymbolAtLocation(name);
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && node !== name && node.text === name.text && checker.getSymbolAtLocation(node) === ns) {
        const parent = node.parent;
        if ((ts.isPropertyAccessExpression(parent) && parent.expression === node) || (ts.isQualifiedName(parent) && parent.left === node)) {
          useNode(ts.isPropertyAccessExpression(parent) ? parent.name : parent.right, file);
        } else if (!ts.isExportSpecifier(parent)) useAll(ns && original(ns));
      }
      ts.forEachChild(node, visit);
    };
    if (ts.isNamespaceExport(name.parent)) return useAll(ns && original(ns)); // `export * as x` forwards all
    visit(file);
  }

  // `const { a, b } = await import('./x.js')`, `(await import('./x.js')).a`, `import('./x.js').then(...)`.
  function markDynamicImport(call: ts.CallExpression, file: ts.SourceFile) {
    const moduleSymbol = call.arguments[0] && checker.getSymbolAtLocation(call.arguments[0]);
    if (!moduleSymbol) return; // a computed path (plugins, the bundle): not one of ours to follow
    let outer: ts.Node = call;
    while (ts.isAwaitExpression(outer.parent) || ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
    const parent = outer.parent;
    if (ts.isVariableDeclaration(parent) && ts.isObjectBindingPattern(parent.name)) {
      for (const element of parent.name.elements) {
        const key = element.propertyName ?? element.name;
        const exported = ts.isIdentifier(key) ? checker.tryGetMemberInModuleExports(key.text, moduleSymbol) : undefined;
        if (exported) used.add(original(exported));
      }
    } else if (ts.isPropertyAccessExpression(parent)) {
      const exported = checker.tryGetMemberInModuleExports(parent.name.text, moduleSymbol);
      if (exported) used.add(original(exported));
    } else useAll(moduleSymbol); // kept whole (Promise.all, a module object handed on): every export counts
  }

  const unused: string[] = [];
  for (const file of own) {
    const p = path(file);
    if (!options.checked.some((dir) => p.startsWith(`${dir}/`)) || options.entries.includes(p)) continue;
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (!moduleSymbol) continue;
    for (const e of checker.getExportsOfModule(moduleSymbol)) {
      const target = original(e);
      // Re-exports are judged where they are declared.
      if (!target.declarations?.some((d) => d.getSourceFile() === file)) continue;
      if (!used.has(target)) unused.push(`${p}: ${e.name}`);
    }
  }
  return unused.sort();
}
