// trace_pipe: where bpf_printk lines land. It is a CONSUMING reader — lines we read are gone for anyone
// else, and another reader steals them from us. A marker written to trace_marker separates stale lines
// buffered before the window from the window's own, and tells us the reader is attached (no sleep).
import type { Collector, Exec } from './exec.js';
import type { Files } from './files.js';
import { mountedAs } from './mounts.js';

export interface TraceLine {
  task: string; pid: number; cpu: number; ts: number;
  /** "bpf_trace_printk", "tracing_mark_write", ... */
  event: string;
  message: string;
}

const LINE = /^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+\.\d+):\s+([\w:]+):\s?(.*)$/;

export function parseTraceLine(line: string): TraceLine | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return { task: m[1]!.trim(), pid: Number(m[2]), cpu: Number(m[3]), ts: Number(m[4]), event: m[5]!, message: m[6]! };
}

/** A printf format ("xdp_lb: daddr %x is not the vip %x") as a regex that matches its printed lines. */
export function formatToRegex(format: string): RegExp {
  const parts = format.split(/%[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z)?(?:p[iI][46]|p[a-zA-Z]*|[diouxXscp%])/);
  const body = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?');
  return new RegExp(`^${body.trim()}`);
}

export function tracefsRoot(mounts: string): string | undefined {
  if (mountedAs(mounts, '/sys/kernel/tracing', 'tracefs')) return '/sys/kernel/tracing';
  if (mountedAs(mounts, '/sys/kernel/debug', 'debugfs')) return '/sys/kernel/debug/tracing';
  return undefined;
}

export interface TracePipeSession {
  collector: Collector;
  marker: string;
}

export function createTracePipe(exec: Exec, files: Files) {
  return {
    /** Starts reading trace_pipe and writes a marker; the collector is ready when the marker comes back. */
    async open(root: string, opts: { maxLines?: number; onLine?(l: TraceLine): void } = {}): Promise<TracePipeSession> {
      const marker = `xdp-doctor window ${process.pid}-${Date.now()}`;
      const collector = exec.spawn(['cat', `${root}/trace_pipe`], {
        maxLines: opts.maxLines ?? 5000,
        timeoutMs: 120_000,
        readyWhen: (line) => line.includes(marker),
        onLine: (line) => { const t = parseTraceLine(line); if (t && opts.onLine) opts.onLine(t); },
      });
      await files.write(`${root}/trace_marker`, marker);
      return { collector, marker };
    },
    /** Processes (other than ours) holding trace_pipe open: they drain the lines we want. */
    async otherReaders(root: string, exclude: number[] = []): Promise<{ pid: number; comm: string }[]> {
      const found: { pid: number; comm: string }[] = [];
      for (const pid of await files.list('/proc')) {
        if (!/^\d+$/.test(pid) || exclude.includes(Number(pid)) || Number(pid) === process.pid) continue;
        for (const fd of await files.list(`/proc/${pid}/fd`)) {
          const target = await files.readlink(`/proc/${pid}/fd/${fd}`);
          if (target && target.endsWith('/trace_pipe') && target.startsWith(root.replace(/\/tracing$/, ''))) {
            found.push({ pid: Number(pid), comm: ((await files.read(`/proc/${pid}/comm`)) ?? '?').trim() });
            break;
          }
        }
      }
      return found;
    },
  };
}

/** Splits what the reader saw at the marker: lines before it were buffered before the window opened. */
export function splitAtMarker(lines: string[], marker: string): { stale: string[]; window: string[] } {
  const i = lines.findIndex((l) => l.includes(marker));
  return i < 0 ? { stale: [], window: lines } : { stale: lines.slice(0, i), window: lines.slice(i + 1) };
}
