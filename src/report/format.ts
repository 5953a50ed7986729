// Shared pieces of every renderer: status marks, argv shown for copy and paste, evidence as text.
import type { CheckStatus, Fix, Target } from '../engine/types.js';
import { inNetns, netnsPath } from '../tools/netns.js';

export const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '○', error: '✗' };

/** Quotes an argv for display only (to copy into a shell); xdp-doctor itself never runs a shell. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The exact argv a fix runs, with its namespace entered through nsenter. */
export function fixArgv(fix: Fix, argv: string[]): string[] {
  return inNetns(argv, fix.netns);
}

export function evidenceText(data: unknown): string {
  if (typeof data === 'string') return data;
  return JSON.stringify(data, null, 1).replace(/\n\s*/g, ' ');
}

export function describeTarget(t: Target): string {
  const where = t.netns ? ` in ${t.netns.kind === 'name' ? t.netns.name : netnsPath(t.netns)}` : '';
  const head = t.kind === 'lab' ? `lab ${t.labName}: ${t.iface}${where}` : `${t.iface}${where}`;
  const probe = t.probe ? `probe: ${shellQuote(t.probe.argv)}` : `passive window ${t.windowMs} ms`;
  return `${head}${t.progId ? ` prog ${t.progId}` : ''} (${probe})`;
}

export function statusWord(s: CheckStatus): string {
  return { pass: 'passed', warn: 'warning', fail: 'failed', skip: 'skipped', error: 'error' }[s];
}

export function counts(statuses: CheckStatus[]): string {
  const order: CheckStatus[] = ['fail', 'error', 'warn', 'pass', 'skip'];
  const words: Record<CheckStatus, string> = { fail: 'failed', error: 'errored', warn: 'warning(s)', pass: 'passed', skip: 'skipped' };
  return order.map((s) => [s, statuses.filter((x) => x === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${words[s]}`).join(', ');
}
