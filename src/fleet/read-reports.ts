// The reports `xdp-doctor merge` is given: files, and directories whose *.json files are read (a merged fleet
// report found there, the fleet.json a previous merge left, is skipped rather than reported unreadable). Each
// host is labelled by its file name without .json, or by the hostname in the report (--label hostname).
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ReportInput } from '../engine/fleet-merge.js';

export type LabelBy = 'file' | 'hostname';

/** Reports are a few hundred KB; a file far larger is not one, and is not read whole into memory. */
const MAX_BYTES = 64 * 1024 * 1024;

export async function readReports(paths: readonly string[], labelBy: LabelBy = 'file'): Promise<ReportInput[]> {
  const files: string[] = [];
  const out: ReportInput[] = [];
  for (const p of paths) {
    const s = await stat(p).catch((e: NodeJS.ErrnoException) => e);
    if (s instanceof Error) { out.push({ file: p, label: labelOfFile(p), error: s.code ?? s.message }); continue; }
    if (!s.isDirectory()) { files.push(p); continue; }
    const names = (await readdir(p)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
    for (const n of names) files.push(join(p, n));
  }
  for (const file of files) {
    const input = await readOne(file);
    // Named on the command line, a fleet report reaches merge, which says what it is.
    if ('json' in input && isFleetReport(input.json) && !paths.includes(file)) continue;
    out.push(input);
  }
  return unique(labelBy === 'hostname' ? out.map(byHostname) : out);
}

async function readOne(file: string): Promise<ReportInput> {
  const label = labelOfFile(file);
  try {
    const s = await stat(file);
    if (s.size > MAX_BYTES) return { file, label, error: `${s.size} bytes: larger than any report` };
    const text = await readFile(file, 'utf8');
    try {
      return { file, label, json: JSON.parse(text) };
    } catch (e) {
      return { file, label, error: `not JSON (${(e as Error).message.split('\n')[0]})` };
    }
  } catch (e) {
    return { file, label, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
}

function labelOfFile(file: string): string {
  return basename(file).replace(/\.json$/i, '');
}

function isFleetReport(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'fleetSchemaVersion' in json;
}

/** --label hostname: the report's host.hostname; a report without one keeps its file's name. */
function byHostname(input: ReportInput): ReportInput {
  if (!('json' in input)) return input;
  const host = (input.json as { host?: { hostname?: unknown } } | null)?.host;
  return typeof host?.hostname === 'string' && host.hostname ? { ...input, label: host.hostname } : input;
}

/** Two reports with one label (the same hostname, a.json in two directories) stay two hosts: "a", "a#2". */
function unique(inputs: ReportInput[]): ReportInput[] {
  const seen = new Map<string, number>();
  return inputs.map((i) => {
    const n = (seen.get(i.label) ?? 0) + 1;
    seen.set(i.label, n);
    return n === 1 ? i : { ...i, label: `${i.label}#${n}` };
  });
}
