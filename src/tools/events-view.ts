// A short list of trace events for bpftrace to read, in a mount namespace of its own.
//
// bpftrace 0.17 reads tracefs's available_events (~2300 lines, ~1.3 ms a read here) every time its semantic
// passes look at a tracepoint probe: ~590 reads for the six xdp:* probes, 0.25 s of its 0.6 s start (strace;
// bind-mounting a file of the xdp lines over it: 0.60 → 0.34 s to attached, same program, same maps). It opens the
// file by a fixed path (/sys/kernel/debug/tracing when that exists, else /sys/kernel/tracing: src/tracefs.cpp), so
// the one way to hand it a short list is a private mount namespace in which that path is a bind mount of a file
// holding only the events the program names. Nothing is mounted on the host: the namespace is held by a `sleep`
// until bpftrace is in it, and ends with bpftrace. Where any step fails (no unshare, no CAP_SYS_ADMIN in a
// container, a dry run) bpftrace runs as before, only slower.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Collector, Exec } from './exec.js';
import type { Files } from './files.js';

const DEBUGFS_TRACING = '/sys/kernel/debug/tracing';
const TRACEFS = '/sys/kernel/tracing';
/** How long the holder may take to be in its own namespace (unshare + exec: a few ms). */
const HOLDER_WAIT_MS = 1000;
/** The holder ends by itself if nothing stops it: bpftrace needs it only until it has entered the namespace. */
const HOLDER_LIFETIME_S = 120;

interface EventsView {
  /** Put before bpftrace's argv: `nsenter --mount=/proc/PID/ns/mnt --`. */
  argvPrefix: string[];
  /** Once bpftrace is in the namespace (attached, or ended): stops the holder and removes the list's file. */
  close(): Promise<void>;
}

/** `tracepoint:CAT:NAME` probes of a bpftrace program, as available_events spells them (`CAT:NAME`). */
export function tracepointEvents(program: string): string[] {
  return [...new Set([...program.matchAll(/\btracepoint:(\w+):(\w+)/g)].map((m) => `${m[1]}:${m[2]}`))];
}

/** The lines of available_events bpftrace needs: the program's events, in the kernel's order. */
export function shortEventList(availableEvents: string, events: readonly string[]): string | undefined {
  const wanted = new Set(events);
  const kept = availableEvents.split('\n').filter((l) => wanted.has(l.trim()));
  // An event the kernel lacks: let bpftrace read the whole list and say so in its own words.
  return kept.length === wanted.size ? `${kept.join('\n')}\n` : undefined;
}

/** The tracefs directory bpftrace 0.17 reads: the debugfs one when it exists. */
async function bpftraceTracingDir(files: Files): Promise<string> {
  return (await files.exists(DEBUGFS_TRACING)) ? DEBUGFS_TRACING : TRACEFS;
}

/** Opens a view for this program's tracepoints; undefined when there is nothing to gain or it cannot be made. */
export async function openEventsView(exec: Exec, files: Files, program: string): Promise<EventsView | undefined> {
  const events = tracepointEvents(program);
  if (!events.length) return undefined;
  const dir = await bpftraceTracingDir(files);
  const target = `${dir}/available_events`;
  const all = await files.read(target);
  const list = all === undefined ? undefined : shortEventList(all, events);
  if (list === undefined) return undefined;
  const ownNs = await files.readlink('/proc/self/ns/mnt');
  if (!ownNs) return undefined;

  const file = join(files.tempDir(), `xdp-doctor-events-${process.pid}-${randomBytes(4).toString('hex')}`);
  await files.write(file, list);
  const holder = exec.spawn(['unshare', '--mount', '--propagation', 'private', '--', 'sleep', String(HOLDER_LIFETIME_S)], {
    timeoutMs: (HOLDER_LIFETIME_S + 5) * 1000,
  });
  const close = async () => {
    await holder.stop(500).catch(() => undefined);
    await rm(file, { force: true });
  };
  const nsPath = holder.pid === undefined ? undefined : `/proc/${holder.pid}/ns/mnt`;
  if (!nsPath || !(await inOtherNamespace(files, nsPath, ownNs, holder))) {
    await close();
    return undefined;
  }
  const bound = await exec.run(['nsenter', `--mount=${nsPath}`, '--', 'mount', '--bind', file, target], { timeoutMs: 5000 });
  if (!bound.ok) {
    await close();
    return undefined;
  }
  return { argvPrefix: ['nsenter', `--mount=${nsPath}`, '--'], close };
}

/** Polls until the holder's mount namespace is not ours (unshare has run); false if it ends or takes too long. */
async function inOtherNamespace(files: Files, nsPath: string, ownNs: string, holder: Collector): Promise<boolean> {
  let ended = false;
  void holder.done.then(() => { ended = true; }, () => { ended = true; });
  const deadline = Date.now() + HOLDER_WAIT_MS;
  while (!ended && Date.now() < deadline) {
    const ns = await files.readlink(nsPath);
    if (ns && ns !== ownNs) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

/**
 * A collector that exists before its process: `start` is awaited on first use. Its argv is the one it ran
 * once started (the view's prefix, or plain), `fallbackArgv` until then.
 */
export function deferredCollector(start: Promise<Collector>, fallbackArgv: string[]): Collector {
  let current: Collector | undefined;
  const started = start.then((c) => (current = c));
  const ready = started.then((c) => c.ready);
  ready.catch(() => undefined); // like exec's collectors: a caller that never awaits ready must not crash
  return {
    get argv() { return current?.argv ?? fallbackArgv; },
    ready,
    done: started.then((c) => c.done),
    stop: (graceMs) => started.then((c) => c.stop(graceMs)),
  };
}
