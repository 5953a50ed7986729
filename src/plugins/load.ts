// Loading plugins: resolve what the config and --plugin named (packages from the working directory's
// node_modules, files, objects), import them, and check their shape before any of their code runs as a check.
// A plugin that cannot be loaded (missing, syntax error, bad shape, another API version, an id taken) becomes a
// warning row in the report; the ladder goes on without it.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Check, CheckRecord } from '../engine/types.js';
import type { PlannedCheck } from '../engine/runner.js';
import { packageRoot } from '../paths.js';
import { TOOL_SPECS } from '../tools/versions.js';
import { API_VERSION, type Plugin, type PluginCause } from './api.js';
import { oneLine, trustProblem, type PluginSpec } from './config.js';
import { installResolveHook } from './host.js';

const IMPORT_TIMEOUT_MS = 10_000;
const CHECK_ID = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9-]+)?$/;
const PLUGIN_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/i;
const MAX_TIMEOUT_MS = 10 * 60_000;

export interface LoadedPlugin {
  plugin: Plugin;
  name: string;
  version: string;
  /** `name@version`: the source of its checks in reports. */
  source: string;
  /** Where it came from: a file, a package directory or "config". */
  from: string;
}

export interface PluginFailure {
  name: string;
  source: string;
  from: string;
  reason: string;
  durationMs: number;
}

interface LoadResult {
  loaded: LoadedPlugin[];
  failures: PluginFailure[];
}

interface LoadOptions {
  cwd: string;
  /** Ids a plugin check may not take (the built-in rungs). */
  builtinIds: Iterable<string>;
  importTimeoutMs?: number;
}

class LoadError extends Error {
  constructor(message: string, readonly pluginName?: string, readonly version?: string) { super(message); }
}

/** Loads every spec in order; never throws for a plugin's own fault. */
export async function loadPlugins(specs: PluginSpec[], opts: LoadOptions): Promise<LoadResult> {
  const taken = new Map<string, string>([...opts.builtinIds].map((id) => [id, 'built-in']));
  const names = new Map<string, string>();
  const seenEntries = new Set<string>();
  const seenObjects = new Set<unknown>();
  const out: LoadResult = { loaded: [], failures: [] };

  for (const spec of specs) {
    const started = Date.now();
    let from = spec.kind === 'path' ? spec.path : spec.kind === 'package' ? spec.name : 'config';
    let fallbackName = spec.kind === 'package' ? spec.name : spec.as;
    try {
      let raw: unknown;
      let pkgVersion: string | undefined;
      if (spec.kind === 'object') {
        if (seenObjects.has(spec.plugin)) continue;
        seenObjects.add(spec.plugin);
        raw = spec.plugin;
      } else {
        const found = spec.kind === 'package' ? resolvePackage(spec.name, opts.cwd) : resolvePath(spec.path);
        from = found.entry;
        pkgVersion = found.version;
        if (found.name) fallbackName = found.name;
        const key = safeRealpath(found.entry);
        if (seenEntries.has(key)) continue;
        seenEntries.add(key);
        const distrust = trustProblem(found.entry, { requireOwner: false });
        if (distrust) throw new LoadError(`refusing to import it: ${distrust}`);
        raw = pluginExport(await importWithTimeout(found.entry, opts.importTimeoutMs ?? IMPORT_TIMEOUT_MS));
      }
      const plugin = validatePlugin(raw, { taken, pkgVersion });
      const previous = names.get(plugin.name);
      if (previous) throw new LoadError(`a plugin named ${plugin.name} is already loaded from ${previous}`, plugin.name, plugin.version);
      const version = plugin.version ?? pkgVersion ?? '0.0.0';
      names.set(plugin.name, from);
      const source = `${plugin.name}@${version}`;
      for (const c of plugin.checks) taken.set(c.id, source);
      out.loaded.push({ plugin, name: plugin.name, version, source, from });
    } catch (e) {
      const name = e instanceof LoadError && e.pluginName ? e.pluginName : fallbackName;
      const version = e instanceof LoadError ? e.version : undefined;
      out.failures.push({
        name, source: version ? `${name}@${version}` : name, from,
        reason: e instanceof LoadError ? e.message : describeImportError(e),
        durationMs: Date.now() - started,
      });
    }
  }
  return out;
}

