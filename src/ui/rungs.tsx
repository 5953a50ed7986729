// One rung as the operator meets it: the question it answers, a spinner and live evidence while it runs, then
// its mark, summary and findings in plain words. Finished rungs are <Static> rows (printed once, never redrawn).
import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { CheckRecord, FixOutcome } from '../engine/types.js';
import { limitations, shellQuote } from '../report/format.js';
import type { Running, RungPlan, StaticItem } from './state.js';
import { STATUS_MARK, STATUS_TONE, seconds, useSize, useTheme } from './theme.js';
import { wrapWords } from './text.js';

/** Prose pre-wrapped to the terminal (Ink's own wrap starts continuation lines with the breaking space). */
function Prose({ text, color, lead = '', indent = '' }: { text: string; color?: string; lead?: string; indent?: string }) {
  const { columns } = useSize();
  const lines = wrapWords(text, columns - 3, indent, lead);
  return <>{lines.map((l, i) => <Text key={i} color={color}>{l}</Text>)}</>;
}

export function RungRow({ record, question, again }: { record: CheckRecord; question?: string; again?: 'rerun' | 'after fix' }) {
  const theme = useTheme();
  const r = record;
  const tone = theme.color(STATUS_TONE[r.status]);
  const limits = limitations(r.degraded);
  return (
    <Box flexDirection="column" marginTop={again ? 0 : 1}>
      <Text>
        <Text color={tone} bold>{STATUS_MARK[r.status]} </Text>
        <Text bold>{r.title}</Text>
        {r.status === 'error' && <Text color={tone}> [error]</Text>}
        {r.source !== 'built-in' && <Text color={theme.color('muted')}> [{r.source}]</Text>}
        <Text color={theme.color('muted')}>  {again ? `(${again}) ` : ''}{seconds(r.durationMs)}</Text>
      </Text>
      <Box flexDirection="column" marginLeft={2}>
        {!again && question && <Prose text={question} color={theme.color('muted')} />}
        <Prose text={r.summary} />
        {limits.map((l, i) => <Text key={`d${i}`} color={theme.color('warn')} wrap="truncate-end">! {l.summary}</Text>)}
        {limits.some((l) => l.cut) && <Text color={theme.color('muted')}>  (d shows the limitations in full)</Text>}
        {r.findings.filter((f) => f.message !== r.summary || f.errno).map((f, i) => (
          <Prose key={`f${i}`} color={theme.color(STATUS_TONE[r.status])} lead="• " indent="  "
            text={`${f.message}${f.errno ? ` (${f.errno.name}, errno ${f.errno.value})` : ''}`} />
        ))}
      </Box>
    </Box>
  );
}

function FixRow({ outcome }: { outcome: FixOutcome }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>Fix for {outcome.cause}: {outcome.title}</Text>
      {outcome.output.map((l, i) => <Text key={i} color={theme.color('muted')}>  {l}</Text>)}
      {outcome.applied && outcome.undo.length > 0 && (
        <Text color={theme.color('muted')}>  logged with its undo (xdp-doctor undo): {outcome.undo.map(shellQuote).join(' ; ')}</Text>
      )}
      {outcome.rerun?.probe && (
        <Text>  {outcome.rerun.probe.ran ? `probe ${outcome.rerun.probe.ok ? 'passed' : 'FAILED'}` : 'no probe'}{outcome.rerun.probe.note ? ` (${outcome.rerun.probe.note})` : ''}</Text>
      )}
      <Text color={theme.color(outcome.worked ? 'good' : 'bad')} bold>
        {outcome.worked ? '✓ the fix worked' : '✗ not fixed'}{outcome.note ? `: ${outcome.note}` : ''}
      </Text>
    </Box>
  );
}

export function StaticRow({ item }: { item: StaticItem }) {
  const theme = useTheme();
  switch (item.kind) {
    case 'header': return <Text bold color={theme.color('accent')}>{item.text}</Text>;
    case 'rung': return <RungRow record={item.record} question={item.question} again={item.again} />;
    case 'fix': return <FixRow outcome={item.outcome} />;
    case 'note': return <Text color={theme.color(item.tone)}>{item.text}</Text>;
  }
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return <>{seconds(Math.max(0, Math.round((now - since) / 100) * 100))}</>;
}

/** The running rung: the only part of the ladder that re-renders. */
export function RunningRung({ running, liveRows }: { running: Running; liveRows: number }) {
  const theme = useTheme();
  const { columns } = useSize();
  const live = running.live.slice(-liveRows);
  const hidden = running.liveTotal - live.length;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text color={theme.color('accent')}><Spinner type="dots" /></Text>
        <Text bold> {running.title}</Text>
        <Text color={theme.color('muted')}>  {running.again ? `(${running.again}) ` : ''}<Elapsed since={running.startedAt} /></Text>
      </Text>
      {running.question && <Text color={theme.color('muted')} wrap="truncate-end">  {running.question}</Text>}
      {running.progress && <Text wrap="truncate-end">  … {running.progress}</Text>}
      {running.probe && <Text wrap="truncate-end">  … {running.probe}</Text>}
      {hidden > 0 && <Text color={theme.color('muted')}>  │ (+{hidden} earlier line(s))</Text>}
      {live.map((l, i) => (
        <Text key={i} wrap="truncate-end" color={theme.color('muted')}>  │ {l.slice(0, columns * 2)}</Text>
      ))}
    </Box>
  );
}

export function NextRung({ next, focus }: { next: RungPlan; focus?: CheckRecord }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text color={theme.color('accent')} bold>▸ next: </Text>
        <Text bold>{next.title}</Text>
      </Text>
      {next.question && <Box flexDirection="column" marginLeft={2}><Prose text={next.question} color={theme.color('muted')} /></Box>}
      {focus && <FocusLine record={focus} />}
    </Box>
  );
}

export function FocusLine({ record }: { record: CheckRecord }) {
  const theme = useTheme();
  return (
    <Text color={theme.color('muted')} wrap="truncate-end">
      r/d act on: <Text color={theme.color(STATUS_TONE[record.status])}>{STATUS_MARK[record.status]}</Text> {record.title}  (↑↓ another rung)
    </Text>
  );
}
