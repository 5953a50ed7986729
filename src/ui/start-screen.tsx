// The start screen: the built-in labs and every XDP program on the host and in its namespaces, one per row.
// Only a window of rows around the selection is drawn, so a host with many programs still fits 80x24.
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { Choice } from '../target/choices.js';
import type { StartState } from './state.js';
import { useSize, useTheme } from './theme.js';

function labRow(c: Extract<Choice, { kind: 'lab' }>): string {
  const l = c.lab;
  const state = l.phase === 'up' ? 'up' : l.phase === 'building' ? 'being built (or crashed)' : 'partly built';
  const faults = l.faults.length ? ` · fault: ${l.faults.join(', ')}` : '';
  return `the built-in lab "${l.name}" — ${state}${faults}${l.programs ? ` · ${l.programs} XDP program(s)` : ''}`;
}

function choiceRows(choices: Choice[]): string[] {
  const progs = choices.filter((c): c is Extract<Choice, { kind: 'iface' }> => c.kind === 'iface').map((c) => c.attachment);
  const wIf = Math.max(5, ...progs.map((a) => a.iface.length));
  const wNs = Math.max(6, ...progs.map((a) => (a.netnsLabel ?? a.netns ?? '(host)').length));
  const wProg = Math.max(4, ...progs.map((a) => `${a.progName ?? '?'} #${a.progId}`.length));
  return choices.map((c) => {
    if (c.kind === 'lab') return labRow(c);
    const a = c.attachment;
    return `${a.iface.padEnd(wIf)}  ${(a.netnsLabel ?? a.netns ?? '(host)').padEnd(wNs)}  ${`${a.progName ?? '?'} #${a.progId}`.padEnd(wProg)}  ${a.mode}`;
  });
}

export function StartScreen({ start }: { start: StartState }) {
  const theme = useTheme();
  const { rows } = useSize();
  const lines = choiceRows(start.choices);
  const room = Math.max(3, rows - 12);
  const first = Math.max(0, Math.min(start.selected - Math.floor(room / 2), lines.length - room));
  const shown = lines.slice(first, first + room);
  const labCount = start.choices.filter((c) => c.kind === 'lab').length;
  return (
    <Box flexDirection="column">
      <Text bold>xdp-doctor — which XDP program should we examine?</Text>
      <Text color={theme.color('muted')} wrap="truncate-end">
        {start.loading ? 'Looking on this host and in every network namespace…' : `The built-in labs, then every XDP program on this host and in its ${start.namespaces} network namespace(s).`}
      </Text>
      {start.loading ? (
        <Text>
          <Text color={theme.color('accent')}><Spinner type="dots" /></Text> looking for XDP programs (ip -j -d link in every namespace)…
        </Text>
      ) : (
        <Box flexDirection="column" marginTop={1}>
          {shown.map((line, i) => {
            const idx = first + i;
            const selected = idx === start.selected;
            const isLab = start.choices[idx]?.kind === 'lab';
            const header = !isLab && (idx === labCount) ? (
              <Text key={`h${idx}`} color={theme.color('muted')}>  iface / namespace / program / mode</Text>
            ) : null;
            return (
              <Box key={idx} flexDirection="column">
                {header}
                <Text wrap="truncate-end" bold={selected} color={selected ? theme.color('accent') : undefined}>
                  {selected ? '› ' : '  '}{line}
                </Text>
              </Box>
            );
          })}
          {lines.length > room && (
            <Text color={theme.color('muted')}>  ({start.selected + 1} of {lines.length}; ↑↓ to see more)</Text>
          )}
          {!lines.length && (
            <Text>
              No XDP program is attached anywhere and no lab is running. Start one with{' '}
              <Text bold>xdp-doctor lab up --fault veth-peer</Text>, then run xdp-doctor again.
            </Text>
          )}
        </Box>
      )}
      {start.problems.length > 0 && (
        <Text color={theme.color('warn')} wrap="truncate-end">
          ! could not look in {start.problems.length} place(s): {start.problems.slice(0, 2).join('; ')}
        </Text>
      )}
      {start.error && <Text color={theme.color('bad')}>✗ {start.error}</Text>}
    </Box>
  );
}
