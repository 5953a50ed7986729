// The doctor-style text report: one line per rung, details under the ones that did not pass, the ranked
// diagnosis with its fix commands, a summary. -v prints every piece of evidence and each limitation in full.
import type { CheckRecord, DiagnosisEntry, FixOutcome, ProbeOutcome, RunReport } from '../engine/types.js';
import { fixArgv } from '../engine/fix-argv.js';
import { MARK, counts, describeTarget, errnoLines, evidenceText, limitations, packetLines, routeLines, shellQuote } from './format.js';

export function checkLine(r: CheckRecord): string {
  const tag = r.status === 'error' ? ' [error]' : r.source !== 'built-in' ? ` [${r.source}]` : '';
  return `[${MARK[r.status]}] ${r.title}${tag} — ${r.summary}`;
}

export function checkDetails(r: CheckRecord, verbose: boolean): string[] {
  const out: string[] = [];
  const showAll = verbose || r.status === 'fail' || r.status === 'error';
  // A degraded rung: one line per limitation; the rung's full text with -v (the JSON report always has it).
  if (verbose && r.degraded) out.push(...r.degraded.split('\n').map((l) => `    ! ${l}`));
  else out.push(...limitations(r.degraded).map((l) => `    ! ${l.summary}`));
  for (const f of r.findings) out.push(`    • ${f.message}${f.errno ? ` (${f.errno.name}, errno ${f.errno.value})` : ''}`);
  if (showAll) {
    for (const e of r.evidence.filter((x) => verbose || !x.detail)) {
      const text = evidenceText(e.data);
      const lines = text.split('\n');
      out.push(`    ${e.label}: ${lines[0]}`);
      for (const l of lines.slice(1, verbose ? 60 : 12)) out.push(`      ${l}`);
      if (lines.length > (verbose ? 60 : 12)) out.push(`      … ${lines.length - (verbose ? 60 : 12)} more line(s)`);
    }
  }
  if (verbose && r.commands.length) out.push(`    commands: ${r.commands.map(shellQuote).join('\n              ')}`);
  return out;
}

export function probeLine(p?: ProbeOutcome): string | undefined {
  if (!p) return undefined;
  if (!p.ran) return `Probe: ${p.note ?? 'did not run'}`;
  return `Probe: ${p.ok ? 'passed' : 'FAILED'}${p.note ? ` (${p.note})` : ''}`;
}

export function diagnosisLines(d: DiagnosisEntry[], limit = 5): string[] {
  if (!d.length) return ['Diagnosis: nothing wrong found.'];
  const out = ['Diagnosis (most likely first):'];
  d.slice(0, limit).forEach((e, i) => {
    out.push(` ${i + 1}. [${Math.round(e.confidence * 100)}%] ${e.title} (${e.cause})`);
    if (e.errno) out.push(`    errno: ${e.errno.name} (${e.errno.value})`);
    for (const ev of e.evidence.slice(0, 5)) out.push(`    - ${ev.check}${ev.joined ? ' (explains it)' : ''}: ${ev.message}`);
    if (i === 0 && e.explanation) out.push(`    why: ${e.explanation}`);
    for (const fix of e.fixes.slice(0, 3)) {
      out.push(`    fix: ${fix.title}`);
      for (const c of fix.commands) out.push(`      $ ${shellQuote(fixArgv(fix, c))}`);
    }
  });
  return out;
}

export function renderText(report: RunReport, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [`${report.tool.name} ${report.tool.version} — ${describeTarget(report.target)}`, ''];
  for (const r of report.checks) {
    lines.push(checkLine(r));
    lines.push(...checkDetails(r, Boolean(opts.verbose)));
  }
  if (!opts.verbose && report.checks.some((r) => limitations(r.degraded).some((l) => l.cut))) {
    lines.push('    (limitations shortened; -v shows them in full)');
  }
  if (report.route) lines.push('', ...routeLines(report.route));
  if (report.packets) lines.push('', ...packetLines(report.packets));
  const probe = probeLine(report.probe);
  if (probe) lines.push('', probe);
  lines.push('', ...(report.exitCode === 130 ? ['Diagnosis: none — the run was interrupted before the rungs finished.'] : diagnosisLines(report.diagnosis)));
  if (report.errnos?.length) lines.push('', 'Errno explained (kernel source):', ...report.errnos.flatMap((e) => errnoLines(e, '    ').map((l, i) => (i ? l : `  ${l}`))));
  if (report.notes?.length) lines.push('', ...noteLines(report.notes));
  if (report.fix) lines.push('', ...fixLines(report.fix));
  const fixed = report.fix ? (report.fix.worked ? ' before the fix; fixed' : ' before the fix; still failing') : '';
  lines.push('', `Summary: ${counts(report.checks.map((c) => c.status))}${fixed} in ${(report.durationMs / 1000).toFixed(1)} s. Exit ${report.exitCode}.`);
  return `${lines.join('\n')}\n`;
}

/** Risks read from configuration that this run did not see happen: not causes, no fixes offered. */
export function noteLines(notes: NonNullable<RunReport['notes']>): string[] {
  return ['Notes (possible, not observed in this run):', ...notes.map((n) => `  - ${n.check}: ${n.message}`)];
}

export function fixLines(f: FixOutcome): string[] {
  const out = [`Fix (--fix) for ${f.cause}: ${f.title}`];
  out.push(...f.output.map((l) => `  ${l}`));
  if (f.applied) {
    out.push(`  undo with: xdp-doctor undo   (runs: ${f.undo.map(shellQuote).join(' ; ') || 'nothing recorded'})`);
    if (f.rerun) {
      for (const c of f.rerun.checks) out.push(`  ${checkLine(c)}`);
      const p = probeLine(f.rerun.probe);
      if (p) out.push(`  ${p}`);
    }
  }
  out.push(`  ${f.worked ? '✓ the fix worked' : '✗ not fixed'}${f.note ? `: ${f.note}` : ''}`);
  return out;
}
