// checks/map-contents.ts: the words each map type's dump becomes (the map-dump rung's evidence and summary), on
// recorded dumps, exactly — mutation testing showed the existing tests let most of these lines change unnoticed.
// Where a recording lacks a case (more than 8 CPUs, a cpumap slot with a program), the recorded entry is extended.
import { describe, expect, it } from 'vitest';
import { parseMap, parseMapDump, type MapDump } from '../../src/tools/bpftool.js';
import { byteOrderRisks, dependencyRisks, describeDump, mapHeadline, SHOWN_ENTRIES } from '../../checks/map-contents.js';
import { decodeIp, decodeValue } from '../../checks/map-decode.js';
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

describe('byteOrderRisks: an address written without htonl()', () => {
  // The recorded parameters map (loader of the lab): its fields decoded as the map-dump rung decodes them.
  const entry = dump('params-set').entries[0]!;
  const fields = decodeValue(entry.formatted!.value);
  const vip = fields.find((f) => f.path === 'vip')!;

  it('a field holding the probe\'s destination in host byte order: a risk naming the field, joined only to unchanged passes', () => {
    // The destination taken as the host-order reading of the recorded vip: the loader wrote it without htonl().
    const hostOrder = decodeIp(vip.raw as number, 'host').text;
    const risky = byteOrderRisks('xdp_params_arra', fields, hostOrder, 7);
    const networkOrder = decodeIp(vip.raw as number, 'network').text;
    expect(hostOrder).not.toBe(networkOrder);
    expect(risky).toEqual([{
      cause: 'map-byte-order', risk: true, progId: 7, fixes: [], explains: ['xdp-passed-unchanged'],
      message: `xdp_params_arra.vip holds the probe's destination ${hostOrder} in host byte order (${vip.raw} = 0x${(vip.raw as number).toString(16).padStart(8, '0')}): ` +
        'compared as it is with a packet\'s header (network byte order) it never matches, unless the program converts it first ' +
        '(the verdicts tell: a program that acts on the probe\'s packets converts); if it does not, the loader should write it with htonl()',
    }]);
    // The destination as the network-order reading: the loader did it right, nothing to say.
    expect(byteOrderRisks('xdp_params_arra', fields, networkOrder, 7)).toEqual([]);
  });

  it('no destination, a zero address, a field that is not an address: nothing', () => {
    expect(byteOrderRisks('m', fields, undefined, 7)).toEqual([]);
    expect(byteOrderRisks('m', fields.map((f) => ({ ...f, raw: 0 })), '0.0.0.0', 7)).toEqual([]);
    expect(byteOrderRisks('m', fields.filter((f) => f.kind !== 'ip'), decodeIp(vip.raw as number, 'host').text, 7)).toEqual([]);
  });
});

describe('kernel-object values by map type', () => {
  const value = { entries: [{ key: [0, 0, 0, 0], value: [5, 0, 0, 0] }], truncated: false } as MapDump;
  const as = (type: string) => describeDump({ ...map('devmap'), type, btfId: undefined }, value);
  it('each type says what its value holds', () => {
    expect(as('devmap_hash')).toBe('[00 00 00 00] ifindex 5');
    expect(as('prog_array')).toBe('[0] program id 5');
    expect(as('array_of_maps')).toBe('[0] map id 5');
    expect(as('hash_of_maps')).toBe('[00 00 00 00] map id 5');
    expect(as('hash')).toBe('[00 00 00 00] 05 00 00 00 (no BTF: key 4B, value 4B)');
  });
});
