// The same run as Markdown, for tickets and chat: rungs as a table, evidence in code blocks.
import type { RunReport } from '../engine/types.js';
import { fixArgv } from '../engine/fix-argv.js';
import { HOP_LEGEND, HOP_MARK, MARK, counts, describeTarget, errnoContext, errnoHead, evidenceText, packetLines, shellQuote, statusWord } from './format.js';

export function renderMarkdown(report: RunReport): string {
  const out: string[] = [
    `# xdp-doctor report`, '',
    `- target: ${describeTarget(report.target)}`,
    `- kernel: ${report.environment.kernel}, ${report.tool.name} ${report.tool.version}, ${report.startedAt}`,
    `- result: ${counts(report.checks.map((c) => c.status))}; exit ${report.exitCode}`, '',
    '## Diagnosis', '',
  ];
  if (!report.diagnosis.length) out.push('Nothing wrong found.', '');
  report.diagnosis.forEach((d, i) => {
    out.push(`### ${i + 1}. ${d.title}`, '', `cause \`${d.cause}\`, confidence ${Math.round(d.confidence * 100)}%${d.errno ? `, errno ${d.errno.name} (${d.errno.value})` : ''}`, '');
    if (d.explanation) out.push(d.explanation, '');
    for (const e of d.evidence) out.push(`- ${e.joined ? '(explains it) ' : ''}**${e.check}**: ${e.message}`);
    for (const f of d.fixes) out.push('', `Fix: ${f.title}`, '', '```sh', ...f.commands.map((c) => shellQuote(fixArgv(f, c))), '```');
    out.push('');
  });
  if (report.errnos?.length) {
    out.push('## Errno explained', '');
    for (const e of report.errnos) {
      const ctx = errnoContext(e);
      out.push(`**${errnoHead(e)}**`, '');
      if (ctx) out.push(`- ${ctx}`);
      if (e.meaning) out.push(`- meaning: ${e.meaning}`);
      if (e.source) out.push(`- kernel: ${e.source}`);
      if (e.fix) out.push(`- fix: ${e.fix}`);
      out.push('');
    }
  }
  if (report.route) {
    const r = report.route;
    out.push('## Route', '', r.verdict, '');
    if (!r.missing) {
      out.push('| | hop | interface | requests | replies | encapsulated | |', '|---|---|---|---|---|---|---|');
      for (const h of r.hops) {
        const note = h.error ? `not captured: ${h.error}` : h.state === 'lost' ? 'lost here' : h.state === 'xdp' ? 'XDP program (tcpdump cannot see what it consumed)' : '';
        out.push(`| ${HOP_MARK[h.state]} | ${cell(h.label)} | ${cell(h.iface)} | ${h.requests} | ${h.replies} | ${h.encapsulated} | ${cell(note)} |`);
      }
      out.push('', HOP_LEGEND, '');
    }
  }
  if (report.packets) {
    const [head, ...rows] = packetLines(report.packets);
    out.push(`## ${head!.replace(/:$/, '')}`, '', ...rows.map((r) => `- ${r.trim()}`), '');
  }
  if (report.notes?.length) {
    out.push('## Notes (possible, not observed in this run)', '', ...report.notes.map((n) => `- **${n.check}**: ${n.message}`), '');
  }
  out.push('## Rungs', '', '| | rung | status | summary |', '|---|---|---|---|');
  for (const c of report.checks) out.push(`| ${MARK[c.status]} | ${c.title} | ${statusWord(c.status)} | ${c.summary.replace(/\|/g, '\\|')} |`);
  out.push('', '## Evidence', '');
  for (const c of report.checks) {
    out.push(`### ${c.title} (\`${c.id}\`, ${c.durationMs} ms)`, '');
    if (c.degraded) out.push(`> ${c.degraded.replace(/\n/g, '\n> ')}`, '');
    for (const e of c.evidence) out.push(`**${e.label}**`, '', '```', evidenceText(e.data), '```', '');
    if (c.commands.length) out.push('Commands run:', '', '```sh', ...c.commands.map(shellQuote), '```', '');
  }
  return out.join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|');
