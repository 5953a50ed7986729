// The xdp:* tracepoints the bench's bpftrace programs attach: those of the tracepoints rung's list
// (XDP_TRACEPOINTS, from dist) that this kernel lists in tracefs, as the rung itself chooses them.
import { readdirSync } from 'node:fs';

const EVENTS = '/sys/kernel/tracing/events/xdp';

/** The xdp:* tracepoints this kernel has; [] when tracefs cannot be read (then nothing is claimed to attach). */
export function kernelXdpTracepoints(dir = EVENTS) {
  try { return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort(); } catch { return []; }
}

/** bt: the dist module src/tools/bpftrace.js. */
export function tracepointSpecs(bt, listed = kernelXdpTracepoints()) {
  return bt.XDP_TRACEPOINTS.filter((s) => listed.includes(s.name));
}
