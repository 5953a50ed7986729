// `d`: the raw evidence of one rung and the exact commands it ran, in a pager that fits the terminal
// (↑↓ PgUp PgDn scroll; d or Esc closes). Lines are wrapped here so one array entry is one screen line.
import { Box, Text } from 'ink';
import type { CheckRecord } from '../engine/types.js';
import { shellQuote } from '../report/format.js';
import { STATUS_MARK, seconds, useSize, useTheme } from './theme.js';
import { wrapCommand, wrapLines, wrapWords } from './text.js';

function evidenceBody(data: unknown): string {
  if (typeof data === 'string') return data || '(empty)';
  try { return JSON.stringify(data, null, 2) ?? String(data); } catch { return String(data); }
}

export function detailLines(r: CheckRecord, width: number): string[] {
  const out: string[] = [];
  out.push(`Commands run (${r.commands.length}):`);
  if (!r.commands.length) out.push('  (none: this rung read files or facts only)');
  for (const argv of r.commands) out.push(...wrapCommand(argv, width, '  '));
  if (r.degraded) { out.push('Limitations:'); for (const l of r.degraded.split('\n')) out.push(...wrapWords(l, width, '    ', '  ')); }
  out.push(`Evidence (${r.evidence.length}):`);
  if (!r.evidence.length) out.push('  (none)');
  for (const e of r.evidence) {
    out.push(`  ${e.label}${e.command ? `   ← $ ${shellQuote(e.command)}` : ''}`);
    out.push(...wrapLines(evidenceBody(e.data), width, '    '));
  }
  if (r.findings.length) {
    out.push('Findings:');
    for (const f of r.findings) out.push(...wrapWords(`[${f.severity}] ${f.cause}: ${f.message}`, width, '    ', '  '));
  }
  return out;
}

export function detailsPageSize(rows: number): number {
  return Math.max(4, rows - 6);
}

export function Details({ record, scroll }: { record: CheckRecord; scroll: number }) {
  const theme = useTheme();
  const { columns, rows } = useSize();
  const lines = detailLines(record, columns - 2);
  const page = detailsPageSize(rows);
  const top = Math.min(scroll, Math.max(0, lines.length - page));
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>
        Details: {STATUS_MARK[record.status]} {record.title}
        <Text color={theme.color('muted')}>  ({record.id}, {seconds(record.durationMs)}; lines {lines.length ? top + 1 : 0}-{Math.min(lines.length, top + page)} of {lines.length})</Text>
      </Text>
      {lines.slice(top, top + page).map((l, i) => <Text key={i} wrap="truncate-end">{l}</Text>)}
    </Box>
  );
}
