// One fleet report from many hosts' reports: per host its exit code and top cause, per cause its hosts, and what
// the failing hosts share that the healthy ones do not (program tag, kernel, driver, firmware, map entries) —
// the comparison an operator would make by hand. Pure: the reports come in already read (src/fleet/read-reports.ts).
import type { HostIdentity } from './types.js';

const FLEET_SCHEMA_VERSION = 1;
/** Report schema versions merge reads: 1 had no route and errnos, 2 added them (and, later, `host`). */
const READABLE_SCHEMAS = [1, 2] as const;

/** One report as read from disk: its parsed JSON, or why it could not be read. */
export type ReportInput =
  | { file: string; label: string; json: unknown }
  | { file: string; label: string; error: string };

export interface FleetHost {
  host: string;
  file: string;
  exitCode: number;
  /** The best-ranked cause of its diagnosis; null when the diagnosis is empty. */
  topCause: string | null;
  topTitle?: string;
  /** Every cause of its diagnosis, best first. */
  causes: string[];
  /** healthy: exit 0, no cause; failing: a cause; inconclusive: no cause but exit ≠ 0 (a rung errored, interrupted). */
  state: 'healthy' | 'failing' | 'inconclusive';
  schemaVersion: number;
  /** The report's host identity; absent in reports written before schema 2 carried it. */
  identity?: HostIdentity;
}

interface FleetCause { cause: string; title?: string; hosts: string[]; topIn: string[]; shared: SharedValue[] }
/** A value every host of a group has and no healthy host has. */
interface SharedValue { attribute: string; value: string }
/** An attribute whose value is not the same on every host: each host's value (null: unknown there). */
interface Difference { attribute: string; values: Record<string, string | null> }

export interface FleetReport {
  fleetSchemaVersion: typeof FLEET_SCHEMA_VERSION;
  hosts: FleetHost[];
  causes: FleetCause[];
  healthy: string[];
  failing: string[];
  inconclusive: string[];
  /** What all failing hosts share and no healthy host has; empty when there is no healthy host to compare with. */
  shared: SharedValue[];
  differences: Difference[];
  unreadable: { file: string; host: string; reason: string }[];
  /** 2 when a report was unreadable (the rest still merged), else 1 when a host has a cause or was inconclusive, else 0. */
  exitCode: 0 | 1 | 2;
}

