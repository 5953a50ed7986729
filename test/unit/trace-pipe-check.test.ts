// checks/trace-pipe.ts through the check tester: the normal path on the lab program's recorded lines (attributed by
// the format strings of its recorded .rodata dump, stale lines before the marker discarded), the program saying its
// parameters are unset, a silent program and why; trace_pipe held by another reader (the kernel answers EBUSY to a
// second reader) is a warning that names the reader, not a crash; --no-trace-pipe reads nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import tracePipe from '../../checks/trace-pipe.js';
import { INVENTORY, PREFLIGHT, type InventoryFacts } from '../../src/plugins/facts.js';
import { runCheck, type Recording } from '../../src/plugins/testing.js';

const preflight = { [PREFLIGHT]: { root: true, tracefs: '/sys/kernel/tracing', bpffs: true, btf: true, fentry: false, tools: {} } };

const rec = (f: string) => readFileSync(join(__dirname, '..', 'recordings', f), 'utf8');
const LB = { kind: 'name' as const, name: 'h3-lb' };
const inventory: InventoryFacts = {
  iface: 'l0', ifindex: 2, netns: LB, mode: 'native', progId: 1637, progName: 'xdp_prog_func', kind: 'veth', mtu: 1500,
  maps: [{ id: 41, name: 'xdp_lb.rodata', type: 'array', keySize: 4, valueSize: 400, maxEntries: 1 }],
} as InventoryFacts;

// The marker the rung writes is "xdp-doctor window PID-MS": the clock is fixed so the recorded marker line can carry it.
const NOW = 1_795_526_500_000;
const markerLine = () => `            bash-20183   [000] ...1.  1110.851044: tracing_mark_write: xdp-doctor window ${process.pid}-${NOW}`;
// Recorded lines of the lab program (xdp_lb, trace-pipe/xdp-lb-lines.txt): 2 × "not TCP" and 1 × "encapsulated" per probe.
const labLines = rec('trace-pipe/xdp-lb-lines.txt').split('\n').filter(Boolean);
const STALE = '            bash-20183   [000] ...1.  1110.851016: tracing_mark_write: stale: written before the window opened';

function setup(lines: string[], extra: Recording[] = []) {
  return {
    facts: { ...preflight, [INVENTORY]: inventory },
    target: { kind: 'lab' as const, iface: 'l0', netns: LB, flow: { ip: '10.111.222.11', port: 50002, proto: 'tcp' as const } },
    exec: [
      { argv: ['bpftool', '-j', 'map', 'dump', 'id', '41'], stdout: rec('bpftool/map-dump-rodata.json') },
      { argv: ['cat', '/sys/kernel/tracing/trace_pipe'], lines },
      // l0's address is not known here (recorded: the device is not in this namespace): only the flow's is.
      { argv: ['ip', '-j', 'addr', 'show', 'dev', 'l0'], exitCode: 1, stderr: rec('ip/link-show-missing-dev-stderr.txt') },
      ...extra,
    ],
  };
}

