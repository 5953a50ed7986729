// What a map dump says, for any program: each entry in words (BTF fields, per-CPU values and their sum, empty
// slots, hex with sizes where there is no BTF), and the tables the program looks things up in that cannot
// answer (an empty hash, a redirect map with no target, a tail-call table with no program). Nothing here knows
// a program's map names or layout: only map types, sizes and the dump. Pure; tested on recorded dumps.
import {
  ipv6Bytes, ipv6Words, isEmptySlot, perCpuSum, type Finding, type MapDump, type MapEntry, type MapInfo,
} from '../src/plugins/api.js';
import { decodeIp, decodeValue, type DecodedField } from './map-decode.js';

/** Entries shown per map; the rest are counted. */
export const SHOWN_ENTRIES = 16;

const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, '0')).join(' ');

// Maps keyed by a u32 index. The kernel keeps no BTF for several of them (devmap, cpumap, xskmap, prog_array),
// so the index is read from the key bytes, in this machine's byte order as the kernel stores it.
const INDEXED = new Set(['array', 'percpu_array', 'devmap', 'cpumap', 'xskmap', 'prog_array', 'perf_event_array', 'array_of_maps']);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function u32(b: number[]): number {
  const [a = 0, c = 0, d = 0, e = 0] = LITTLE_ENDIAN ? b : [...b].reverse();
  return (a | (c << 8) | (d << 16) | (e << 24)) >>> 0;
}

// What the value of a kernel-object map means, where there is no BTF to say it.
const OBJECT_VALUE: Record<string, (v: number[]) => string> = {
  devmap: (v) => `ifindex ${u32(v.slice(0, 4))}`,
  devmap_hash: (v) => `ifindex ${u32(v.slice(0, 4))}`,
  cpumap: (v) => `qsize ${u32(v.slice(0, 4))}${v.length >= 8 && u32(v.slice(4, 8)) ? `, program id ${u32(v.slice(4, 8))}` : ''}`,
  prog_array: (v) => `program id ${u32(v.slice(0, 4))}`,
  array_of_maps: (v) => `map id ${u32(v.slice(0, 4))}`,
  hash_of_maps: (v) => `map id ${u32(v.slice(0, 4))}`,
};

function keyText(e: MapEntry, map: MapInfo): string {
  const k = e.formatted?.key;
  if (k !== undefined) return typeof k === 'object' ? JSON.stringify(k) : String(k);
  return INDEXED.has(map.type) && e.key.length === 4 ? String(u32(e.key)) : hex(e.key);
}

function valueText(e: MapEntry, map: MapInfo): string {
  if (e.error !== undefined) return isEmptySlot(e) ? 'empty' : `not readable from user space (${e.error})`;
  const object = OBJECT_VALUE[map.type];
  if (object && e.value) return object(e.value);
  if (e.perCpu) {
    const sum = perCpuSum(e);
    const per = e.formatted?.perCpu ?? e.perCpu.map((p) => ({ cpu: p.cpu, value: hex(p.value) }));
    const shown = per.slice(0, 8).map((p) => `cpu${p.cpu}=${typeof p.value === 'object' ? JSON.stringify(p.value) : String(p.value)}`).join(' ');
    return `${sum !== undefined ? `sum ${sum} ` : ''}(${shown}${per.length > 8 ? ` … ${per.length} CPUs` : ''})`;
  }
  if (e.formatted?.value !== undefined) {
    const fields = decodeValue(e.formatted.value);
    return fields.map((f) => (f.path === 'value' ? f.shown : `${f.path}=${f.shown}`)).join(' ');
  }
  return `${hex(e.value ?? [])}${map.btfId ? '' : ` (no BTF: key ${map.keySize}B, value ${map.valueSize}B)`}`;
}

