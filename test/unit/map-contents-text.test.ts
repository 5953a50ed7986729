// checks/map-contents.ts: the words each map type's dump becomes (the map-dump rung's evidence and summary), on
// recorded dumps, exactly — mutation testing showed the existing tests let most of these lines change unnoticed.
// Where a recording lacks a case (more than 8 CPUs, a cpumap slot with a program), the recorded entry is extended.
import { describe, expect, it } from 'vitest';
import { parseMap, parseMapDump, type MapDump } from '../../src/tools/bpftool.js';
import { dependencyRisks, describeDump, mapHeadline, SHOWN_ENTRIES } from '../../checks/map-contents.js';
import { recording } from './helpers/recordings.js';

const map = (name: string) => parseMap(recording(`bpftool/map-show-${name}.json`));
const dump = (name: string, extra: Partial<MapDump> = {}): MapDump => ({ entries: parseMapDump(recording(`bpftool/map-dump-${name}.json`)), truncated: false, ...extra });
const lines = (name: string, d: string, extra: Partial<MapDump> = {}) => describeDump(map(name), dump(d, extra)).split('\n');

describe('describeDump and mapHeadline, per map type', () => {
  it('per-CPU: the sum, then each CPU; past 8 CPUs the count', () => {
    expect(lines('percpu-array', 'percpu-array')).toEqual(['[0] sum 18 (cpu0=10 cpu1=8)']);
    expect(mapHeadline(map('percpu-array'), dump('percpu-array'))).toBe('pkt_count (percpu_array): 1 entry, sum 18');
    const d = dump('percpu-array');
    const e = d.entries[0]!;
    const cpus = Array.from({ length: 10 }, (_, cpu) => cpu);
    const many = {
      ...e, perCpu: cpus.map((cpu) => ({ cpu, value: e.perCpu![0]!.value })),
      formatted: { ...e.formatted!, perCpu: cpus.map((cpu) => ({ cpu, value: 10 })) },
    };
    expect(describeDump(map('percpu-array'), { ...d, entries: [many] }))
      .toBe('[0] sum 100 (cpu0=10 cpu1=10 cpu2=10 cpu3=10 cpu4=10 cpu5=10 cpu6=10 cpu7=10 … 10 CPUs)');
    // Without BTF the per-CPU values are hex, and not summed: the value's layout is unknown.
    const raw = { ...e, formatted: undefined };
    expect(describeDump(map('percpu-array'), { ...d, entries: [raw] })).toBe('[0] (cpu0=0a 00 00 00 00 00 00 00 cpu1=08 00 00 00 00 00 00 00)');
  });

  it('a large hash: the first 16 entries, the rest counted; one left over is "entry"', () => {
    const big = lines('hash', 'hash-3000');
    expect(big).toHaveLength(SHOWN_ENTRIES + 1);
    expect(big[0]).toBe('[1536] 10752');
    expect(big.at(-1)).toBe('… 2984 more entries not shown');
    const d = dump('hash-3000');
    expect(describeDump(map('hash'), { ...d, entries: d.entries.slice(0, SHOWN_ENTRIES + 1) }).split('\n').at(-1)).toBe('… 1 more entry not shown');
    expect(describeDump(map('hash'), { ...d, entries: d.entries.slice(0, SHOWN_ENTRIES) }).split('\n')).toHaveLength(SHOWN_ENTRIES);
    expect(mapHeadline(map('hash'), d)).toBe('big_table (hash): 3000 entries');
    expect(mapHeadline(map('hash'), { ...d, truncated: true })).toBe('big_table (hash): 3000+ entries');
    expect(lines('hash', 'hash-3000', { truncated: true }).at(-1)).toBe('… dump stopped at the size cap after 3000 entries (of at most 8192); the rest was not read');
  });

  it('no BTF: key and value in hex with their sizes', () => {
    expect(lines('hash-nobtf', 'hash-nobtf')).toEqual(['[0a 6f 3c 01] 01 00 00 00 00 00 00 00 (no BTF: key 4B, value 8B)']);
  });

  it('BTF fields by name (addresses decoded); kernel objects by what they hold', () => {
    expect(lines('params', 'params-set')).toEqual(['[0] dst_mac=02:42:0a:6f:dd:0c pad=[0,0] daddr=10.111.222.11 saddr=10.111.221.11 vip=192.168.10.1']);
    expect(lines('lru_hash', 'lru_hash')).toEqual(['[0] 1']);
    expect(lines('devmap', 'devmap-slot0')).toEqual(['[0] ifindex 4', '[1] empty', '[2] empty', '[3] empty']);
    expect(mapHeadline(map('devmap'), dump('devmap-slot0'))).toBe('tx_ports (devmap): 1 entry, 3 empty slot(s)');
    expect(lines('cpumap', 'cpumap-slot0')).toEqual(['[0] qsize 256', '[1] empty']);
    const d = dump('cpumap-slot0');
    const withProg = { ...d.entries[0]!, value: [...d.entries[0]!.value!.slice(0, 4), 9, 0, 0, 0] };
    expect(describeDump(map('cpumap'), { ...d, entries: [withProg] })).toBe('[0] qsize 256, program id 9');
    expect(lines('perf_event_array', 'perf_event_array')[0]).toBe('[0] not readable from user space (Unknown error 524)');
  });

  it('empty, and not dumpable', () => {
    expect(describeDump(map('hash'), { entries: [], truncated: false })).toBe('(empty)');
    expect(describeDump(map('ringbuf'), { entries: [], truncated: false, notDumpable: 'a ring buffer has no entries to read' })).toBe('(not dumpable: a ring buffer has no entries to read)');
    expect(mapHeadline(map('ringbuf'), { entries: [], truncated: false, notDumpable: 'x' })).toBe('events (ringbuf): not dumpable');
  });
});

describe('dependencyRisks: details', () => {
  it('an empty table explains exactly the verdict causes', () => {
    expect(dependencyRisks(map('hash'), dump('hash'), 7)[0]!.explains).toEqual(['xdp-drop-verdict', 'xdp-aborted', 'xdp-redirect-error', 'xdp-passed-unchanged']);
  });

  it('a prog_array with a program in a slot is no risk; an empty one names its slot count', () => {
    const filled = { entries: [{ key: [0, 0, 0, 0], value: [5, 0, 0, 0] }], truncated: false } as MapDump;
    expect(dependencyRisks(map('prog_array'), filled, 1)).toEqual([]);
    expect(dependencyRisks(map('prog_array'), dump('prog_array-empty'), 1)[0]!.message).toMatch(new RegExp(`^jump_table \\(prog_array\\) holds no program in any of its ${map('prog_array').maxEntries} slots: every tail call through it falls through`));
  });
});
