// src/tools/bpftool.ts: `bpftool -j` parsers on recorded output; bpftool's {"error": ...} surfaced via createBpftool.
import { describe, it, expect } from 'vitest';
import { createBpftool, parseMap, parseMapDump, parseNetShow, parseProg, printkFormats } from '../../src/tools/bpftool.js';
import { ToolOutputError } from '../../src/tools/json.js';
import { recording } from './helpers/recordings.js';
import { fakeExec } from '../../src/plugins/testing.js';

describe('parseProg', () => {
  it('reads id, type, name, tag, BTF, maps and size of the loaded program', () => {
    expect(parseProg(recording('bpftool/prog-show.json'))).toEqual({
      id: 137, type: 'xdp', name: 'xdp_prog_func', tag: '45f330cfe0b3cd65', btfId: 67, mapIds: [40, 38],
      runCnt: undefined, runTimeNs: undefined, bytesXlated: 1472,
    });
  });

  it('refuses the list form (prog show without an id) and garbage', () => {
    expect(() => parseProg(recording('bpftool/prog-show-all.json'))).toThrow(/prog show: no program id/);
    expect(() => parseProg(recording('bpftool/prog-show.json').slice(0, 40))).toThrow(ToolOutputError);
    expect(() => parseProg('')).toThrow(ToolOutputError);
  });
});

describe('parseMap', () => {
  it('reads the params array map', () => {
    expect(parseMap(recording('bpftool/map-show-params.json'))).toEqual({
      id: 38, type: 'array', name: 'xdp_params_arra', keySize: 4, valueSize: 20, maxEntries: 1, btfId: 67, frozen: false,
    });
  });

  it('reads the frozen .rodata map', () => {
    expect(parseMap(recording('bpftool/map-show-rodata.json'))).toMatchObject({ id: 40, name: 'xdp_lb.rodata', valueSize: 319, frozen: true });
  });

  it('garbage is a ToolOutputError', () => {
    expect(() => parseMap('[]')).toThrow(/map show: no map id/);
    expect(() => parseMap('{"id":')).toThrow(ToolOutputError);
  });
});

describe('parseMapDump', () => {
  it('reads key and value bytes and the BTF-formatted value of the set params', () => {
    const [e, ...rest] = parseMapDump(recording('bpftool/map-dump-params-set.json'));
    expect(rest).toEqual([]);
    expect(e!.key).toEqual([0, 0, 0, 0]);
    expect(e!.value).toHaveLength(20);
    expect(e!.value!.slice(0, 6)).toEqual([2, 0x42, 0x0a, 0x6f, 0xdd, 0x0c]);
    expect(e!.formatted).toEqual({
      key: 0,
      value: { dst_mac: [2, 66, 10, 111, 221, 12], pad: [0, 0], daddr: 175103499, saddr: 175103243, vip: 3232238081 },
    });
  });

  it('the formatted value agrees with the raw bytes (little-endian u32 fields)', () => {
    const [e] = parseMapDump(recording('bpftool/map-dump-params-set.json'));
    const u32 = (at: number) => Buffer.from(e!.value!).readUInt32LE(at);
    const v = e!.formatted!.value as Record<string, number>;
    expect([u32(8), u32(12), u32(16)]).toEqual([v.daddr, v.saddr, v.vip]);
  });

  it('reads the zero params', () => {
    const [e] = parseMapDump(recording('bpftool/map-dump-params-zero.json'));
    expect(e!.value!.every((b) => b === 0)).toBe(true);
    expect(e!.formatted!.value).toMatchObject({ daddr: 0, saddr: 0, vip: 0 });
  });

  it('the plain (non -j) dump is not the JSON it expects: a ToolOutputError, not a crash', () => {
    // bpftool without -j prints the formatted value only; there are no key/value byte arrays.
    expect(() => parseMapDump(recording('bpftool/map-dump-params-set.txt'))).toThrow(/map dump entry without key bytes/);
  });

  it('truncated and non-list dumps are ToolOutputErrors', () => {
    const text = recording('bpftool/map-dump-rodata.json');
    expect(() => parseMapDump(text.slice(0, text.length / 2))).toThrow(ToolOutputError);
    expect(() => parseMapDump(recording('bpftool/map-show-params.json'))).toThrow(/expected map dump to be a list/);
  });
});