/** The dump as evidence text: one line per shown entry, then what was left out. */
export function describeDump(map: MapInfo, dump: MapDump): string {
  if (dump.notDumpable) return `(not dumpable: ${dump.notDumpable})`;
  if (!dump.entries.length) return '(empty)';
  const lines = dump.entries.slice(0, SHOWN_ENTRIES).map((e) => `[${keyText(e, map)}] ${valueText(e, map)}`);
  const rest = dump.entries.length - lines.length;
  if (rest > 0) lines.push(`… ${rest} more entr${rest === 1 ? 'y' : 'ies'} not shown`);
  if (dump.truncated) lines.push(`… dump stopped at the size cap after ${dump.entries.length} entries (of at most ${map.maxEntries}); the rest was not read`);
  return lines.join('\n');
}

/** Entries that hold a value (empty slots and unreadable ones not counted). */
const filled = (dump: MapDump) => dump.entries.filter((e) => e.error === undefined);

/** One line about the map for the rung's summary: "pkt_count (percpu_array): 1 entry, sum 18". */
export function mapHeadline(map: MapInfo, dump: MapDump): string {
  if (dump.notDumpable) return `${map.name} (${map.type}): not dumpable`;
  const n = filled(dump).length;
  const empty = dump.entries.filter(isEmptySlot).length;
  const sums = dump.entries.map(perCpuSum).filter((x): x is number => x !== undefined);
  return `${map.name} (${map.type}): ${n}${dump.truncated ? '+' : ''} entr${n === 1 ? 'y' : 'ies'}` +
    (empty ? `, ${empty} empty slot(s)` : '') + (sums.length === 1 ? `, sum ${sums[0]}` : '');
}

// Lookup tables whose emptiness changes what the program does. Per-CPU and LRU maps are usually state the
// program writes itself (counters, flows), so their emptiness says nothing.
const LOOKUP_TABLES = new Set(['hash', 'lpm_trie', 'hash_of_maps', 'array_of_maps']);
const REDIRECT_MAPS = new Set(['devmap', 'devmap_hash', 'cpumap', 'xskmap']);
const VERDICT_CAUSES = ['xdp-drop-verdict', 'xdp-aborted', 'xdp-redirect-error', 'xdp-passed-unchanged'];

/**
 * Risks read from the maps: tables the program consults that cannot answer. They are `risk` findings: an empty
 * table is normal for many programs, so it only joins a cause this run observed (drops, aborts, redirect errors).
 */
export function dependencyRisks(map: MapInfo, dump: MapDump, progId: number, extra: { xskSockets?: number } = {}): Finding[] {
  if (dump.notDumpable || dump.truncated) return [];
  const base = { risk: true, progId, explains: VERDICT_CAUSES, fixes: [] };
  const n = filled(dump).length;
  if (LOOKUP_TABLES.has(map.type) && n === 0) {
    return [{ ...base, cause: 'map-empty', message: `${map.name} (${map.type}, up to ${map.maxEntries} entries) is empty: every lookup in it misses` }];
  }
  if (map.type === 'prog_array' && n === 0) {
    return [{
      ...base, cause: 'tail-call-slot-empty',
      message: `${map.name} (prog_array) holds no program in any of its ${map.maxEntries} slots: every tail call through it falls through ` +
        '(the kernel empties a prog_array when the last user-space fd or pin of it goes away)',
    }];
  }
  if (!REDIRECT_MAPS.has(map.type)) return [];
  if (map.type === 'xskmap') {
    // User space cannot look xskmap slots up (EOPNOTSUPP); the sockets in the namespace tell instead.
    if (extra.xskSockets !== 0) return [];
    return [{ ...base, cause: 'redirect-slot-empty', message: `${map.name} (xskmap): no AF_XDP socket is open in the interface's namespace (ss --xdp), so no slot can hold one: redirects to it fail` }];
  }
  if (n > 0) return [];
  return [{ ...base, cause: 'redirect-slot-empty', message: `${map.name} (${map.type}): all ${map.maxEntries} slots are empty: bpf_redirect_map() through it finds no target` }];
}