export function mergeReports(inputs: readonly ReportInput[]): FleetReport {
  const hosts: FleetHost[] = [];
  const attrsOf = new Map<string, Record<string, string | null>>();
  const titles = new Map<string, string>();
  const unreadable: FleetReport['unreadable'] = [];
  for (const input of inputs) {
    if ('error' in input) { unreadable.push({ file: input.file, host: input.label, reason: input.error }); continue; }
    const read = readHost(input);
    if (typeof read === 'string') { unreadable.push({ file: input.file, host: input.label, reason: read }); continue; }
    hosts.push(read.host);
    attrsOf.set(read.host.host, read.attributes);
    for (const [cause, title] of read.titles) if (!titles.has(cause)) titles.set(cause, title);
  }
  const attrs = new Map<string, Map<string, string | null>>();
  for (const h of hosts) {
    for (const [attribute, value] of Object.entries(attrsOf.get(h.host)!)) {
      if (!attrs.has(attribute)) attrs.set(attribute, new Map());
      attrs.get(attribute)!.set(h.host, value);
    }
  }
  const names = (s: FleetHost['state']) => hosts.filter((h) => h.state === s).map((h) => h.host);
  const healthy = names('healthy');
  const failing = names('failing');
  const causes = causesOf(hosts).map((c) => ({ ...c, ...(titles.has(c.cause) ? { title: titles.get(c.cause) } : {}), shared: sharedBy(c.hosts, healthy, attrs) }));
  return {
    fleetSchemaVersion: FLEET_SCHEMA_VERSION,
    hosts, causes, healthy, failing, inconclusive: names('inconclusive'),
    shared: sharedBy(failing, healthy, attrs),
    differences: differencesOf(hosts.map((h) => h.host), attrs),
    unreadable,
    exitCode: unreadable.length ? 2 : failing.length || names('inconclusive').length ? 1 : 0,
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A host from one report, or why the report is not one xdp-doctor wrote in a schema this version reads. */
interface ReadHost { host: FleetHost; attributes: Record<string, string | null>; titles: Map<string, string> }

function readHost(input: { file: string; label: string; json: unknown }): ReadHost | string {
  const r = input.json;
  if (!isObj(r)) return 'not a JSON object';
  if (r.fleetSchemaVersion !== undefined) return 'a merged fleet report, not one host\'s report';
  if (typeof r.schemaVersion !== 'number') return 'no schemaVersion: not an xdp-doctor report';
  if (!(READABLE_SCHEMAS as readonly number[]).includes(r.schemaVersion)) {
    return `schemaVersion ${r.schemaVersion}: this xdp-doctor reads ${READABLE_SCHEMAS.join(' and ')}`;
  }
  if (typeof r.exitCode !== 'number') return 'no exitCode';
  if (!Array.isArray(r.diagnosis) || !r.diagnosis.every((d) => isObj(d) && typeof d.cause === 'string')) {
    return 'diagnosis is not a list of causes';
  }
  const diagnosis = r.diagnosis as { cause: string; title?: unknown }[];
  const top = diagnosis[0];
  const identity = identityOf(r);
  const state: FleetHost['state'] = diagnosis.length ? 'failing' : r.exitCode === 0 ? 'healthy' : 'inconclusive';
  return {
    host: {
      host: input.label, file: input.file, exitCode: r.exitCode,
      topCause: top?.cause ?? null, ...(typeof top?.title === 'string' ? { topTitle: top.title } : {}),
      causes: diagnosis.map((d) => d.cause), state, schemaVersion: r.schemaVersion,
      ...(identity ? { identity } : {}),
    },
    attributes: attributesOf(identity, r, mapEntriesOf(r.checks)),
    titles: new Map(diagnosis.filter((d) => typeof d.title === 'string').map((d) => [d.cause, d.title as string])),
  };
}

function identityOf(r: Obj): HostIdentity | undefined {
  if (isObj(r.host) && typeof r.host.hostname === 'string') return r.host as unknown as HostIdentity;
  return undefined;
}

/**
 * Values compared across hosts. Ids (program id, boot id, machine id) are per host by nature and left out. A report
 * written before `host` existed still says its kernel (environment) and its xdp-doctor (tool).
 */
function attributesOf(id: HostIdentity | undefined, r: Obj, maps: Map<string, string>): Record<string, string | null> {
  const env = isObj(r.environment) && typeof r.environment.kernel === 'string' ? r.environment.kernel : null;
  const tool = isObj(r.tool) && typeof r.tool.version === 'string' ? r.tool.version : null;
  const out: Record<string, string | null> = {
    'program tag': id?.program?.tag ?? null,
    'program name': id?.program?.name ?? null,
    kernel: id?.kernel ?? env,
    driver: id?.nic?.driver ? `${id.nic.driver}${id.nic.driverVersion ? ` ${id.nic.driverVersion}` : ''}` : null,
    firmware: id?.nic?.firmware ?? null,
    'xdp-doctor': id?.xdpDoctor ?? tool,
  };
  for (const [entry, value] of maps) out[`map ${entry}`] = value;
  return out;
}

/**
 * The map dump rung's entries, one per line, keyed by map name and the entry's key ("xdp_params_arra [0]"). Map ids
 * differ between hosts, so the key leaves the id out. Reports of older versions or without the rung give none.
 */
function mapEntriesOf(checks: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(checks)) return out;
  const dump = checks.find((c) => isObj(c) && c.id === 'map-dump');
  if (!isObj(dump) || !Array.isArray(dump.evidence)) return out;
  for (const e of dump.evidence) {
    if (!isObj(e) || typeof e.label !== 'string' || typeof e.data !== 'string') continue;
    const name = /^(\S+) \(id \d+/.exec(e.label)?.[1];
    if (!name) continue;
    for (const line of e.data.split('\n')) {
      const m = /^(\[[^\]]*\])\s+(.*)$/.exec(line.trim());
      if (!m) continue;
      // Field by field where the entry reads "name=value name=value": the field that differs is the finding, not
      // the whole entry (a MAC that differs on every host would hide a vip that is 0 only on the failing ones).
      const fields = [...m[2]!.matchAll(/([A-Za-z_]\w*)=(.*?)(?=\s+[A-Za-z_]\w*=|$)/g)];
      if (fields.length && fields.map((f) => f[0]).join(' ') === m[2]) {
        for (const f of fields) out.set(`${name} ${m[1]}.${f[1]}`, f[2]!);
      } else out.set(`${name} ${m[1]}`, m[2]!);
    }
  }
  return out;
}

function causesOf(hosts: FleetHost[]): Omit<FleetCause, 'shared'>[] {
  const byCause = new Map<string, Omit<FleetCause, 'shared'>>();
  for (const h of hosts) {
    h.causes.forEach((cause, i) => {
      const c = byCause.get(cause) ?? { cause, hosts: [], topIn: [] };
      c.hosts.push(h.host);
      if (i === 0) c.topIn.push(h.host);
      byCause.set(cause, c);
    });
  }
  // Most hosts first; the one that is top cause on more hosts breaks a tie.
  return [...byCause.values()].sort((a, b) => b.hosts.length - a.hosts.length || b.topIn.length - a.topIn.length || a.cause.localeCompare(b.cause));
}

function sharedBy(group: string[], healthy: string[], attrs: Map<string, Map<string, string | null>>): SharedValue[] {
  if (!group.length || !healthy.length) return [];
  const out: SharedValue[] = [];
  for (const [attribute, values] of attrs) {
    const first = values.get(group[0]!);
    if (first == null || !group.every((h) => values.get(h) === first)) continue;
    if (healthy.some((h) => values.get(h) === first)) continue;
    out.push({ attribute, value: first });
  }
  return out;
}

function differencesOf(hosts: string[], attrs: Map<string, Map<string, string | null>>): Difference[] {
  const out: Difference[] = [];
  for (const [attribute, values] of attrs) {
    const all = hosts.map((h) => values.get(h) ?? null);
    // Unknown on a host (an older report, a rung that did not run) is not a difference on its own.
    if (new Set(all.filter((v) => v !== null)).size < 2) continue;
    out.push({ attribute, values: Object.fromEntries(hosts.map((h, i) => [h, all[i]!])) });
  }
  return out;
}