describe('parseNetShow', () => {
  it('reads the native XDP attachment', () => {
    expect(parseNetShow(recording('bpftool/net-show-native.json'))).toEqual([{ devname: 'v0', ifindex: 2, mode: 'driver', progId: 137 }]);
  });

  it('no attachments', () => {
    expect(parseNetShow(recording('bpftool/net-show-empty.json'))).toEqual([]);
  });

  it('garbage is a ToolOutputError', () => {
    expect(() => parseNetShow(recording('bpftool/net-show-native.json').slice(0, 30))).toThrow(ToolOutputError);
  });
});

describe('printkFormats', () => {
  it('lists every bpf_printk format compiled into the program, in order', () => {
    expect(printkFormats(parseMapDump(recording('bpftool/map-dump-rodata.json')))).toEqual([
      'xdp_lb: short frame (%d bytes), dropping',
      'xdp_lb: truncated IPv4 header, dropping',
      'xdp_lb: protocol %d is not TCP, passing',
      'xdp_lb: params unset (vip 0), passing',
      'xdp_lb: daddr %x is not the vip %x, passing',
      'xdp_lb: adjust_head failed, dropping',
      'xdp_lb: adjust_head failed, dropping',
      'xdp_lb: encapsulated to %x via %x, XDP_TX',
    ]);
  });

  it('a map without format strings (the params map) has none', () => {
    expect(printkFormats(parseMapDump(recording('bpftool/map-dump-params-set.json')))).toEqual([]);
  });
});