describe('trace-pipe rung', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['Date'] }); vi.setSystemTime(NOW); });
  afterEach(() => { vi.useRealTimers(); });

  it('normal path: the program\'s own lines after the marker, attributed by its format strings; stale lines discarded', async () => {
    const run = await runCheck(tracePipe, setup([STALE, markerLine(), ...labLines]));
    const { result } = run;
    expect(run.usedWindow).toBe(true);
    expect(run.writes).toEqual([['/sys/kernel/tracing/trace_marker', `xdp-doctor window ${process.pid}-${NOW}`]]);
    expect(result.status).toBe('pass');
    expect(result.summary).toBe(`${labLines.length} line(s) from the program: "xdp_lb: protocol %d is not TCP, passing" ×4`);
    expect(result.findings).toEqual([]);
    const ev = Object.fromEntries(result.evidence.map((e) => [e.label, e.data]));
    expect(ev.lines).toBe(`${labLines.length} from xdp_prog_func, 0 from other programs, 1 stale line(s) from before the window discarded`);
    expect(ev['by message']).toEqual({ 'xdp_lb: protocol %d is not TCP, passing': 4, 'xdp_lb: encapsulated to %x via %x, XDP_TX': 2 });
    expect(String(ev['program says']).split('\n')[0]).toBe('329.298814 xdp_lb: protocol 1 is not TCP, passing');
  });

  it('lines of other programs are counted, not attributed; a failed probe makes the program\'s lines a note joined to the cause', async () => {
    const other = '          <idle>-0       [001] ..s2.   330.000001: bpf_trace_printk: other_prog: hello';
    const run = await runCheck(tracePipe, { ...setup([markerLine(), other, ...labLines]), probe: { ok: false } });
    expect(run.result.status).toBe('pass');
    expect(run.result.evidence.find((e) => e.label === 'lines')!.data).toBe(`${labLines.length} from xdp_prog_func, 1 from other programs, 0 stale line(s) from before the window discarded`);
    expect(run.result.findings).toHaveLength(1);
    expect(run.result.findings[0]).toMatchObject({ cause: 'program-log', risk: true, progId: 1637 });
    expect(run.result.findings[0]!.message).toMatch(/^the program logged during the failed probe: "xdp_lb: protocol 1 is not TCP, passing"; "xdp_lb: encapsulated to a6fde0b/);
    expect(run.result.findings[0]!.message).toMatch(/\(×6\)$/);
  });

  it('the program says its parameters are unset: warn with map-params-unset', async () => {
    const unset = labLines[0]!.replace('protocol 1 is not TCP, passing', 'params unset (vip 0), passing');
    const run = await runCheck(tracePipe, setup([markerLine(), unset]));
    expect(run.result.status).toBe('warn');
    expect(run.result.findings).toEqual([expect.objectContaining({
      cause: 'map-params-unset', progId: 1637, message: 'the program reports its parameters are unset: "xdp_lb: params unset (vip 0), passing"',
    })]);
  });

  it('silence: warn with the likely reasons, the first in the summary', async () => {
    const run = await runCheck(tracePipe, setup([markerLine()], [
      { argv: ['bpftool', 'prog', 'dump', 'xlated', 'id', '1637'], stdout: rec('bpftool/xlated-xdp-pass.txt') },
    ]));
    expect(run.result.status).toBe('warn');
    expect(run.result.summary).toBe('no bpf_printk lines from the program: the program has no bpf_printk calls');
    expect(run.result.evidence.find((e) => e.label === 'why silent')!.data).toBe(
      'the program has no bpf_printk calls\nno packet may have reached the program (see the routing rung)');
  });

  it('trace_pipe busy: warns, names the process holding it, suggests --no-trace-pipe', async () => {
    const run = await runCheck(tracePipe, {
      facts: preflight,
      // What cat printed here when another reader had trace_pipe open.
      exec: [{ argv: ['cat', '/sys/kernel/tracing/trace_pipe'], exitCode: 1, stderrLines: ['cat: /sys/kernel/tracing/trace_pipe: Device or resource busy'] }],
      files: { '/proc/4242/comm': 'bpftrace\n' },
      links: { '/proc/4242/fd/3': '/sys/kernel/tracing/trace_pipe' },
    });
    expect(run.result.status).toBe('warn');
    expect(run.result.summary).toMatch(/trace_pipe is held by bpftrace\(4242\): the kernel allows one reader at a time/);
    expect(JSON.stringify(run.result.evidence)).toMatch(/--no-trace-pipe/);
    expect(run.usedWindow).toBe(false);
  });

  it('--no-trace-pipe: skipped, nothing read', async () => {
    const run = await runCheck(tracePipe, { facts: preflight, options: { noTracePipe: true } });
    expect(run.result.status).toBe('skip');
    expect(run.commands).toEqual([]);
  });
});
