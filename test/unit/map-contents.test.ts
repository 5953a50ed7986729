// checks/map-contents.ts on recorded dumps of the zoo's maps: each map type in words, and the lookup tables
// that cannot answer. Nothing here may depend on a map's name: the names below are the zoo programs' own.
import { describe, expect, it } from 'vitest';
import { parseMap, parseMapDump, type MapDump } from '../../src/tools/bpftool.js';
import { dependencyRisks, describeDump, devmapTargets, flowMentions, mapHeadline } from '../../checks/map-contents.js';
import { recording } from './helpers/recordings.js';

const map = (name: string) => parseMap(recording(`bpftool/map-show-${name}.json`));
const dump = (name: string, extra: Partial<MapDump> = {}): MapDump => ({ entries: parseMapDump(recording(`bpftool/map-dump-${name}.json`)), truncated: false, ...extra });

describe('describeDump', () => {
  it('per-CPU values per CPU with their sum', () => {
    expect(describeDump(map('percpu-array'), dump('percpu-array'))).toBe('[0] sum 18 (cpu0=10 cpu1=8)');
    expect(mapHeadline(map('percpu-array'), dump('percpu-array'))).toBe('pkt_count (percpu_array): 1 entry, sum 18');
  });

  it('empty devmap slots, and a filled one', () => {
    expect(describeDump(map('devmap'), dump('devmap-slot0')).split('\n')).toEqual(['[0] ifindex 4', '[1] empty', '[2] empty', '[3] empty']);
    expect(mapHeadline(map('devmap'), dump('devmap-empty'))).toBe('tx_ports (devmap): 0 entries, 4 empty slot(s)');
  });

  it('xskmap slots user space cannot read say so', () => {
    expect(describeDump(map('xskmap'), dump('xskmap-empty'))).toContain('[0] not readable from user space (Operation not supported)');
    expect(describeDump(map('cpumap'), dump('cpumap-slot0')).split('\n')).toEqual(['[0] qsize 256', '[1] empty']);
  });

  it('no BTF: hex with the key and value sizes', () => {
    expect(describeDump(map('hash-nobtf'), dump('hash-nobtf'))).toBe('[0a 6f 3c 01] 01 00 00 00 00 00 00 00 (no BTF: key 4B, value 8B)');
  });

  it('a ringbuf is not dumpable; a large map shows 16 entries and counts the rest; a capped one says what is missing', () => {
    expect(describeDump(map('ringbuf'), { entries: [], truncated: false, notDumpable: 'a ring buffer …' })).toBe('(not dumpable: a ring buffer …)');
    const big = describeDump(map('hash'), dump('hash-3000')).split('\n');
    expect(big).toHaveLength(17);
    expect(big[16]).toBe('… 2984 more entries not shown');
    const capped = describeDump(map('hash'), dump('hash-3000', { truncated: true }));
    expect(capped).toContain('dump stopped at the size cap after 3000 entries (of at most 8192)');
  });
});

describe('dependencyRisks', () => {
  it('an empty hash is a risk that explains drops, never a cause by itself', () => {
    const [r, ...rest] = dependencyRisks(map('hash'), dump('hash'), 7);
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ cause: 'map-empty', risk: true, progId: 7 });
    expect(r!.message).toBe('big_table (hash, up to 8192 entries) is empty: every lookup in it misses');
    expect(r!.explains).toContain('xdp-drop-verdict');
    expect(dependencyRisks(map('hash'), dump('hash-3000'), 7)).toEqual([]);
  });

  it('per-CPU and LRU maps are the program\'s own state: empty or not, no risk', () => {
    expect(dependencyRisks(map('percpu-array'), { entries: [], truncated: false }, 1)).toEqual([]);
    expect(dependencyRisks(map('lru_hash'), { entries: [], truncated: false }, 1)).toEqual([]);
  });

  it('a devmap or cpumap with every slot empty; one filled slot is enough', () => {
    expect(dependencyRisks(map('devmap'), dump('devmap-empty'), 1)[0]).toMatchObject({ cause: 'redirect-slot-empty', risk: true });
    expect(dependencyRisks(map('devmap'), dump('devmap-slot0'), 1)).toEqual([]);
    expect(dependencyRisks(map('cpumap'), dump('cpumap'), 1)[0]?.cause).toBe('redirect-slot-empty');
    expect(dependencyRisks(map('cpumap'), dump('cpumap-slot0'), 1)).toEqual([]);
  });

  it('an xskmap is judged by the AF_XDP sockets open, not by its unreadable slots', () => {
    expect(dependencyRisks(map('xskmap'), dump('xskmap-empty'), 1, { xskSockets: 0 })[0]?.message).toMatch(/no AF_XDP socket is open/);
    expect(dependencyRisks(map('xskmap'), dump('xskmap-empty'), 1, { xskSockets: 1 })).toEqual([]);
    expect(dependencyRisks(map('xskmap'), dump('xskmap-empty'), 1)).toEqual([]);
  });

  it('an empty prog_array, with why the kernel empties them', () => {
    const [r] = dependencyRisks(map('prog_array'), dump('prog_array-empty'), 1);
    expect(r?.cause).toBe('tail-call-slot-empty');
    expect(r?.message).toMatch(/kernel empties a prog_array when the last user-space fd or pin/);
  });

  it('a capped dump says nothing about emptiness', () => {
    expect(dependencyRisks(map('hash'), { entries: [], truncated: true }, 1)).toEqual([]);
  });
});

describe('devmapTargets', () => {
  it('reads the ifindex of each filled slot', () => {
    expect(devmapTargets(map('devmap'), dump('devmap-slot0'))).toEqual([{ slot: '0', ifindex: 4 }]);
    expect(devmapTargets(map('hash'), dump('hash-3000'))).toEqual([]);
  });
});

describe('flowMentions: the entries a lookup for the flow would meet', () => {
  it('an address in a key (network order), in a value (host order), none for another flow', () => {
    const name = map('hash-nobtf').name;
    expect(flowMentions(map('hash-nobtf'), dump('hash-nobtf'), { ip: '10.111.60.1' })).toEqual([
      `${name}[0a 6f 3c 01] = 01 00 00 00 00 00 00 00 (no BTF: key 4B, value 8B): key holds the probe's destination 10.111.60.1 (network byte order)`,
    ]);
    expect(flowMentions(map('hash-nobtf'), dump('hash-nobtf'), { ip: '10.111.60.9' })).toEqual([]);
    expect(flowMentions(map('hash-nobtf'), dump('hash-nobtf'), undefined)).toEqual([]);
  });
  it('a port as a 4-byte key in host order (invented key bytes on the recorded map: 8080 = 0x1f90)', () => {
    const d = dump('lru_hash');
    d.entries[0] = { ...d.entries[0]!, key: [0x90, 0x1f, 0, 0], formatted: undefined };
    expect(flowMentions(map('lru_hash'), d, { ip: '10.0.0.1', port: 8080 })[0]).toMatch(/key is the probe's port 8080 \(host byte order\)$/);
  });
});