describe('createBpftool over a fake Exec', () => {
  it('runs bpftool -j with the argv for each object', async () => {
    const exec = fakeExec([
      { argv: ['bpftool', '-j', 'prog', 'show', 'id', '137'], stdout: recording('bpftool/prog-show.json') },
      { argv: ['bpftool', '-j', 'map', 'show', 'id', '38'], stdout: recording('bpftool/map-show-params.json') },
      { argv: ['bpftool', '-j', 'map', 'dump', 'id', '38'], stdout: recording('bpftool/map-dump-params-set.json') },
      { argv: ['bpftool', '-j', 'net', 'show'], netns: 'lb', stdout: recording('bpftool/net-show-native.json') },
    ]);
    const b = createBpftool(exec);
    expect((await b.prog(137)).id).toBe(137);
    expect((await b.map(38)).name).toBe('xdp_params_arra');
    expect(await b.mapDump(38)).toHaveLength(1);
    expect(await b.netShow({ kind: 'name', name: 'lb' })).toHaveLength(1);
    expect(exec.calls.map((c) => c.argv)).toEqual([
      ['bpftool', '-j', 'prog', 'show', 'id', '137'],
      ['bpftool', '-j', 'map', 'show', 'id', '38'],
      ['bpftool', '-j', 'map', 'dump', 'id', '38'],
      ['bpftool', '-j', 'net', 'show'],
    ]);
    expect(exec.calls[3]!.netns).toEqual({ kind: 'name', name: 'lb' });
  });

  it('reads a program and a map dump by their bpffs pin (the lab\'s pins, recorded)', async () => {
    const exec = fakeExec([
      { argv: ['bpftool', '-j', 'prog', 'show', 'pinned', '/sys/fs/bpf/lt1/lb_prog'], stdout: recording('bpftool/prog-show-pinned.json') },
      { argv: ['bpftool', '-j', 'map', 'dump', 'pinned', '/sys/fs/bpf/lt1/lb_maps/xdp_params_array'], stdout: recording('bpftool/map-dump-pinned-params.json') },
      { argv: ['bpftool', '-j', 'prog', 'show', 'pinned', '/sys/fs/bpf/lt1/nope'], exitCode: 255, stdout: recording('bpftool/prog-show-pinned-missing.json') },
    ]);
    const b = createBpftool(exec);
    expect(await b.progPinned('/sys/fs/bpf/lt1/lb_prog')).toMatchObject({ id: 15696, type: 'xdp', name: 'xdp_prog_func' });
    const [entry, ...rest] = await b.mapDumpPinned('/sys/fs/bpf/lt1/lb_maps/xdp_params_array');
    expect(rest).toEqual([]);
    expect(entry!.formatted!.value).toMatchObject({ dst_mac: [6, 196, 44, 157, 189, 202], vip: 3232238081 });
    const err = await b.progPinned('/sys/fs/bpf/lt1/nope').catch((e) => e);
    expect(err).toBeInstanceOf(ToolOutputError);
    expect(err.message).toBe('bpftool: prog show pinned /sys/fs/bpf/lt1/nope: bpf obj get (/sys/fs/bpf/lt1/nope): No such file or directory');
  });

  it('bpftool\'s {"error": ...} on stdout becomes the ToolOutputError message', async () => {
    // What bpftool -j printed (exit 255) for an id that does not exist.
    const exec = fakeExec([{ argv: ['bpftool', '-j', 'prog', 'show', 'id', '999999'], exitCode: 255, stdout: recording('bpftool/prog-show-missing.json') }]);
    const err = await createBpftool(exec).prog(999999).catch((e) => e);
    expect(err).toBeInstanceOf(ToolOutputError);
    expect(err.message).toBe('bpftool: prog show id 999999: get by id (999999): No such file or directory');
  });

  it('without error JSON, stderr (or the exit code) is the message', async () => {
    const stderr = recording('preflight/fentry-load-eperm.txt');
    const exec = fakeExec([{ argv: ['bpftool', '-j', 'map', 'show', 'id', '1'], exitCode: 255, stderr }]);
    await expect(createBpftool(exec).map(1)).rejects.toThrow(/^bpftool: map show id 1: libbpf: prog 'fentry_probe'/);
    const silent = fakeExec([{ argv: ['bpftool', '-j', 'map', 'dump', 'id', '1'], exitCode: 255 }]);
    await expect(createBpftool(silent).mapDump(1)).rejects.toThrow('bpftool: map dump id 1: exit 255');
  });

  it('calls reads the JSON dump into the helpers called; a vanished program fails with bpftool\'s JSON error', async () => {
    const exec = fakeExec([{ argv: ['bpftool', '-j', 'prog', 'dump', 'xlated', 'id', '14249'], stdout: recording('xlated/zoo_fib_fwd.xlated.json') }]);
    expect((await createBpftool(exec).calls(14249)).helpers.map((h) => h.helper)).toEqual(['fib_lookup', 'redirect']);
    const gone = fakeExec([{ argv: ['bpftool', '-j', 'prog', 'dump', 'xlated', 'id', '999999'], exitCode: 255, stdout: recording('xlated/missing-prog.json') }]);
    await expect(createBpftool(gone).calls(999999)).rejects.toThrow('bpftool: prog dump xlated id 999999: get by id (999999): No such file or directory');
  });

  it('xlated returns the plain dump and fails with stderr', async () => {
    const exec = fakeExec([{ argv: ['bpftool', 'prog', 'dump', 'xlated', 'id', '137'], stdout: recording('bpftool/xlated-xdp-pass.txt') }]);
    expect(await createBpftool(exec).xlated(137)).toContain('r0 = 2');
    expect(exec.calls[0]!.argv).toEqual(['bpftool', 'prog', 'dump', 'xlated', 'id', '137']);
    const bad = fakeExec([{ argv: ['bpftool', 'prog', 'dump', 'xlated', 'id', '999999'], exitCode: 255, stderr: recording('bpftool/xlated-missing-stderr.txt') }]);
    await expect(createBpftool(bad).xlated(999999)).rejects.toThrow('bpftool: Error: get by id (999999): No such file or directory');
  });
});
