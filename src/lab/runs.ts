// The lab's runs as anyone else sees them (the wizard's start screen lists them beside every other XDP program):
// which namespace names are a lab's and which node, and the records `lab up` leaves in runDir() (state.ts).
// Read through Files, not fs, so tests feed state files as `lab up` writes them.
import { LAB_STATE_FILE, runDir } from '../state-dirs.js';
import type { Files } from '../tools/files.js';
import type { LabState } from './state.js';
import { NODES, nsName, validLabName, type LabNode } from './topology.js';

export interface LabRun {
  name: string;
  /** up: built and healthy apart from its faults; building: `lab up` running or crashed; partial: namespaces only. */
  phase: 'up' | 'building' | 'partial';
  faults: string[];
}

/** What a lab record says about its run; phase stays a string, a newer writer may know more phases. */
type LabRecord = Pick<LabState, 'prefix'> & { phase: string; faults: string[] };

/** The lab and node a namespace name is (PREFIX-client, -gw, -lb, -real); undefined for every other name. */
export function labOfNamespace(name: string): { prefix: string; node: LabNode } | undefined {
  for (const node of NODES) {
    const prefix = name.slice(0, -(node.length + 1));
    if (name === nsName(prefix, node) && validLabName(prefix)) return { prefix, node };
  }
  return undefined;
}

/** Lab prefixes whose namespaces all exist. */
export function labsFromNamespaces(names: string[]): string[] {
  const byPrefix = new Map<string, Set<LabNode>>();
  for (const n of names) {
    const lab = labOfNamespace(n);
    if (!lab) continue;
    const set = byPrefix.get(lab.prefix) ?? new Set();
    set.add(lab.node);
    byPrefix.set(lab.prefix, set);
  }
  return [...byPrefix].filter(([, nodes]) => NODES.every((n) => nodes.has(n))).map(([p]) => p).sort();
}

/** A record's prefix, phase and faults; undefined for anything that is not one (junk, a prefix that is a path). */
export function parseLabRecord(text: string): LabRecord | undefined {
  try {
    const s = JSON.parse(text) as { prefix?: unknown; phase?: unknown; faults?: unknown };
    if (typeof s.prefix !== 'string' || !validLabName(s.prefix)) return undefined;
    return {
      prefix: s.prefix,
      phase: typeof s.phase === 'string' ? s.phase : 'building',
      faults: Array.isArray(s.faults) ? s.faults.filter((f): f is string => typeof f === 'string') : [],
    };
  } catch {
    return undefined;
  }
}

async function readLabRecords(files: Pick<Files, 'list' | 'read'>, dir: string): Promise<LabRecord[]> {
  const out: LabRecord[] = [];
  for (const f of (await files.list(dir)).sort()) {
    if (!LAB_STATE_FILE.test(f)) continue;
    const text = await files.read(`${dir}/${f}`);
    const s = text ? parseLabRecord(text) : undefined;
    if (s) out.push(s);
  }
  return out;
}

/**
 * The labs on this machine, given the names under /run/netns: every record whose lab still has a namespace, and
 * every prefix with all its namespaces but no record (a crash, or another run directory). By name.
 */
export async function labRuns(files: Pick<Files, 'list' | 'read'>, namespaces: string[], dir = runDir()): Promise<LabRun[]> {
  const present = new Set(namespaces);
  const runs = new Map<string, LabRun>();
  for (const s of await readLabRecords(files, dir)) {
    const allNs = NODES.every((n) => present.has(nsName(s.prefix, n)));
    const anyNs = NODES.some((n) => present.has(nsName(s.prefix, n)));
    if (!anyNs) continue; // a stale record of a lab whose namespaces are gone
    runs.set(s.prefix, { name: s.prefix, phase: s.phase === 'up' && allNs ? 'up' : s.phase === 'building' ? 'building' : 'partial', faults: s.faults });
  }
  for (const prefix of labsFromNamespaces(namespaces)) {
    if (!runs.has(prefix)) runs.set(prefix, { name: prefix, phase: 'partial', faults: [] });
  }
  return [...runs.values()].sort((a, b) => a.name.localeCompare(b.name));
}
