// The plan of a run: built-in rungs and plugin checks, the config's disable list, --checks and --skip.
import type { LadderArgs } from './cli-args.js';
import type { CheckRecord } from './engine/types.js';
import type { PlannedCheck } from './engine/runner.js';
import type { PluginCause } from './plugins/api.js';
import { TargetError } from './targets.js';
import { BUILTIN_CHECKS } from '../checks/index.js';
import { loadCatalog, selectChecks, SelectionError } from './plugins/plan.js';

export interface Plan {
  /** Built-ins and plugin checks, minus the config's disable list and --skip, narrowed to --checks. */
  checks: PlannedCheck[];
  /** Plugins that could not be loaded, as report rows (status warn, id plugin:NAME). */
  warnings: CheckRecord[];
  /** Diagnosis titles of the plugins' own causes (passed to the conclude step). */
  causes: Map<string, PluginCause>;
}

/** Config and --plugin loaded, checks selected. A bad config or an unknown id is a TargetError (exit 2). */
export async function planChecks(
  args: Pick<LadderArgs, 'checks' | 'skip' | 'config' | 'plugins'>, cwd = process.cwd(),
): Promise<Plan> {
  const catalog = await loadCatalog({ config: args.config, plugins: args.plugins ?? [] }, { cwd, builtins: BUILTIN_CHECKS });
  try {
    return { checks: selectChecks(catalog, args), warnings: catalog.warnings, causes: catalog.causes };
  } catch (e) {
    throw e instanceof SelectionError ? new TargetError(e.message) : e;
  }
}
