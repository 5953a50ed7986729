// One explanation of an errno in its XDP context, shared by `xdp-doctor explain` and the errno-explain rung.
import { lookupErrno, type ErrnoInfo } from './errnos.js';
import { SIGNALS, findSignal, type RedirectKind, type SignalRow } from './signals.js';

interface Explanation {
  errno?: ErrnoInfo;
  /** XDP-specific rows: the best match first when tracepoint/driver are known, else every row of this errno. */
  rows: SignalRow[];
}

export function explainErrno(q: { errno: number | string; tracepoint?: string; driver?: string; mapType?: RedirectKind }): Explanation {
  const errno = lookupErrno(q.errno);
  if (!errno) return { rows: [] };
  if (q.tracepoint) {
    const best = findSignal({ tracepoint: q.tracepoint, errno: errno.value, driver: q.driver, mapType: q.mapType });
    return { errno, rows: best ? [best] : [] };
  }
  return { errno, rows: SIGNALS.filter((r) => r.errno === errno.value && (!q.driver || !r.driver || r.driver === q.driver)) };
}

export function explanationText(e: Explanation, q: { tracepoint?: string; driver?: string } = {}): string {
  if (!e.errno) return 'unknown errno';
  const lines = [`${e.errno.name} (errno ${e.errno.value}, reported as -${e.errno.value}): ${e.errno.message}`];
  if (!e.rows.length) {
    const ctx = [q.tracepoint && `tracepoint ${q.tracepoint}`, q.driver && `driver ${q.driver}`].filter(Boolean).join(', ');
    lines.push(`No XDP-specific knowledge for this errno${ctx ? ` with ${ctx}` : ''}; the libc meaning above is all that is known.`);
  }
  for (const r of e.rows) {
    lines.push('', `In xdp:${r.tracepoint}${r.mapType ? ` (${r.mapType === 'ifindex' ? 'bpf_redirect' : r.mapType})` : ''}${r.driver ? ` on ${r.driver}` : ''}${r.verified ? ' (reproduced on the lab)' : ''}:`,
      `  meaning: ${r.meaning}`, `  source:  ${r.source}`, `  confirm: ${r.confirm}`, `  fix:     ${r.fix}`);
  }
  return `${lines.join('\n')}\n`;
}
