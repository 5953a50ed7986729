// The config file: xdp-doctor.config.mjs|js|json in the working directory, or --config FILE. It names the
// plugins to load (nothing else is ever loaded: xdp-doctor runs as root), the checks to disable and each
// plugin's options. A config that is not what we expect is a usage error (exit 2) naming the file and the field.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config, Plugin } from './api.js';
import { installResolveHook } from './host.js';
import { TargetError } from '../targets.js';

const CONFIG_NAMES = ['xdp-doctor.config.mjs', 'xdp-doctor.config.js', 'xdp-doctor.config.json'] as const;
const PLUGIN_PREFIX = 'xdp-doctor-plugin';

/** A usage error (exit 2): it names the file and the field. */
export class ConfigError extends TargetError {}

interface LoadedConfig {
  /** Absolute path of the file, or undefined when there is none. */
  path?: string;
  config: Required<Config>;
}

const EMPTY: Required<Config> = { plugins: [], disable: [], options: {} };
const KEYS = new Set(['plugins', 'disable', 'options']);
const CHECK_ID = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9-]+)?$/;

/** The config file to read: --config FILE (must exist), else the first of CONFIG_NAMES in cwd, else none. */
export function findConfig(cwd: string, explicit?: string): { path: string; explicit: boolean } | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigError(`--config ${explicit}: no such file`);
    if (!/\.(mjs|js|json)$/.test(path)) throw new ConfigError(`--config ${explicit}: the file name must end in .mjs, .js or .json`);
    return { path, explicit: true };
  }
  for (const name of CONFIG_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return { path, explicit: false };
  }
  return undefined;
}

/**
 * Code that root will run must not be writable by anyone else. A config found by itself in the working
 * directory must also belong to the user running xdp-doctor (like git's safe.directory): a config dropped
 * into a shared directory is not picked up just because root ran xdp-doctor there.
 */
export function trustProblem(path: string, opts: { requireOwner: boolean }): string | undefined {
  const st = statSync(path);
  if (st.mode & 0o002) return `${path} is writable by every user (mode ${(st.mode & 0o777).toString(8)}); chmod o-w it first`;
  const uid = process.getuid?.();
  if (opts.requireOwner && uid !== undefined && st.uid !== uid) {
    return `${path} belongs to uid ${st.uid}, not to the user running xdp-doctor (uid ${uid}); pass --config ${basename(path)} to load it anyway`;
  }
  return undefined;
}

export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  const found = findConfig(cwd, explicit);
  if (!found) return { config: { ...EMPTY } };
  const { path } = found;
  const distrust = trustProblem(path, { requireOwner: !found.explicit });
  if (distrust) throw new ConfigError(`refusing to load config ${distrust}`);
  let raw: unknown;
  try {
    if (path.endsWith('.json')) {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } else {
      await installResolveHook();
      const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
      raw = mod.default;
    }
  } catch (e) {
    throw new ConfigError(`config ${path}: ${oneLine(e)}`);
  }
  return { path, config: validateConfig(raw, path) };
}

/** The config as typed, or a ConfigError naming the file and the first bad field. */
export function validateConfig(raw: unknown, file: string): Required<Config> {
  const bad = (field: string, what: string) => new ConfigError(`config ${file}: ${field} ${what}`);
  if (raw === undefined) throw bad('default export', 'is missing: write `export default defineConfig({ plugins: [...] })`');
  if (!isPlainObject(raw)) throw bad('the config', 'must be an object with plugins, disable and options');
  for (const k of Object.keys(raw)) {
    if (!KEYS.has(k) && !k.startsWith('$')) throw bad(`"${k}"`, 'is not a config field (fields: plugins, disable, options)');
  }
  const plugins = raw.plugins ?? [];
  if (!Array.isArray(plugins)) throw bad('plugins', 'must be an array of package names, paths or plugin objects');
  plugins.forEach((p, i) => {
    if (typeof p === 'string') {
      const problem = specProblem(p);
      if (problem) throw bad(`plugins[${i}]`, problem);
    } else if (!p || typeof p !== 'object' || Array.isArray(p)) {
      throw bad(`plugins[${i}]`, `must be a package name, a path or a plugin object (got ${describe(p)})`);
    }
  });
  const disable = raw.disable ?? [];
  if (!Array.isArray(disable)) throw bad('disable', 'must be an array of check ids');
  disable.forEach((id, i) => {
    if (typeof id !== 'string' || !CHECK_ID.test(id)) throw bad(`disable[${i}]`, `must be a check id like "map-dump" or "rpfilter/asymmetric" (got ${describe(id)})`);
  });
  const options = raw.options ?? {};
  if (!isPlainObject(options)) throw bad('options', 'must be an object: { "plugin-name": { ...options } }');
  for (const [name, value] of Object.entries(options)) {
    if (!isPlainObject(value)) throw bad(`options["${name}"]`, `must be an object (got ${describe(value)})`);
  }
  return { plugins: plugins as (string | Plugin)[], disable: disable as string[], options: options as Record<string, Record<string, unknown>> };
}

export type PluginSpec =
  | { kind: 'package'; name: string; as: string }
  | { kind: 'path'; path: string; as: string }
  | { kind: 'object'; plugin: unknown; as: string };

const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** Paths start with ./ ../ or / (or hold a / outside a scope); everything else is an npm name. */
export function isPathSpec(s: string): boolean {
  return s.startsWith('.') || isAbsolute(s) || (s.includes('/') && !s.startsWith('@'));
}

export function specProblem(s: string): string | undefined {
  if (!s.trim()) return 'must not be empty';
  if (isPathSpec(s)) return undefined;
  if (/^@[a-z0-9][a-z0-9._~-]*$/.test(s)) return undefined;
  if (!NPM_NAME.test(s)) return `${JSON.stringify(s)} is neither a path (start it with ./) nor an npm package name`;
  return undefined;
}

/** ESLint-style shorthand: foo → xdp-doctor-plugin-foo, @scope → @scope/xdp-doctor-plugin, full names as given. */
export function packageNameOf(s: string): string {
  if (s.startsWith('@')) return s.includes('/') ? s : `${s}/${PLUGIN_PREFIX}`;
  return s.startsWith(`${PLUGIN_PREFIX}-`) || s === PLUGIN_PREFIX ? s : `${PLUGIN_PREFIX}-${s}`;
}

/** A string or object from the config (paths relative to the config file) or --plugin (relative to cwd). */
export function toSpec(entry: string | unknown, baseDir: string): PluginSpec {
  if (typeof entry !== 'string') return { kind: 'object', plugin: entry, as: describePluginObject(entry) };
  if (isPathSpec(entry)) return { kind: 'path', path: resolve(baseDir, entry), as: entry };
  return { kind: 'package', name: packageNameOf(entry), as: entry };
}

/** Every plugin to load, in order: the config's, then the command line's. */
export function pluginSpecs(loaded: LoadedConfig, cliPlugins: string[], cwd: string): PluginSpec[] {
  const configDir = loaded.path ? dirname(loaded.path) : cwd;
  const specs = loaded.config.plugins.map((p) => toSpec(p, configDir));
  cliPlugins.forEach((p, i) => {
    const problem = specProblem(p);
    if (problem) throw new ConfigError(`--plugin ${JSON.stringify(p)}: ${problem}`);
    specs.push(toSpec(cliPlugins[i], cwd));
  });
  return specs;
}

function describePluginObject(p: unknown): string {
  const name = isPlainObject(p) && typeof p.name === 'string' && p.name ? p.name : undefined;
  return name ?? 'plugin object from the config';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim())?.trim() ?? msg;
}
