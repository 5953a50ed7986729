// The wizard's report: the run as it stands now (re-runs and a fix included), and the files `m`/`j` and
// --report write it to.
import type { DiagnosisEntry, RunReport, Target } from '../engine/types.js';
import { concludeErrnos } from '../engine/errnos.js';
import { concludeRoute } from '../engine/route.js';
import { packetsOf } from '../engine/ladder.js';
import { renderMarkdown } from '../report/markdown.js';
import type { WizardState } from './state.js';

/** The report with the current rungs: the route and the errnos concluded again by the engine from them. */
export function currentReport(s: WizardState, diagnosis: DiagnosisEntry[], exitCode: number): RunReport | undefined {
  if (!s.report) return undefined;
  const route = concludeRoute(s.report.target, s.records);
  // The route and the packets of the rungs as they stand replace the first climb's.
  const { route: _before, packets: _packets, ...rest } = s.report;
  return {
    ...rest, checks: s.records, diagnosis, ...(route ? { route } : {}), ...packetsOf(s.records), errnos: concludeErrnos(diagnosis, s.records),
    ...(s.fix ? { fix: s.fix } : {}), exitCode,
  };
}

/** One name per run, in the current directory: xdp-doctor-<target>-<UTC time>. */
export function reportBase(target: Target | undefined, now: Date): string {
  const d = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const what = target ? (target.kind === 'lab' ? `lab-${target.labName}` : target.iface) : 'run';
  return `xdp-doctor-${what}-${d}`;
}

export function formatOf(path: string): 'md' | 'json' {
  return path.toLowerCase().endsWith('.json') ? 'json' : 'md';
}

export function reportText(report: RunReport, format: 'md' | 'json'): string {
  return format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report);
}
