// `xdp-doctor merge REPORT.json|DIR ...`: many hosts' reports → one fleet report (text, --json, --markdown, and
// --report FILE.json|FILE.md to also write it). Exit 1 when a host has a cause, 0 when every host is healthy, 2 when
// a report could not be read (named; the rest are still merged) or on a usage error.
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { IO } from './command-io.js';
import { mergeReports, type FleetReport } from './engine/fleet-merge.js';
import { readReports, type LabelBy } from './fleet/read-reports.js';
import { renderFleetMarkdown, renderFleetText } from './report/fleet.js';
import { makeDirs, OutputPathError } from './output-paths.js';

const MERGE_USAGE = 'usage: xdp-doctor merge REPORT.json|DIR ... [--json | --markdown] [--label file|hostname] [--report FILE.json|FILE.md]...';

export async function mergeCommand(args: string[], io: IO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true, strict: true,
      options: {
        json: { type: 'boolean' }, markdown: { type: 'boolean' }, label: { type: 'string' },
        report: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return usage(io, (e as Error).message.split('\n')[0]!);
  }
  const v = parsed.values;
  if (v.help) { io.stdout.write(`${MERGE_USAGE}\n`); return 0; }
  if (v.json && v.markdown) return usage(io, 'give --json or --markdown, not both');
  const label = v.label ?? 'file';
  if (label !== 'file' && label !== 'hostname') return usage(io, `--label ${JSON.stringify(label)}: give file or hostname`);
  const reports = v.report ?? [];
  const bad = reports.find((r) => !/\.(json|md)$/i.test(r));
  if (bad !== undefined) return usage(io, `--report ${JSON.stringify(bad)}: the file name must end in .json or .md`);
  if (!parsed.positionals.length) return usage(io, 'give at least one report file or directory');

  const inputs = await readReports(parsed.positionals, label as LabelBy);
  if (!inputs.length) {
    io.stderr.write(`xdp-doctor merge: no *.json report in ${parsed.positionals.join(', ')}\n`);
    return 2;
  }
  const fleet = mergeReports(inputs);
  for (const file of reports) {
    const problem = await write(file, fleet);
    if (problem) { io.stderr.write(`xdp-doctor merge: ${problem}\n`); return 2; }
  }
  io.stdout.write(v.json ? `${JSON.stringify(fleet, null, 2)}\n` : v.markdown ? renderFleetMarkdown(fleet) : renderFleetText(fleet));
  for (const u of fleet.unreadable) io.stderr.write(`xdp-doctor merge: ${u.file}: ${u.reason}\n`);
  return fleet.exitCode;
}

function usage(io: IO, message: string): number {
  io.stderr.write(`xdp-doctor merge: ${message}; ${MERGE_USAGE}\n`);
  return 2;
}

async function write(file: string, fleet: FleetReport): Promise<string | undefined> {
  try {
    await makeDirs(dirname(resolve(file)));
    await writeFile(file, file.toLowerCase().endsWith('.json') ? `${JSON.stringify(fleet, null, 2)}\n` : renderFleetMarkdown(fleet));
    return undefined;
  } catch (e) {
    const why = e instanceof OutputPathError ? e.message : (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return `the fleet report was not written to ${file}: ${why}`;
  }
}
