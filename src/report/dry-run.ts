// --dry-run: the exact argv of every command the ladder would have run, per rung, and the probe.
import type { RunReport } from '../engine/types.js';
import { inNetns } from '../tools/netns.js';
import { shellQuote } from './format.js';

export function dryRunListing(report: RunReport, writes: string[][]): string {
  const out = ['Dry run: these commands would run (none did).', ''];
  for (const c of report.checks) {
    out.push(`${c.id}:`);
    if (!c.commands.length) out.push('  (no commands before real output is needed)');
    for (const argv of c.commands) out.push(`  ${shellQuote(argv)}`);
  }
  if (report.target.probe) out.push('probe:', `  ${shellQuote(inNetns(report.target.probe.argv, report.target.probe.netns))}`);
  if (writes.length) out.push('file writes:', ...writes.map((w) => `  ${w[0]} ${w[1]} ${JSON.stringify(w[2])}`));
  return `${out.join('\n')}\n`;
}
