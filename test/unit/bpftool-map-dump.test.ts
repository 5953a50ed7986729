// src/tools/bpftool-map-dump.ts and createBpftool().mapRead: every map type's real `bpftool -j map dump` output
// (test/recordings/bpftool/map-dump-*.json, recorded from the zoo programs in test/zoo on Linux 6.18).
import { describe, expect, it } from 'vitest';
import { completePrefix, isEmptySlot, notDumpableReason, parseMapDump, perCpuSum } from '../../src/tools/bpftool-map-dump.js';
import { createBpftool, parseMap } from '../../src/tools/bpftool.js';
import { recording } from './helpers/recordings.js';
import { fakeExec } from '../../src/plugins/testing.js';

describe('parseMapDump on every map type', () => {
  it('per-CPU array: one value per CPU, summed', () => {
    const [e, ...rest] = parseMapDump(recording('bpftool/map-dump-percpu-array.json'));
    expect(rest).toEqual([]);
    expect(e!.key).toEqual([0, 0, 0, 0]);
    expect(e!.value).toBeUndefined();
    expect(e!.perCpu).toEqual([{ cpu: 0, value: [10, 0, 0, 0, 0, 0, 0, 0] }, { cpu: 1, value: [8, 0, 0, 0, 0, 0, 0, 0] }]);
    expect(e!.formatted?.perCpu).toEqual([{ cpu: 0, value: 10 }, { cpu: 1, value: 8 }]);
    expect(perCpuSum(e!)).toBe(18);
  });

  it('per-CPU hash and LRU hash', () => {
    const [p] = parseMapDump(recording('bpftool/map-dump-percpu_hash.json'));
    expect(perCpuSum(p!)).toBe(2);
    const [l] = parseMapDump(recording('bpftool/map-dump-lru_hash.json'));
    expect(l!.value).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(l!.formatted).toEqual({ key: 0, value: 1 });
  });

  it('an empty hash and a hash of 3000 entries', () => {
    expect(parseMapDump(recording('bpftool/map-dump-hash.json'))).toEqual([]);
    const big = parseMapDump(recording('bpftool/map-dump-hash-3000.json'));
    expect(big).toHaveLength(3000);
    expect(big.every((e) => e.value?.length === 4 && e.key.length === 4)).toBe(true);
  });

  it('a map without BTF: raw bytes only', () => {
    const [e] = parseMapDump(recording('bpftool/map-dump-hash-nobtf.json'));
    expect(e).toEqual({ key: [10, 111, 60, 1], value: [1, 0, 0, 0, 0, 0, 0, 0] });
    expect(parseMap(recording('bpftool/map-show-hash-nobtf.json')).btfId).toBeUndefined();
  });

  it('devmap: empty slots are data (ENOENT), a filled slot holds the ifindex', () => {
    const empty = parseMapDump(recording('bpftool/map-dump-devmap-empty.json'));
    expect(empty).toHaveLength(4);
    expect(empty.every(isEmptySlot)).toBe(true);
    const one = parseMapDump(recording('bpftool/map-dump-devmap-slot0.json'));
    expect(one[0]).toEqual({ key: [0, 0, 0, 0], value: [4, 0, 0, 0] });
    expect(one.slice(1).every(isEmptySlot)).toBe(true);
  });

  it('cpumap: empty and filled slots', () => {
    expect(parseMapDump(recording('bpftool/map-dump-cpumap.json')).every(isEmptySlot)).toBe(true);
    const [slot0, slot1] = parseMapDump(recording('bpftool/map-dump-cpumap-slot0.json'));
    expect(slot0!.value).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    expect(isEmptySlot(slot1!)).toBe(true);
  });

  it('xskmap and perf event array: slots the kernel will not show are errors that are not "empty"', () => {
    const xsk = parseMapDump(recording('bpftool/map-dump-xskmap-empty.json'));
    expect(xsk.map((e) => e.error)).toEqual(Array(4).fill('Operation not supported'));
    expect(xsk.some(isEmptySlot)).toBe(false);
    const perf = parseMapDump(recording('bpftool/map-dump-perf_event_array.json'));
    expect(perf.map((e) => e.error)).toEqual(['Unknown error 524', 'Unknown error 524']);
  });

  it('prog_array: the dump lists nothing for empty slots', () => {
    expect(parseMapDump(recording('bpftool/map-dump-prog_array-empty.json'))).toEqual([]);
  });

  it('ringbuf and perf event arrays are not dumped; a hash is', () => {
    expect(notDumpableReason(parseMap(recording('bpftool/map-show-ringbuf.json')).type)).toMatch(/ring buffer/);
    expect(notDumpableReason(parseMap(recording('bpftool/map-show-perf_event_array.json')).type)).toMatch(/perf event/);
    expect(notDumpableReason(parseMap(recording('bpftool/map-show-hash.json')).type)).toBeUndefined();
  });

  it('a dump cut mid-entry keeps the complete entries before the cut', () => {
    const text = recording('bpftool/map-dump-hash-3000.json');
    const cut = parseMapDump(completePrefix(text.slice(0, 10_000)));
    expect(cut.length).toBeGreaterThan(50);
    expect(cut.length).toBeLessThan(3000);
    expect(cut).toEqual(parseMapDump(text).slice(0, cut.length));
    expect(completePrefix('[{"key":["0x')).toBe('[]');
  });
});

describe('createBpftool().mapRead', () => {
  it('does not run bpftool for a ringbuf', async () => {
    const exec = fakeExec([]);
    const d = await createBpftool(exec).mapRead({ id: 836, type: 'ringbuf' });
    expect(d.notDumpable).toMatch(/ring buffer/);
    expect(exec.calls).toEqual([]);
  });

  it('passes a byte cap, and a capped dump is read in part and says so', async () => {
    const text = recording('bpftool/map-dump-hash-3000.json');
    const exec = fakeExec([{ argv: ['bpftool', '-j', 'map', 'dump', 'id', '835'], netns: null, stdout: text.slice(0, 20_000), truncated: true }]);
    const d = await createBpftool(exec).mapRead({ id: 835, type: 'hash' }, { maxBytes: 20_000 });
    expect(d.truncated).toBe(true);
    expect(d.entries.length).toBeGreaterThan(100);
    expect(exec.calls.map((c) => c.argv)).toEqual([['bpftool', '-j', 'map', 'dump', 'id', '835']]);
    expect(exec.calls[0]!.opts?.maxBytes).toBe(20_000);
  });

  it('a whole dump is not truncated; a failure is an error with bpftool\'s words', async () => {
    const ok = fakeExec([{ argv: ['bpftool', '-j', 'map', 'dump', 'id', '1'], stdout: recording('bpftool/map-dump-devmap-empty.json') }]);
    expect(await createBpftool(ok).mapRead({ id: 1, type: 'devmap' })).toMatchObject({ truncated: false, entries: { length: 4 } });
    const bad = fakeExec([{ argv: ['bpftool', '-j', 'map', 'dump', 'id', '999999'], exitCode: 255, stdout: recording('bpftool/prog-show-missing.json') }]);
    await expect(createBpftool(bad).mapRead({ id: 999999, type: 'hash' })).rejects.toThrow(/map dump id 999999: get by id/);
  });
});