/** The checks of loaded plugins as the runner plans them, each with its plugin's options. */
export function plannedChecks(loaded: LoadedPlugin[], options: Record<string, Record<string, unknown>>): PlannedCheck[] {
  return loaded.flatMap((p) => p.plugin.checks.map((check) => ({ check, source: p.source, options: { ...(options[p.name] ?? {}) } })));
}

/** A plugin that was not loaded, as a row of the report: it names the plugin and says why. */
export function failureRecord(f: PluginFailure): CheckRecord {
  return {
    id: `plugin:${f.name}`,
    title: `Plugin ${f.name}`,
    rung: 0,
    source: f.source,
    status: 'warn',
    summary: `plugin ${f.name} not loaded: ${f.reason}`,
    evidence: [{ label: 'plugin', data: f.from }],
    findings: [],
    durationMs: f.durationMs,
    commands: [],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Resolution

interface Resolved { entry: string; version?: string; name?: string }

/**
 * An installed package, found the way Node finds it from a module in `cwd`: node_modules/NAME in cwd and each
 * parent; then beside this xdp-doctor when it is itself installed in a node_modules (`npm install -g` puts both
 * in <prefix>/lib/node_modules, `npx -p xdp-doctor -p PLUGIN` in one npx cache directory). Its entry comes from
 * package.json "exports" (import/node/default conditions), "main" or index.js.
 */
export function resolvePackage(name: string, cwd: string, beside: string | undefined = selfNodeModules()): Resolved {
  let dir = resolve(cwd);
  for (;;) {
    const found = inNodeModules(join(dir, 'node_modules'), name, cwd);
    if (found) return found;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const found = beside ? inNodeModules(beside, name, cwd) : undefined;
  if (found) return found;
  throw new LoadError(`not installed: no node_modules/${name} in ${cwd} or its parents${beside ? ` nor in ${beside}` : ''} (npm install ${name})`);
}

function inNodeModules(nodeModules: string, name: string, cwd: string): Resolved | undefined {
  const pkgDir = join(nodeModules, ...name.split('/'));
  if (!existsSync(join(pkgDir, 'package.json'))) return undefined;
  const problem = ownerProblem(pkgDir, cwd);
  if (problem) throw new LoadError(problem);
  return resolvePackageDir(pkgDir, name);
}

/** The node_modules directory holding the running xdp-doctor, when it is installed in one (not a checkout). */
export function selfNodeModules(root = packageRoot()): string | undefined {
  const parent = dirname(root);
  return basename(parent) === 'node_modules' ? parent : undefined;
}

/**
 * Root resolves packages the way Node does, through the parents' node_modules too: one another user planted in
 * /tmp/node_modules must not load because root ran xdp-doctor in /tmp/work. The package directory and its
 * node_modules must belong to root, to the user running xdp-doctor or to the owner of the working directory.
 */
function ownerProblem(pkgDir: string, cwd: string): string | undefined {
  const trusted = new Set([0, process.getuid?.() ?? 0, statSync(cwd).uid]);
  let nodeModules = dirname(pkgDir);
  while (basename(nodeModules) !== 'node_modules') nodeModules = dirname(nodeModules); // @scope/name
  for (const d of [nodeModules, pkgDir]) {
    const { uid } = statSync(d);
    if (!trusted.has(uid)) return `refusing ${d}: it belongs to uid ${uid}, neither root nor the owner of ${cwd}`;
  }
  return undefined;
}

/** A file, or a directory holding a package (package.json) or an index.mjs/index.js. */
export function resolvePath(path: string): Resolved {
  if (!existsSync(path)) throw new LoadError(`no such file or directory: ${path}`);
  if (!statSync(path).isDirectory()) return { entry: path };
  if (existsSync(join(path, 'package.json'))) return resolvePackageDir(path);
  for (const index of ['index.mjs', 'index.js']) if (existsSync(join(path, index))) return { entry: join(path, index) };
  throw new LoadError(`${path} is a directory without package.json or index.mjs/index.js`);
}

function resolvePackageDir(pkgDir: string, expectedName?: string): Resolved {
  let pkg: { name?: unknown; version?: unknown; exports?: unknown; main?: unknown };
  try {
    pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  } catch (e) {
    throw new LoadError(`cannot read ${join(pkgDir, 'package.json')}: ${oneLine(e)}`);
  }
  const name = typeof pkg.name === 'string' ? pkg.name : expectedName;
  const version = typeof pkg.version === 'string' ? pkg.version : undefined;
  let rel: string | undefined;
  if (pkg.exports !== undefined) {
    rel = exportTarget(pkg.exports);
    if (!rel) throw new LoadError(`package ${name ?? pkgDir} exports no "." entry for import`);
  } else {
    rel = typeof pkg.main === 'string' ? pkg.main : 'index.js';
  }
  const candidates = [rel, `${rel}.js`, `${rel}.mjs`, join(rel, 'index.js'), join(rel, 'index.mjs')].map((r) => resolve(pkgDir, r));
  const entry = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  if (!entry) throw new LoadError(`package ${name ?? pkgDir}: its entry ${rel} does not exist`);
  if (!(entry === pkgDir || entry.startsWith(pkgDir + sep))) throw new LoadError(`package ${name ?? pkgDir}: entry ${rel} lies outside the package`);
  return { entry, version, name };
}

/** The "." export for ESM: conditions import, node, default (in the package's order), arrays, sugar. */
export function exportTarget(exp: unknown): string | undefined {
  if (typeof exp === 'string') return exp.startsWith('./') ? exp : undefined;
  if (Array.isArray(exp)) {
    for (const e of exp) {
      const t = exportTarget(e);
      if (t) return t;
    }
    return undefined;
  }
  if (exp && typeof exp === 'object') {
    const o = exp as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.some((k) => k.startsWith('.'))) return exportTarget(o['.']);
    for (const k of keys) {
      if (k === 'import' || k === 'node' || k === 'default' || k === 'module-sync') {
        const t = exportTarget(o[k]);
        if (t) return t;
      }
    }
    if (o.require !== undefined) return exportTarget(o.require);
  }
  return undefined;
}

function safeRealpath(p: string): string {
  try { return realpathSync(p); } catch { return p; }
}

// ---------------------------------------------------------------------------------------------------------
// Import

async function importWithTimeout(entry: string, ms: number): Promise<unknown> {
  await installResolveHook();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LoadError(`did not finish loading within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([import(pathToFileURL(entry).href), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The plugin a module exports: its default export (ESM, or module.exports of CommonJS), else the namespace. */
function pluginExport(mod: unknown): unknown {
  const m = mod as Record<string, unknown>;
  let p: unknown = m.default !== undefined ? m.default : m;
  if (p && typeof p === 'object' && 'default' in p && !('checks' in p)) p = (p as { default: unknown }).default;
  return p;
}

function describeImportError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (e instanceof SyntaxError) return `syntax error: ${oneLine(e)}`;
  if (err?.code === 'ERR_MODULE_NOT_FOUND') return `import failed: ${oneLine(e)}`;
  return `import failed: ${oneLine(e)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Validation

const TOOLS = new Set(Object.keys(TOOL_SPECS));

/**
 * The plugin as typed, or a LoadError naming the first bad field. `taken` maps check ids already in use to
 * their owner; a plugin whose check takes one is not loaded.
 */
export function validatePlugin(raw: unknown, ctx: { taken: Map<string, string>; pkgVersion?: string }): Plugin {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new LoadError(`the module does not export a plugin object (got ${kind(raw)}); write \`export default definePlugin({ name, apiVersion: ${API_VERSION}, checks })\``);
  }
  const p = raw as Record<string, unknown>;
  if (typeof p.name !== 'string' || !PLUGIN_NAME.test(p.name)) {
    throw new LoadError(`name must be a package-style name like "rpfilter" or "@team/checks" (got ${kind(p.name)})`);
  }
  const name = p.name;
  const version = typeof p.version === 'string' ? p.version : ctx.pkgVersion;
  const fail = (msg: string) => new LoadError(msg, name, version);
  if (p.version !== undefined && typeof p.version !== 'string') throw fail(`version must be a string (got ${kind(p.version)})`);
  if (typeof p.apiVersion !== 'number' || !Number.isInteger(p.apiVersion)) {
    throw fail(`apiVersion must be a number: xdp-doctor requires ${API_VERSION}, got ${kind(p.apiVersion)}`);
  }
  if (p.apiVersion !== API_VERSION) throw fail(`unsupported apiVersion: xdp-doctor requires ${API_VERSION}, got ${p.apiVersion}`);
  if (!Array.isArray(p.checks)) throw fail(`checks must be an array of checks (got ${kind(p.checks)})`);
  const mine = new Set<string>();
  p.checks.forEach((c, i) => {
    const problem = checkProblem(c);
    if (problem) throw fail(`checks[${i}]${problem}`);
    const id = (c as Check).id;
    if (mine.has(id)) throw fail(`checks[${i}].id "${id}" is used twice in this plugin`);
    const owner = ctx.taken.get(id);
    if (owner) throw fail(`checks[${i}].id "${id}" is already taken by ${owner === 'built-in' ? 'a built-in rung' : owner}; prefix your ids (e.g. "${name.replace(/^@[^/]+\//, '').replace(/^xdp-doctor-plugin-/, '')}/${id}")`);
    mine.add(id);
  });
  if (p.causes !== undefined) {
    if (!p.causes || typeof p.causes !== 'object' || Array.isArray(p.causes)) throw fail('causes must be an object: { "cause-id": { title, explanation? } }');
    for (const [id, c] of Object.entries(p.causes as Record<string, unknown>)) {
      const cause = c as Partial<PluginCause> | null;
      if (!cause || typeof cause.title !== 'string') throw fail(`causes["${id}"].title must be a string`);
      if (cause.explanation !== undefined && typeof cause.explanation !== 'string') throw fail(`causes["${id}"].explanation must be a string`);
    }
  }
  return raw as Plugin;
}

/** What is wrong with one check object, as ".field must ..." (appended to "checks[i]"), or undefined. */
export function checkProblem(c: unknown): string | undefined {
  if (!c || typeof c !== 'object' || Array.isArray(c)) return ` must be a check object (got ${kind(c)})`;
  const o = c as Record<string, unknown>;
  if (typeof o.id !== 'string' || !CHECK_ID.test(o.id)) {
    return `.id must be lower-case words joined by -, optionally namespaced: "rpfilter/asymmetric" (got ${kind(o.id)})`;
  }
  if (typeof o.title !== 'string' || !o.title.trim()) return '.title must be a non-empty string';
  if (typeof o.rung !== 'number' || !Number.isFinite(o.rung)) return `.rung must be a number: where on the ladder it runs (got ${kind(o.rung)})`;
  if (typeof o.run !== 'function') return `.run must be a function (ctx) => Promise<CheckResult> (got ${kind(o.run)})`;
  if (o.question !== undefined && typeof o.question !== 'string') return '.question must be a string';
  if (o.needs !== undefined) {
    if (!Array.isArray(o.needs)) return '.needs must be an array of tool names';
    for (const [i, t] of o.needs.entries()) {
      if (typeof t !== 'string' || !TOOLS.has(t)) return `.needs[${i}] ${kind(t)} is not a tool xdp-doctor knows (${[...TOOLS].join(', ')})`;
    }
  }
  for (const key of ['after', 'readsLater'] as const) {
    const ids = o[key];
    if (ids === undefined) continue;
    if (!Array.isArray(ids)) return `.${key} must be an array of check ids`;
    for (const [i, a] of ids.entries()) if (typeof a !== 'string' || !CHECK_ID.test(a)) return `.${key}[${i}] must be a check id (got ${kind(a)})`;
  }
  if (o.observes !== undefined && typeof o.observes !== 'boolean') return '.observes must be true or false';
  if (o.timeoutMs !== undefined && (typeof o.timeoutMs !== 'number' || !(o.timeoutMs > 0) || o.timeoutMs > MAX_TIMEOUT_MS)) {
    return `.timeoutMs must be a number of milliseconds between 1 and ${MAX_TIMEOUT_MS} (got ${kind(o.timeoutMs)})`;
  }
  return undefined;
}

function kind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
