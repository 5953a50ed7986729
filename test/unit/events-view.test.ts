// bpftrace's short list of trace events (tools/events-view.ts): which events a program names, the lines kept from
// this machine's available_events (a recorded excerpt: lines 540–570 and 2280–2305 of the 6.18 file, which hold the
// xdp and skb events), and the collector that exists before its process.
import { describe, expect, it } from 'vitest';
import { deferredCollector, openEventsView, shortEventList, tracepointEvents } from '../../src/tools/events-view.js';
import { XDP_TRACEPOINTS, xdpTraceProgram } from '../../src/tools/bpftrace.js';
import { dropReasonsProgram } from '../../src/tools/drop-reasons.js';
import type { Collector, CollectorResult, Exec } from '../../src/tools/exec.js';
import { realFiles } from '../../src/tools/files.js';
import { recording } from './helpers/recordings.js';

const AVAILABLE = recording('sys/available-events-excerpt-6.18.txt');
const ON_618 = XDP_TRACEPOINTS.filter((s) => s.name !== 'xdp_redirect_map_err');

describe('tracepointEvents', () => {
  it('names each tracepoint of the xdp:* program once, with its category, and not the interval probe', () => {
    expect(tracepointEvents(xdpTraceProgram(ON_618)).sort()).toEqual(ON_618.map((s) => `xdp:${s.name}`).sort());
  });

  it('finds skb:kfree_skb in the drop-reasons program', () => {
    expect(tracepointEvents(dropReasonsProgram(['10.111.0.1']))).toEqual(['skb:kfree_skb']);
  });

  it('nothing for a program without tracepoints', () => {
    expect(tracepointEvents('interval:ms:10 { exit(); }')).toEqual([]);
  });
});

describe('shortEventList (recorded available_events, 6.18)', () => {
  it('keeps the named events in the kernel\'s order, one per line', () => {
    expect(shortEventList(AVAILABLE, ['xdp:xdp_exception', 'skb:kfree_skb', 'xdp:xdp_bulk_tx']))
      .toBe('xdp:xdp_bulk_tx\nxdp:xdp_exception\nskb:kfree_skb\n');
  });

  it('keeps whole names only: xdp:xdp_redirect is not xdp:xdp_redirect_err', () => {
    expect(shortEventList(AVAILABLE, ['xdp:xdp_redirect_err'])).toBe('xdp:xdp_redirect_err\n');
  });

  it('gives up when the kernel lacks one of them, so bpftrace reads the real list and says what is missing', () => {
    expect(shortEventList(AVAILABLE, ['xdp:xdp_bulk_tx', 'xdp:xdp_redirect_map_err'])).toBeUndefined();
  });
});

describe('openEventsView', () => {
  it('spawns nothing for a program without tracepoints', async () => {
    const calls: string[][] = [];
    const exec: Exec = {
      run: async (argv) => { calls.push(argv); throw new Error('unexpected'); },
      spawn: (argv) => { calls.push(argv); throw new Error('unexpected'); },
    };
    expect(await openEventsView(exec, realFiles, 'interval:ms:10 { exit(); }')).toBeUndefined();
    expect(calls).toEqual([]);
  });
});

describe('deferredCollector', () => {
  const result = (argv: string[]): CollectorResult => ({
    argv, exitCode: 0, stdout: 'out', stderr: '', timedOut: false, notFound: false, durationMs: 1, ok: true,
    stdoutLines: ['out'], stderrLines: [], droppedLines: 0,
  });
  const collector = (argv: string[], ready: Promise<void>): Collector => ({
    argv, ready, done: Promise.resolve(result(argv)), stop: async () => result(argv),
  });

  it('shows the plain argv until the process is spawned, then the argv it ran', async () => {
    let spawn!: (c: Collector) => void;
    const d = deferredCollector(new Promise((r) => { spawn = r; }), ['bpftrace', '-e', 'P']);
    expect(d.argv).toEqual(['bpftrace', '-e', 'P']);
    spawn(collector(['nsenter', '--mount=/proc/1/ns/mnt', '--', 'bpftrace', '-e', 'P'], Promise.resolve()));
    await d.ready;
    expect(d.argv[0]).toBe('nsenter');
    expect((await d.stop()).stdout).toBe('out');
  });

  it('a stop before the spawn waits for it and stops that process', async () => {
    let spawn!: (c: Collector) => void;
    const d = deferredCollector(new Promise((r) => { spawn = r; }), ['bpftrace']);
    const stopped = d.stop(100);
    spawn(collector(['bpftrace'], Promise.resolve()));
    expect((await stopped).argv).toEqual(['bpftrace']);
  });

  it('passes on a failed attach, and an unread failure does not crash the process', async () => {
    const failed = Promise.reject(new Error('bpftrace did not attach'));
    failed.catch(() => undefined);
    const d = deferredCollector(Promise.resolve(collector(['bpftrace'], failed)), ['bpftrace']);
    await expect(d.ready).rejects.toThrow('did not attach');
  });
});