/** Targets in a devmap's filled slots (the ifindex is the value's first 4 bytes). */
export function devmapTargets(map: MapInfo, dump: MapDump): { slot: string; ifindex: number }[] {
  if (map.type !== 'devmap' && map.type !== 'devmap_hash') return [];
  return filled(dump).filter((e) => (e.value?.length ?? 0) >= 4).map((e) => ({ slot: keyText(e, map), ifindex: u32(e.value!.slice(0, 4)) }));
}

/**
 * A configuration field that holds the probe's destination in host byte order. Programs compare addresses with the
 * packet's header, which is in network byte order, so such a value never matches — unless the program converts
 * (the blog's load balancer does). Only context: it joins a run where the program passed the probe's packets
 * untouched, and says nothing otherwise.
 */
export function byteOrderRisks(mapName: string, fields: DecodedField[], dest: string | undefined, progId: number): Finding[] {
  if (!dest) return [];
  return fields.filter((f) => f.kind === 'ip' && typeof f.raw === 'number' && f.raw !== 0 && decodeIp(f.raw, 'host').text === dest && decodeIp(f.raw, 'network').text !== dest)
    .map((f) => ({
      cause: 'map-byte-order', risk: true, progId, fixes: [], explains: ['xdp-passed-unchanged'],
      message: `${mapName}.${f.path} holds the probe's destination ${dest} in host byte order (${f.raw} = 0x${(f.raw as number).toString(16).padStart(8, '0')}): ` +
        'compared as it is with a packet\'s header (network byte order) it never matches, unless the program converts it first ' +
        '(the verdicts tell: a program that acts on the probe\'s packets converts); if it does not, the loader should write it with htonl()',
    }));
}

/** The flow's fields as the bytes a map may hold them in: an address in network or host order, a port in either. */
function flowNeedles(flow: { ip: string; port?: number }): { bytes: number[]; what: string }[] {
  const out: { bytes: number[]; what: string }[] = [];
  if (!flow.ip.includes(':')) {
    const be = flow.ip.split('.').map(Number);
    out.push({ bytes: be, what: `the probe's destination ${flow.ip} (network byte order)` });
    out.push({ bytes: [...be].reverse(), what: `the probe's destination ${flow.ip} (host byte order)` });
  } else {
    const words = ipv6Words(flow.ip);
    if (words) out.push({ bytes: ipv6Bytes(words), what: `the probe's destination ${flow.ip}` });
  }
  return out;
}

const contains = (hay: number[], needle: number[]) => {
  for (let i = 0; i + needle.length <= hay.length; i++) if (needle.every((b, j) => hay[i + j] === b)) return true;
  return false;
};

/**
 * Entries whose key or value holds the flow's destination address (either byte order), or whose key is the flow's
 * port (a 2- or 4-byte key, either byte order): the table entries a lookup for this flow would meet, whatever
 * the map's name or layout.
 */
export function flowMentions(map: MapInfo, dump: MapDump, flow: { ip: string; port?: number } | undefined): string[] {
  if (!flow || dump.notDumpable) return [];
  const needles = flowNeedles(flow);
  const port = flow.port;
  const out: string[] = [];
  for (const e of dump.entries) {
    const why: string[] = [];
    for (const n of needles) {
      if (contains(e.key, n.bytes)) why.push(`key holds ${n.what}`);
      else if (e.value && contains(e.value, n.bytes)) why.push(`value holds ${n.what}`);
    }
    if (port !== undefined && (e.key.length === 2 || e.key.length === 4)) {
      const k = e.key;
      const be = k.length === 2 ? (k[0]! << 8) | k[1]! : -1;
      const le = k.length === 2 ? (k[1]! << 8) | k[0]! : u32(k);
      if (be === port) why.push(`key is the probe's port ${port} (network byte order)`);
      else if (le === port) why.push(`key is the probe's port ${port} (host byte order)`);
    }
    if (why.length) out.push(`${map.name}[${keyText(e, map)}] = ${valueText(e, map)}: ${why.join(', ')}`);
  }
  return out;
}
