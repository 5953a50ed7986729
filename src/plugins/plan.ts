// Every check this run could climb: the built-in rungs plus the checks of the plugins the config and --plugin
// named, with the config's disable list and each plugin's options. `xdp-doctor checks` lists it; the doctor
// selects from it with --checks/--skip.
import type { Check, CheckRecord } from '../engine/types.js';
import type { PlannedCheck } from '../engine/runner.js';
import type { PluginCause } from './api.js';
import { loadConfig, pluginSpecs } from './config.js';
import { failureRecord, loadPlugins, plannedChecks, type LoadedPlugin, type PluginFailure } from './load.js';

interface CatalogInput {
  /** --config FILE */
  config?: string;
  /** --plugin PATH|NAME, in order */
  plugins: string[];
}

export interface Catalog {
  /** Built-ins first, then each plugin's checks in load order. Nothing filtered. */
  all: PlannedCheck[];
  /** Check ids the config disables. */
  disabled: Set<string>;
  loaded: LoadedPlugin[];
  failures: PluginFailure[];
  /** The failures as report rows (status warn, id plugin:NAME). */
  warnings: CheckRecord[];
  /** Diagnosis titles for plugin causes. */
  causes: Map<string, PluginCause>;
  configPath?: string;
}

/** Reads the config, loads the plugins. Throws ConfigError (a usage error) only for the config itself. */
export async function loadCatalog(input: CatalogInput, opts: { cwd: string; builtins: Check[] }): Promise<Catalog> {
  const loadedConfig = await loadConfig(opts.cwd, input.config);
  const specs = pluginSpecs(loadedConfig, input.plugins, opts.cwd);
  const result = await loadPlugins(specs, { cwd: opts.cwd, builtinIds: opts.builtins.map((c) => c.id) });
  const { loaded, failures } = result;
  const causes = new Map<string, PluginCause>();
  for (const p of loaded) for (const [id, c] of Object.entries(p.plugin.causes ?? {})) if (!causes.has(id)) causes.set(id, c);
  return {
    all: [...opts.builtins.map((check) => ({ check, source: 'built-in' })), ...plannedChecks(loaded, loadedConfig.config.options)],
    disabled: new Set(loadedConfig.config.disable),
    loaded,
    failures,
    warnings: failures.map(failureRecord),
    causes,
    configPath: loadedConfig.path,
  };
}

export class SelectionError extends Error {}

/** The catalog minus disabled (unless --checks names it) minus --skip, narrowed to --checks. */
export function selectChecks(catalog: Catalog, sel: { checks?: string[]; skip?: string[] }): PlannedCheck[] {
  const known = new Set(catalog.all.map((p) => p.check.id));
  for (const id of [...(sel.checks ?? []), ...(sel.skip ?? [])]) {
    if (!known.has(id)) {
      const notLoaded = catalog.failures.length ? `; plugins not loaded: ${catalog.failures.map((f) => f.name).join(', ')}` : '';
      throw new SelectionError(`unknown check "${id}"; checks: ${[...known].join(', ')}${notLoaded}`);
    }
  }
  return catalog.all.filter(({ check: { id } }) =>
    (sel.checks ? sel.checks.includes(id) : !catalog.disabled.has(id)) && !sel.skip?.includes(id));
}

