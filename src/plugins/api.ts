// The public plugin API (`xdp-doctor/plugin`). Built-in rungs in checks/ are written against it too.
import type { Check } from '../engine/types.js';

export type {
  Check, CheckContext, CheckResult, CheckStatus, Evidence, Finding, Fix, Severity, Target, Hop, ToolName,
  ProbeOutcome, NetnsRef, Facts,
} from '../engine/types.js';
export type { Tools } from '../tools/index.js';

/** The API this build of xdp-doctor speaks. A plugin declares the one it was written for. */
export const API_VERSION = 1;

export interface Plugin {
  name: string;
  version?: string;
  apiVersion: number;
  checks: Check[];
}

export interface Config {
  /** npm names (`foo` → xdp-doctor-plugin-foo, `@scope` → @scope/xdp-doctor-plugin), paths, or plugin objects. */
  plugins?: (string | Plugin)[];
  /** Check ids not to run. */
  disable?: string[];
  /** Options per plugin name, passed to its checks as ctx.options. */
  options?: Record<string, Record<string, unknown>>;
}

/** Identity helpers: they give plugin authors type checking and keep one place to add validation. */
export function defineCheck(check: Check): Check { return check; }
export function definePlugin(plugin: Plugin): Plugin { return plugin; }
export function defineConfig(config: Config): Config { return config; }
