// src/tools/bpftrace.ts: the xdp:* program, its readiness marker and the -f json parser, on output recorded
// from bpftrace v0.17.0 on the lab (veth-peer fault: xdp_bulk_tx err -6; healthy: err 0, sent > 0).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Exec, SpawnOptions } from '../../src/tools/exec.js';
import type { Files } from '../../src/tools/files.js';
import { fakeExec, fakeFiles } from '../../src/plugins/testing.js';
import {
  bpftraceArgv, createBpftrace, isReadyLine, mapsPrinted, missingKernelHeaders, parseBpftraceJson, parseBpftraceStderr, parseProbeList, READY_MARKER,
  XDP_TRACEPOINTS, parseErrorLine, xdpBuckets, xdpTraceProgram,
} from '../../src/tools/bpftrace.js';
import { ToolOutputError } from '../../src/tools/json.js';

const rec = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../recordings/bpftrace/${name}`, import.meta.url)), 'utf8');

describe('xdpTraceProgram', () => {
  it('is the program the recordings were made with (6.18 lacks xdp_redirect_map_err, so the rung leaves it out)', () => {
    expect(xdpTraceProgram(XDP_TRACEPOINTS.filter((s) => s.name !== 'xdp_redirect_map_err'))).toBe(rec('xdp-program.bt').trimEnd());
  });

  it('attaches only the tracepoints it is given, and ends with the readiness probe', () => {
    const p = xdpTraceProgram(XDP_TRACEPOINTS.filter((s) => s.name === 'xdp_exception'));
    expect(p).toContain('tracepoint:xdp:xdp_exception {');
    expect(p).not.toContain('xdp_bulk_tx');
    expect(p.trim().split('\n').slice(-5)[0]).toMatch(/^interval:ms:10 /);
    expect(p).toContain(READY_MARKER);
  });

  it('passes the program as one argv element', () => {
    const argv = bpftraceArgv(xdpTraceProgram(XDP_TRACEPOINTS));
    expect(argv.slice(0, 4)).toEqual(['bpftrace', '-f', 'json', '-e']);
    expect(argv).toHaveLength(5);
  });

  it('has xdp_redirect_map_err (5.10 to 6.12) only as an alias of xdp_redirect_err, with the same keys', () => {
    const alias = XDP_TRACEPOINTS.filter((s) => s.alias);
    expect(alias.map((s) => [s.name, s.alias])).toEqual([['xdp_redirect_map_err', 'xdp_redirect_err']]);
    const original = XDP_TRACEPOINTS.find((s) => s.name === 'xdp_redirect_err')!;
    expect(alias[0]!.extra).toEqual(original.extra);
  });
});

describe('parseBpftraceJson', () => {
  it('reads the veth-peer run: attach, marker, count and sum maps', () => {
    const j = parseBpftraceJson(rec('xdp-veth-peer-enxio.stdout.txt'));
    expect(j.attachedProbes).toBe(7);
    expect(j.printed).toEqual([`${READY_MARKER}\n`]);
    expect(j.maps['@xdp_bulk_tx']).toEqual({ '2,6,3': 3, '2,0,3': 3 });
    expect(j.maps['@xdp_bulk_tx__drops']).toEqual({ '2,0,3': 0, '2,6,3': 3 });
    expect(j.maps['@xdp_doctor_attached']).toEqual({ '': 1 });
    expect(j.lostEvents).toBe(0);
  });

  it('raises ToolOutputError on truncated output (bpftrace killed while printing its maps)', () => {
    const text = rec('xdp-veth-peer-enxio.stdout.txt');
    const cut = text.slice(0, text.indexOf('"2,6,3": 3') + 6);
    expect(() => parseBpftraceJson(cut)).toThrow(ToolOutputError);
  });

  it('raises ToolOutputError on garbage: text, JSON that is not an event, a map without data', () => {
    expect(() => parseBpftraceJson(rec('xdp-veth-peer-enxio.stderr.txt'))).toThrow(ToolOutputError);
    expect(() => parseBpftraceJson('Attaching 7 probes...\n')).toThrow(/not JSON/);
    expect(() => parseBpftraceJson('[1,2]\n')).toThrow(/"type"/);
    expect(() => parseBpftraceJson('{"type": "map"}\n')).toThrow(/without data/);
    expect(() => parseBpftraceJson('{"type": "attached_probes", "data": {}}\n')).toThrow(/probe count/);
  });

  it('reads nothing from nothing (dry run, or a run stopped before printing)', () => {
    expect(parseBpftraceJson('')).toEqual({ maps: {}, printed: [], lostEvents: 0 });
  });

  it('tells maps printed at exit from a run killed before printing (the readiness map is always there)', () => {
    const text = rec('xdp-veth-peer-enxio.stdout.txt');
    expect(mapsPrinted(parseBpftraceJson(text))).toBe(true);
    expect(mapsPrinted(parseBpftraceJson(text.split('\n').slice(0, 2).join('\n')))).toBe(false);
  });
});

describe('missingKernelHeaders', () => {
  it('tells a missing-headers failure (recorded on 5.10 without linux-headers) from other failures', () => {
    expect(missingKernelHeaders(rec('xdp-5.10-no-headers.stderr.txt'))).toBe(true);
    expect(missingKernelHeaders(rec('no-redirect-map-err.stderr.txt'))).toBe(false);
    expect(missingKernelHeaders(rec('xdp-veth-peer-enxio.stderr.txt'))).toBe(false);
  });
});

describe('parseBpftraceStderr', () => {
  it('treats the RLIMIT_MEMLOCK complaint as a harmless warning', () => {
    expect(parseBpftraceStderr(rec('xdp-veth-peer-enxio.stderr.txt'))).toEqual({
      warnings: [expect.stringMatching(/couldn't set RLIMIT_MEMLOCK/)], errors: [],
    });
  });

  it('keeps real errors (a tracepoint this kernel does not have)', () => {
    const { warnings, errors } = parseBpftraceStderr(rec('no-redirect-map-err.stderr.txt'));
    expect(warnings).toHaveLength(1);
    expect(errors[0]).toMatch(/ERROR: tracepoint not found: xdp:xdp_redirect_map_err/);
  });
});

describe('xdpBuckets', () => {
  it('turns the veth-peer maps into buckets with a positive errno and summed fields', () => {
    const b = xdpBuckets(parseBpftraceJson(rec('xdp-veth-peer-enxio.stdout.txt')));
    expect(b).toEqual(expect.arrayContaining([
      { tracepoint: 'xdp_bulk_tx', ifindex: 2, errno: 6, act: 3, extra: {}, count: 3, fields: { drops: 3, sent: 0 } },
      { tracepoint: 'xdp_bulk_tx', ifindex: 2, errno: 0, act: 3, extra: {}, count: 3, fields: { drops: 0, sent: 3 } },
    ]));
    expect(b).toHaveLength(2);
  });

  it('reads the healthy run (XDP_TX delivered: err 0, sent 6)', () => {
    expect(xdpBuckets(parseBpftraceJson(rec('xdp-healthy-xdp-tx.stdout.txt')))).toEqual([
      { tracepoint: 'xdp_bulk_tx', ifindex: 2, errno: 0, act: 3, extra: {}, count: 6, fields: { drops: 0, sent: 6 } },
    ]);
  });

  it('reads a devmap redirect refused with EOPNOTSUPP: the target, the program, the map and its slot', () => {
    expect(xdpBuckets(parseBpftraceJson(rec('xdp-devmap-redirect-eopnotsupp.stdout.txt')))).toEqual([{
      tracepoint: 'xdp_redirect_err', ifindex: 2, errno: 95, act: 4, count: 3, fields: {},
      extra: { to_ifindex: 4, prog_id: 2620, map_id: 1960, map_index: 0 },
    }]);
  });

  it('reads xdp_redirect_map_err (5.10) as xdp_redirect_err, naming the event that fired', () => {
    // Derived, not recorded: the devmap run above with its map renamed as 5.10 would name it (6.18, where it was
    // recorded, has no xdp_redirect_map_err). The kernel suite attaches the real tracepoint on 5.10, 6.1 and 6.12.
    const text = rec('xdp-devmap-redirect-eopnotsupp.stdout.txt').replaceAll('"@xdp_redirect_err"', '"@xdp_redirect_map_err"');
    expect(xdpBuckets(parseBpftraceJson(text))).toEqual([{
      tracepoint: 'xdp_redirect_err', event: 'xdp_redirect_map_err', ifindex: 2, errno: 95, act: 4, count: 3, fields: {},
      extra: { to_ifindex: 4, prog_id: 2620, map_id: 1960, map_index: 0 },
    }]);
  });

  it('names the extra key fields and leaves out the ifindex of events that have none', () => {
    const j = parseBpftraceJson([
      '{"type": "map", "data": {"@xdp_exception": {"5,0,0,42": 2}}}',
      '{"type": "map", "data": {"@xdp_cpumap_enqueue": {"0,0,4,17": 9}}}',
      '{"type": "map", "data": {"@xdp_cpumap_enqueue__drops": {"0,0,4,17": 4}}}',
    ].join('\n'));
    expect(xdpBuckets(j)).toEqual([
      { tracepoint: 'xdp_cpumap_enqueue', ifindex: undefined, errno: 0, act: 4, extra: { map_id: 17 }, count: 9, fields: { drops: 4 } },
      { tracepoint: 'xdp_exception', ifindex: 5, errno: 0, act: 0, extra: { prog_id: 42 }, count: 2, fields: {} },
    ]);
  });

  it('raises ToolOutputError on keys or values that do not fit the program', () => {
    expect(() => xdpBuckets(parseBpftraceJson('{"type": "map", "data": {"@xdp_bulk_tx": {"2,6": 1}}}'))).toThrow(/not 3 integers/);
    expect(() => xdpBuckets(parseBpftraceJson('{"type": "map", "data": {"@xdp_bulk_tx": {"2,6,3": "x"}}}'))).toThrow(/not a number/);
  });
});

describe('readiness and tracepoint listing', () => {
  it('is ready on the marker line, not on attached_probes (printed before bpftrace attaches anything)', () => {
    const lines = rec('xdp-veth-peer-enxio.stdout.txt').split('\n');
    expect(lines.filter(isReadyLine)).toEqual([lines[1]]);
    expect(isReadyLine(lines[0]!)).toBe(false);
  });

  it('lists xdp tracepoints from bpftrace -l', () => {
    const names = parseProbeList(rec('list-xdp.txt'));
    expect(names).toContain('xdp_bulk_tx');
    expect(names).toContain('xdp_cpumap_kthread');
    expect(names).not.toContain('xdp_redirect_map_err');
  });

  it('prefers tracefs, falls back to bpftrace -l, and starts one collector with the marker as readyWhen', async () => {
    const exec = fakeExec([
      { argv: ['bpftrace', '-l', 'tracepoint:xdp:*'], stdout: rec('list-xdp.txt') },
      { argv: ['bpftrace', '-f', 'json', '-e', 'tracepoint:xdp:xdp_bulk_tx { }'] },
    ]);
    const ran = () => exec.calls.filter((c) => c.kind === 'run').map((c) => c.argv);
    const spawned = () => exec.calls.filter((c) => c.kind === 'spawn');
    const files = (list: string[]): Files => ({
      ...fakeFiles(), exists: async () => true, list: async () => list,
    });
    const fromTracefs = await createBpftrace(exec, files(['enable', 'filter', 'xdp_bulk_tx'])).xdpTracepoints('/sys/kernel/tracing');
    expect(fromTracefs).toEqual({ names: ['xdp_bulk_tx'], source: '/sys/kernel/tracing/events/xdp' });
    expect(ran()).toEqual([]);
    const fromList = await createBpftrace(exec, files([])).xdpTracepoints(undefined);
    expect(fromList.names).toContain('xdp_devmap_xmit');
    expect(ran()).toEqual([['bpftrace', '-l', 'tracepoint:xdp:*']]);

    createBpftrace(exec, files([])).start('tracepoint:xdp:xdp_bulk_tx { }');
    expect(spawned()[0]!.argv).toEqual(['bpftrace', '-f', 'json', '-e', 'tracepoint:xdp:xdp_bulk_tx { }']);
    const ready = spawned()[0]!.opts!.readyWhen!;
    const lines = rec('xdp-veth-peer-enxio.stdout.txt').split('\n');
    expect(ready(lines[0]!, 'stdout')).toBe(false);
    expect(ready(lines[1]!, 'stdout')).toBe(true);
    expect(ready(lines[1]!, 'stderr')).toBe(false);
  });
});

describe('stop: maps by SIGUSR1 dump, teardown not awaited', () => {
  const noFiles = {} as Files;
  // A collector as realExec gives it, driven by hand: signals are recorded, lines fed through the spawn's onLine.
  // (The check tester's fake Exec has no sendSignal/abandon: this is the one protocol it does not play.)
  function signallingExec(o: { signals?: boolean; dumpOn?: 'SIGUSR1' | 'never' }) {
    const sent: string[] = [];
    let stopped = 0;
    let abandoned = 0;
    const stdout: string[] = [];
    let opts: SpawnOptions = {};
    const result = (lines: string[]) => ({
      argv: ['bpftrace'], exitCode: undefined, stdout: lines.join('\n'), stderr: '', timedOut: false, notFound: false,
      durationMs: 1, ok: false, stdoutLines: [...lines], stderrLines: [], droppedLines: 0,
    });
    const feed = (line: string) => { stdout.push(line); opts.onLine?.(line, 'stdout'); };
    const exec: Exec = {
      run: async () => { throw new Error('not used'); },
      spawn(_argv, spawnOpts = {}) {
        opts = spawnOpts;
        return {
          argv: ['bpftrace'], ready: Promise.resolve(), done: new Promise(() => undefined),
          stop: async () => { stopped++; feed('{"type": "map", "data": {"@xdp_doctor_attached": 1}}'); return result(stdout); },
          ...(o.signals === false ? {} : {
            sendSignal: (sig: NodeJS.Signals) => {
              sent.push(sig);
              if (sig === 'SIGUSR1' && o.dumpOn !== 'never' && sent.length === 1) {
                setTimeout(() => {
                  feed('{"type": "map", "data": {"@xdp_bulk_tx": {"2,6,3": 3}}}');
                  feed('{"type": "map", "data": {"@xdp_doctor_attached": 1}}');
                  feed('{"type": "map", "data": {"@zz_xdp_doctor_end": 1}}');
                }, 5);
              }
            },
            abandon: () => { abandoned++; return result(stdout); },
          }),
        };
      },
    };
    return { exec, sent, counts: () => ({ stopped, abandoned }) };
  }

  it('takes the output once the last map of the dump arrives, and abandons the process', async () => {
    const f = signallingExec({});
    const c = createBpftrace(f.exec, noFiles).start(xdpTraceProgram(XDP_TRACEPOINTS));
    const r = await c.stop(5000);
    expect(f.sent[0]).toBe('SIGUSR1');
    expect(f.counts()).toEqual({ stopped: 0, abandoned: 1 });
    const json = parseBpftraceJson(r.stdout);
    expect(mapsPrinted(json)).toBe(true);
    expect(xdpBuckets(json)).toEqual([{ tracepoint: 'xdp_bulk_tx', ifindex: 2, errno: 6, act: 3, extra: {}, count: 3, fields: {} }]);
  });

  it('an Exec that cannot signal gets the plain SIGINT stop', async () => {
    const f = signallingExec({ signals: false });
    const r = await createBpftrace(f.exec, noFiles).start(xdpTraceProgram(XDP_TRACEPOINTS)).stop();
    expect(f.counts()).toEqual({ stopped: 1, abandoned: 0 });
    expect(mapsPrinted(parseBpftraceJson(r.stdout))).toBe(true);
  });

  it('no dump (a missed SIGUSR1 every time): falls back to the SIGINT stop', async () => {
    const f = signallingExec({ dumpOn: 'never' });
    const t0 = Date.now();
    await createBpftrace(f.exec, noFiles).start(xdpTraceProgram(XDP_TRACEPOINTS)).stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(f.sent.filter((s) => s === 'SIGUSR1').length).toBeGreaterThan(1);
    expect(f.counts()).toEqual({ stopped: 1, abandoned: 0 });
  });

  it('the program sets the dump-end map with the ready marker, and it sorts after every other map', () => {
    const p = xdpTraceProgram(XDP_TRACEPOINTS);
    const maps = [...new Set([...p.matchAll(/(@\w+)\[?/g)].map((m) => m[1]!))];
    expect(p.trim().split('\n').slice(-3)[0]).toMatch(/@zz_xdp_doctor_end = 1;/);
    expect([...maps].sort().at(-1)).toBe('@zz_xdp_doctor_end');
  });
});

describe('first errors, printed live for the probe window', () => {
  const out = rec('xdp-veth-peer-first-error.stdout.txt');
  it('the veth-peer run prints its ENXIO once, as it happens, before the maps', () => {
    const lines = out.split('\n');
    const errors = lines.map(parseErrorLine).filter(Boolean);
    expect(errors).toEqual([{ tracepoint: 'xdp_bulk_tx', ifindex: 2, errno: 6, progId: 0 }]);
    expect(lines.findIndex((l) => parseErrorLine(l))).toBeLessThan(lines.findIndex((l) => l.includes('"type": "map"')));
  });
  it('the maps are read as before: the extra map is not a tracepoint bucket', () => {
    const json = parseBpftraceJson(out);
    expect(mapsPrinted(json)).toBe(true);
    expect(xdpBuckets(json).map((b) => [b.tracepoint, b.errno, b.count, b.fields.drops])).toEqual([['xdp_bulk_tx', 6, 1, 1]]);
  });
  it('other lines are not errors', () => {
    expect(parseErrorLine('{"type": "printf", "data": "xdp-doctor: probes attached\\n"}')).toBeUndefined();
    expect(parseErrorLine('xdp-doctor: error xdp_bulk_tx 2 6 0')).toBeUndefined();
  });
  it('prints only for errors, once per tracepoint, interface and errno', () => {
    const p = xdpTraceProgram(XDP_TRACEPOINTS.filter((s) => s.name === 'xdp_bulk_tx'));
    expect(p).toContain('if ($err != 0 || $drops > 0) {');
    expect(p).toContain('if (@xdp_doctor_seen[0, $ifindex, $err] == 0) {');
    // No field is read twice (bpftrace 0.17 re-reads tracefs per args-> reference: attach time).
    expect(p.match(/args->err/g)).toHaveLength(1);
  });
});
