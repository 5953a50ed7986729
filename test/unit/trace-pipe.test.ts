// src/tools/trace-pipe.ts: trace_pipe lines recorded while the lab's xdp_lb ran, its real bpf_printk formats
// (from the .rodata dump), a marker recorded in a private tracing instance, and the recorded /proc/mounts.
import { describe, it, expect } from 'vitest';
import { createTracePipe, formatToRegex, parseTraceLine, splitAtMarker, tracefsRoot } from '../../src/tools/trace-pipe.js';
import { parseMapDump, printkFormats } from '../../src/tools/bpftool.js';
import type { Files } from '../../src/tools/files.js';
import { recording } from './helpers/recordings.js';
import { fakeExec, fakeFiles } from '../../src/plugins/testing.js';

const lbLines = recording('trace-pipe/xdp-lb-lines.txt').split('\n').filter(Boolean);
const formats = printkFormats(parseMapDump(recording('bpftool/map-dump-rodata.json')));

describe('parseTraceLine', () => {
  it('reads task, pid, cpu, timestamp, event and message', () => {
    expect(parseTraceLine(lbLines[0]!)).toEqual({
      task: 'ping', pid: 4247, cpu: 1, ts: 329.298814, event: 'bpf_trace_printk', message: 'xdp_lb: protocol 1 is not TCP, passing',
    });
    expect(parseTraceLine(lbLines[2]!)).toMatchObject({ task: 'nc', pid: 4248, message: 'xdp_lb: encapsulated to a6fde0b via a6fdd0b, XDP_TX' });
  });

  it('reads a line whose task name the kernel no longer knows (<...>)', () => {
    expect(parseTraceLine(lbLines[3]!)).toMatchObject({ task: '<...>', pid: 4274, cpu: 1, ts: 337.31707 });
  });

  it('reads every recorded line, and trace_marker lines as tracing_mark_write', () => {
    expect(lbLines.map((l) => parseTraceLine(l)?.event)).toEqual(Array(6).fill('bpf_trace_printk'));
    const marks = recording('trace-pipe/instance-marker.txt').split('\n').filter(Boolean).map(parseTraceLine);
    expect(marks.map((m) => [m?.task, m?.event, m?.message])).toEqual([
      ['bash', 'tracing_mark_write', 'stale: written before the window opened'],
      ['bash', 'tracing_mark_write', 'xdp-doctor window 16523-1795526500000'],
      ['bash', 'tracing_mark_write', 'written inside the window'],
    ]);
  });

  it('is undefined for what is not a trace line', () => {
    expect(parseTraceLine('')).toBeUndefined();
    for (const l of recording('tcpdump/peer-v1-stderr.txt').split('\n')) expect(parseTraceLine(l)).toBeUndefined();
  });
});

describe('formatToRegex on the program\'s own formats', () => {
  const matching = (message: string) => [...new Set(formats.filter((f) => formatToRegex(f).test(message)))];

  it('each recorded line is attributed to exactly the format that printed it', () => {
    const messages = lbLines.map((l) => parseTraceLine(l)!.message);
    expect(messages.map(matching)).toEqual([
      ['xdp_lb: protocol %d is not TCP, passing'],
      ['xdp_lb: protocol %d is not TCP, passing'],
      ['xdp_lb: encapsulated to %x via %x, XDP_TX'],
      ['xdp_lb: protocol %d is not TCP, passing'],
      ['xdp_lb: protocol %d is not TCP, passing'],
      ['xdp_lb: encapsulated to %x via %x, XDP_TX'],
    ]);
  });

  it('keeps the literal parts literal: parentheses and dots are not regex syntax', () => {
    const params = formatToRegex('xdp_lb: params unset (vip 0), passing');
    expect(params.test('xdp_lb: params unset (vip 0), passing')).toBe(true);
    expect(params.test('xdp_lb: params unset vip 0, passing')).toBe(false);
    expect(formatToRegex('xdp_lb: short frame (%d bytes), dropping').source).toContain('\\(');
  });

  it('lines of other programs and trace_marker text match none of the formats', () => {
    const marks = recording('trace-pipe/instance-marker.txt').split('\n').filter(Boolean).map((l) => parseTraceLine(l)!.message);
    for (const m of marks) expect(matching(m)).toEqual([]);
  });
});

describe('splitAtMarker', () => {
  const lines = recording('trace-pipe/instance-marker.txt').split('\n').filter(Boolean);

  it('lines before the marker are stale, after it the window\'s', () => {
    expect(splitAtMarker(lines, 'xdp-doctor window 16523-1795526500000')).toEqual({ stale: [lines[0]], window: [lines[2]] });
  });

  it('without the marker every line belongs to the window', () => {
    expect(splitAtMarker(lbLines, 'xdp-doctor window 1-2')).toEqual({ stale: [], window: lbLines });
  });
});

describe('tracefsRoot', () => {
  const mounts = recording('preflight/proc-mounts.txt');

  it('prefers /sys/kernel/tracing when tracefs is mounted there', () => {
    expect(tracefsRoot(mounts)).toBe('/sys/kernel/tracing');
  });

  it('falls back to debugfs/tracing, and is undefined when neither is mounted', () => {
    const withoutTracefs = mounts.split('\n').filter((l) => !l.startsWith('tracefs ')).join('\n');
    expect(tracefsRoot(withoutTracefs)).toBe('/sys/kernel/debug/tracing');
    const neither = withoutTracefs.split('\n').filter((l) => !l.startsWith('debugfs ')).join('\n');
    expect(tracefsRoot(neither)).toBeUndefined();
  });
});

describe('createTracePipe', () => {
  it('reads trace_pipe with cat (argv), writes the marker, and is ready when the marker comes back', async () => {
    const exec = fakeExec([{ argv: ['cat', '/sys/kernel/tracing/trace_pipe'] }]);
    const writes: [string, string][] = [];
    const files: Files = { ...fakeFiles(), write: async (p, d) => { writes.push([p, d]); } };
    const seen: string[] = [];
    const s = await createTracePipe(exec, files).open('/sys/kernel/tracing', { onLine: (t) => seen.push(t.task) });
    expect(exec.calls.map((c) => [c.kind, ...c.argv])).toEqual([['spawn', 'cat', '/sys/kernel/tracing/trace_pipe']]);
    expect(writes).toEqual([['/sys/kernel/tracing/trace_marker', s.marker]]);
    expect(s.marker).toMatch(new RegExp(`^xdp-doctor window ${process.pid}-\\d+$`));
    const { readyWhen, onLine } = exec.calls[0]!.opts!;
    expect(readyWhen!(lbLines[0]!, 'stdout')).toBe(false);
    const recordedMarker = recording('trace-pipe/instance-marker.txt').split('\n')[1]!;
    expect(readyWhen!(recordedMarker, 'stdout')).toBe(false); // another run's marker
    expect(readyWhen!(recordedMarker.replace('xdp-doctor window 16523-1795526500000', s.marker), 'stdout')).toBe(true);
    for (const l of lbLines) onLine!(l, 'stdout');
    expect(seen).toEqual(['ping', 'ping', 'nc', '<...>', 'ping', 'nc']);
  });
});
