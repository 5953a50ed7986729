// The public plugin API (`xdp-doctor/plugin`, also the package root `xdp-doctor`). Built-in rungs in checks/
// are written against it too. Keep it small: every name exported here is a promise to plugin authors.
import type { Check } from '../engine/types.js';

export type {
  Check, CheckContext, CheckResult, CheckStatus, Evidence, Finding, Fix, Severity, Target, Hop, ToolName,
  ProbeOutcome, ProbeWindow, ProbeSpec, NetnsRef, Facts, RouteObservation, RouteHop, HopState, PacketsObservation, PacketGroup,
  Sighting,
} from '../engine/types.js';
export type { Tools } from '../tools/index.js';
export type { Exec, RunOptions, RunResult, SpawnOptions, Collector, CollectorResult } from '../tools/exec.js';
export type { Files } from '../tools/files.js';
export type { RecordedFinding } from '../engine/types.js';

/** What the built-in rungs publish (keys, shapes, helpers): read with ctx.facts.get(INVENTORY) and so on. */
export * from './facts.js';
/** Pure helpers over the tools' output: parsers, deltas, bpftrace programs, pcap files. */
export * from './toolkit.js';
/** The knowledge base: errnos, signals, causes and their severity, drop reasons, fixes. */
export * as kb from './kb.js';

/**
 * The API this build of xdp-doctor speaks. A plugin declares the one it was written for, as a literal
 * (`apiVersion: 1`): a plugin written for another version is not loaded and the report says why.
 */
export const API_VERSION = 1;

/** Title and explanation of a cause a plugin's findings use, for causes xdp-doctor's knowledge base lacks. */
export interface PluginCause {
  title: string;
  explanation?: string;
}

export interface Plugin {
  /** Shown in reports (`source: name@version`) and the key of its options in the config. */
  name: string;
  /** Defaults to the version in the plugin package's package.json. */
  version?: string;
  /** The API_VERSION the plugin was written for. */
  apiVersion: number;
  checks: Check[];
  /** Diagnosis titles for the causes this plugin's findings name (by cause id). */
  causes?: Record<string, PluginCause>;
}

export interface Config {
  /**
   * npm names (`foo` → xdp-doctor-plugin-foo, `@scope` → @scope/xdp-doctor-plugin, full names as given),
   * paths (./x.mjs, relative to the config file), or plugin objects.
   */
  plugins?: (string | Plugin)[];
  /** Check ids not to run (`--checks` naming one runs it anyway). */
  disable?: string[];
  /** Options per plugin name, passed to that plugin's checks as ctx.options. */
  options?: Record<string, Record<string, unknown>>;
}

/** Identity helpers: they give plugin authors type checking; the loader validates the shape at run time. */
export function defineCheck(check: Check): Check { return check; }
export function definePlugin(plugin: Plugin): Plugin { return plugin; }
export function defineConfig(config: Config): Config { return config; }
