// Shared pieces of every renderer: status marks, argv shown for copy and paste, evidence as text.
import type { CheckStatus, ErrnoExplanation, HopState, PacketsObservation, RouteHop, RouteReport, Target } from '../engine/types.js';
import { describePacketGroup } from '../tools/frame-diff.js';
import { netnsPath } from '../tools/netns.js';

export const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '○', error: '✗' };

/** Quotes an argv for display only (to copy into a shell); xdp-doctor itself never runs a shell. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function evidenceText(data: unknown): string {
  if (typeof data === 'string') return data;
  return JSON.stringify(data, null, 1).replace(/\n\s*/g, ' ');
}

export function describeTarget(t: Target): string {
  const where = t.netns ? ` in ${t.netns.kind === 'name' ? t.netns.name : netnsPath(t.netns)}` : '';
  const head = t.kind === 'lab' ? `lab ${t.labName}: ${t.iface}${where}` : `${t.iface}${where}`;
  // No window at all (xdp-doctor attach observes no traffic): nothing to say about one.
  const probe = t.probe ? `probe: ${shellQuote(t.probe.argv)}` : t.windowMs ? `passive window ${t.windowMs} ms` : '';
  return `${head}${t.progId ? ` prog ${t.progId}` : ''}${probe ? ` (${probe})` : ''}`;
}

export function statusWord(s: CheckStatus): string {
  return { pass: 'passed', warn: 'warning', fail: 'failed', skip: 'skipped', error: 'error' }[s];
}

