// The end of the climb: the top cause with its errno explained (the report's `errnos`: what the blog learned by
// reading veth.c), the commands that fix it, and the report's route with where packets were seen and lost.
// Built as pre-wrapped lines with priorities, so it always fits the terminal: Ink clears the whole screen
// (scrollback included) whenever the live region is as tall as the terminal.
import { Box, Text } from 'ink';
import type { RunReport } from '../engine/types.js';
import { fixArgv } from '../engine/fix-argv.js';
import { counts, errnoContext, errnoHead, packetLines } from '../report/format.js';
import { wrapCommand, wrapWords } from './text.js';
import { STOP_MARK, routePicture, type StopState } from './route.js';
import { useTheme, type Tone } from './theme.js';

/** A line of the summary; the route's stops line carries its stops, to be drawn with a colour per stop. */
interface Line { text: string; tone?: Tone; bold?: boolean; stops?: { name: string; state: StopState }[] }
interface Segment { lines: Line[]; priority: number }

const STOP_TONE: Record<StopState, Tone> = { seen: 'good', xdp: 'accent', lost: 'bad', unseen: 'muted', unknown: 'muted' };

interface SummaryProps {
  /** The run as the engine concluded it (the wizard's current report: re-runs and a fix included). */
  report: RunReport;
  columns: number;
  /** Lines this summary may use. */
  maxLines: number;
}

/** The summary as lines in display order; lower priority numbers are kept longest. */
export function summarySegments({ report: p, columns }: Omit<SummaryProps, 'maxLines'>): Segment[] {
  const w = columns - 1;
  const seg = (priority: number, lines: Line[]): Segment => ({ priority, lines });
  const wrap = (text: string, tone?: Tone, indent = '   ', bold?: boolean, max = 99): Line[] => {
    const ls = wrapWords(text, w, indent);
    if (ls.length > max) { ls.length = max; ls[max - 1] = `${ls[max - 1]!.slice(0, w - 1)}…`; }
    return ls.map((t) => ({ text: t, tone, bold }));
  };
  const out: Segment[] = [];
  const top = p.diagnosis[0];
  if (!top) {
    out.push(seg(0, [{ text: 'Diagnosis: nothing wrong found', tone: 'good', bold: true }]));
  } else {
    out.push(seg(0, [
      { text: 'Diagnosis', tone: 'bad', bold: true },
      ...wrapWords(`1. ${top.title}  [${Math.round(top.confidence * 100)}%]`, w, '   ', '').map((text) => ({ text, bold: true })),
    ]));
    const errno = p.errnos[0];
    if (errno) {
      const context = errnoContext(errno);
      out.push(seg(0, wrap(errnoHead(errno), 'warn')));
      if (errno.meaning) out.push(seg(2, wrap(`${context ? `${context}: ` : ''}${errno.meaning}`, undefined, '   ', false, 3)));
      if (errno.source) out.push(seg(4, wrap(`kernel: ${errno.source}`, 'muted', '   ', false, 1)));
    } else if (top.explanation) {
      out.push(seg(2, wrap(top.explanation, undefined, '   ', false, 3)));
    }
    const fix = top.fixes.find((f) => f.commands.length > 0) ?? top.fixes[0];
    if (fix) {
      out.push(seg(1, wrap(`fix: ${fix.title}`, undefined, '   ', false, 2)));
      const cmds = fix.commands.flatMap((c) => wrapCommand(fixArgv(fix, c), w, '     ').map((text): Line => ({ text, tone: 'accent' })));
      out.push(seg(0, cmds.length ? cmds : wrap('(by hand: no command can do this for you)', 'muted', '     ')));
    }
    const others = p.diagnosis.slice(1, 3).map((d, i) => wrap(`${i + 2}. ${d.title}  [${Math.round(d.confidence * 100)}%]`, 'muted', '', false, 1)[0]!);
    if (others.length) out.push(seg(3, others));
  }
  const picture = routePicture(p.route);
  if (picture) {
    out.push(seg(0, [{ text: '' }]));
    // Drawn from its stops with a colour per stop; the text is the same line uncoloured (for measuring and tests).
    const stops = picture.stops.map((s) => ({ name: s.name, state: s.state }));
    out.push(seg(0, [{ text: `Route  ${stops.map((s) => `${s.name} ${STOP_MARK[s.state]}`).join(' → ')}`, stops }]));
    out.push(seg(1, wrap(picture.verdict, undefined, '       ', false, 2)));
    if (!picture.missing) out.push(seg(3, [{ text: '       ✓ seen · ◆ reached the XDP program · ✗ lost · · not reached', tone: 'muted' }]));
  }
  if (p.packets) {
    const [head, ...rows] = packetLines(p.packets);
    out.push(seg(2, [{ text: '' }, { text: head!, bold: true }, ...rows.slice(0, 4).flatMap((r) => wrap(r.trim(), undefined, '   ', false, 1))]));
  }
  // After a fix, the probe that counts is the re-run's (the one the diagnosis was concluded with).
  const last = p.fix?.rerun?.probe ?? p.probe;
  const probe = last ? (last.ran ? `probe ${last.ok ? 'passed' : 'FAILED'}` : `probe: ${last.note ?? 'did not run'}`) : undefined;
  const tail = [probe, counts(p.checks.map((r) => r.status)), p.fix ? `fix ${p.fix.worked ? 'worked' : 'did not work'}` : undefined, `exit ${p.exitCode}`].filter(Boolean).join(' · ');
  out.push(seg(0, [{ text: tail, tone: p.exitCode === 0 ? 'good' : 'bad' }]));
  return out;
}

export function fitSegments(segments: Segment[], maxLines: number): Line[] {
  const keep = segments.map(() => true);
  const total = () => segments.reduce((n, s, i) => n + (keep[i] ? s.lines.length : 0), 0);
  for (let pr = 4; pr > 0 && total() > maxLines; pr--) {
    for (let i = segments.length - 1; i >= 0 && total() > maxLines; i--) if (segments[i]!.priority === pr) keep[i] = false;
  }
  const lines = segments.filter((_, i) => keep[i]).flatMap((s) => s.lines);
  return lines.length > maxLines ? lines.slice(0, Math.max(1, maxLines)) : lines;
}

export function Summary(props: SummaryProps) {
  const theme = useTheme();
  const lines = fitSegments(summarySegments(props), props.maxLines);
  return (
    <Box flexDirection="column" marginTop={1}>
      {lines.map((l, i) => {
        if (l.stops) {
          return (
            <Text key={i} wrap="truncate-end">
              <Text bold>Route  </Text>
              {l.stops.map((s, j) => (
                <Text key={j}>
                  {j > 0 && <Text color={theme.color('muted')}> → </Text>}
                  <Text color={theme.color(STOP_TONE[s.state])} bold={s.state === 'lost'}>{s.name} {STOP_MARK[s.state]}</Text>
                </Text>
              ))}
            </Text>
          );
        }
        return <Text key={i} wrap="truncate-end" color={l.tone ? theme.color(l.tone) : undefined} bold={l.bold}>{l.text || ' '}</Text>;
      })}
    </Box>
  );
}