export function counts(statuses: CheckStatus[]): string {
  const order: CheckStatus[] = ['fail', 'error', 'warn', 'pass', 'skip'];
  const words: Record<CheckStatus, string> = { fail: 'failed', error: 'errored', warn: 'warning(s)', pass: 'passed', skip: 'skipped' };
  return order.map((s) => [s, statuses.filter((x) => x === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${words[s]}`).join(', ');
}

/** What each hop of the route saw, as one mark (text, Markdown and the wizard's picture share them). */
export const HOP_MARK: Record<HopState, string> = { seen: '✓', xdp: '◆', lost: '✗', unseen: '·', unknown: '?' };
export const HOP_LEGEND = '✓ seen · ◆ reached the XDP program · ✗ lost · · not reached · ? not captured';

function hopCounts(h: RouteHop): string {
  if (h.error) return `not captured: ${h.error}`;
  if (h.state === 'unknown') return 'no data';
  return `${h.requests} request(s)${h.encapsulated ? ` (${h.encapsulated} encapsulated)` : ''}, ${h.replies} reply(ies)`;
}

/** The route, one line per hop under its verdict. */
export function routeLines(route: RouteReport): string[] {
  const width = Math.min(32, Math.max(...route.hops.map((h) => h.label.length)));
  return [
    `Route: ${route.verdict}`,
    ...route.hops.map((h) => `  ${HOP_MARK[h.state]} ${h.label.padEnd(width)}  ${hopCounts(h)}${h.state === 'lost' ? '  ← lost here' : ''}`),
    ...(route.missing ? [] : [`  (${HOP_LEGEND})`]),
  ];
}

/** "ENXIO (errno 6, the kernel reports -6): No such device or address". */
export function errnoHead(e: ErrnoExplanation): string {
  return `${e.name} (errno ${e.value}, the kernel reports -${e.value})${e.message ? `: ${e.message}` : ''}`;
}

/** Where it was seen: "in xdp:xdp_bulk_tx on veth (l0)"; undefined when the kb gives no XDP context. */
export function errnoContext(e: ErrnoExplanation): string | undefined {
  if (!e.tracepoint) return undefined;
  return `in xdp:${e.tracepoint}${e.driver ? ` on ${e.driver}` : ''}${e.iface ? ` (${e.iface})` : ''}${e.observed ? '' : ' (known for this cause; not seen in this run)'}`;
}

/** One errno explained: the head, then its context, meaning, kernel source and fix, indented. */
export function errnoLines(e: ErrnoExplanation, indent = '  '): string[] {
  const ctx = errnoContext(e);
  return [
    errnoHead(e),
    ...(ctx ? [`${indent}${ctx}`] : []),
    ...(e.meaning ? [`${indent}meaning: ${e.meaning}`] : []),
    ...(e.source ? [`${indent}kernel:  ${e.source}`] : []),
    ...(e.fix ? [`${indent}fix:     ${e.fix}`] : []),
  ];
}

/** A limitation's one-line form is at most this many characters (the full text stays in the report). */
const LIMITATION_MAX = 100;

interface Limitation {
  /** One line: the limitation's first sentence, shortened at a clause boundary when it is still long. */
  summary: string;
  /** The limitation as the rung wrote it, with its indented detail lines. */
  full: string[];
  /** The summary leaves something out (-v and the wizard's `d` show it). */
  cut: boolean;
}

/**
 * A rung's `degraded` text as limitations, flutter doctor style: each unindented line is one limitation, the
 * indented lines under it are its detail. Renderers show `summary` and keep `full` for -v and `d`.
 */
export function limitations(degraded: string | undefined): Limitation[] {
  const out: Limitation[] = [];
  for (const line of (degraded ?? '').split('\n')) {
    if (!line.trim()) continue;
    const last = out.at(-1);
    if (/^\s/.test(line) && last) {
      last.full.push(line);
      last.cut = true;
      continue;
    }
    const text = line.trim();
    const summary = limitationSummary(text);
    out.push({ summary, full: [text], cut: summary !== text.replace(/[.:]$/, '') });
  }
  return out;
}

/**
 * The first sentence; past LIMITATION_MAX, without a closing parenthetical, else cut at the last clause boundary
 * ("; ", " — ", ": ", ", ") that fits, else at a word with an ellipsis.
 */
export function limitationSummary(text: string, max = LIMITATION_MAX): string {
  const cuts = topLevelCuts(text);
  const sentenceEnd = cuts.find((c) => c.mark === '. ');
  let s = sentenceEnd ? text.slice(0, sentenceEnd.at) : text.replace(/[.:]$/, '');
  if (s.length <= max) return s;
  // A closing parenthesis is a hint or an aside ("(mount -t tracefs …)"): drop it before cutting clauses.
  const aside = / \([^()]*\)$/.exec(s);
  if (aside && aside.index <= max && aside.index >= 20) return s.slice(0, aside.index);
  for (const mark of ['; ', ' — ', ': ', ', ']) {
    const fit = cuts.filter((c) => c.mark === mark && c.at <= max && c.at >= 20).at(-1);
    if (fit) return text.slice(0, fit.at);
  }
  s = s.slice(0, max - 1);
  const space = s.lastIndexOf(' ');
  return `${space > max / 2 ? s.slice(0, space) : s}…`;
}

/** Positions of clause marks outside brackets and quotes; '. ' only where a capital letter follows. */
function topLevelCuts(text: string): { at: number; mark: string }[] {
  const cuts: { at: number; mark: string }[] = [];
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '(' || ch === '[')) depth++;
    else if (!quoted && (ch === ')' || ch === ']')) depth = Math.max(0, depth - 1);
    if (depth || quoted) continue;
    for (const mark of ['. ', '; ', ' — ', ': ', ', ']) {
      if (!text.startsWith(mark, i)) continue;
      if (mark === '. ' && !/[A-Z]/.test(text[i + 2] ?? '')) continue;
      cuts.push({ at: i, mark });
    }
  }
  return cuts;
}

/** The report's before and after: one line per group of packets the program handled, with what it changed. */
export function packetLines(p: PacketsObservation): string[] {
  const how = p.source === 'replay' ? 'replayed through BPF_PROG_TEST_RUN' : 'xdpdump entry/exit';
  return [`What the program did to the packets (${how}):`, ...p.groups.slice(0, 8).map((g) => `  ${describePacketGroup(g)}`),
    ...(p.groups.length > 8 ? [`  ... ${p.groups.length - 8} more group(s)`] : [])];
}
