// `bpftool -j map dump` for every map type, as data. Shapes recorded on this machine (test/recordings/bpftool):
// - plain maps: {key, value, formatted?: {key, value}}
// - per-CPU maps: {key, values: [{cpu, value}], formatted?: {key, values: [{cpu, value}]}}
// - a slot the kernel will not return: {key, value: {error: "No such file or directory"}} (empty devmap/cpumap
//   slot), "Operation not supported" (xskmap: user space cannot look its sockets up), "Unknown error 524"
//   (ENOTSUPP, perf event array). These are data, not failures.
// - ringbuf: `[]` and exit 244; an empty prog_array: `[]`.
import { asArray, excerpt, isObj, num, parseJson, ToolOutputError } from './json.js';

export interface MapEntry {
  /** Raw bytes of key and value. */
  key: number[];
  /** Raw value bytes; absent for per-CPU maps and for slots the kernel would not return. */
  value?: number[];
  /** Per-CPU maps: one value per possible CPU. */
  perCpu?: { cpu: number; value: number[] }[];
  /** The kernel returned no value for this key, in bpftool's words ("No such file or directory" = empty slot). */
  error?: string;
  /** BTF-formatted key/value when the map has BTF (bpftool's "formatted"); per-CPU values under perCpu. */
  formatted?: { key?: unknown; value?: unknown; perCpu?: { cpu: number; value: unknown }[] };
}

export interface MapDump {
  entries: MapEntry[];
  /** Output stopped at the byte cap: entries is the first part of the map. */
  truncated: boolean;
  /** The map type holds no values to read (ringbuf, perf event array, ...): why, in words. */
  notDumpable?: string;
}

/** Map types whose contents a dump cannot show, and why. */
const NOT_DUMPABLE: Record<string, string> = {
  ringbuf: 'a ring buffer streams records to user space; it has no keys or values to dump',
  user_ringbuf: 'a user ring buffer streams records from user space; it has no keys or values to dump',
  perf_event_array: 'a perf event array holds perf event fds, one per CPU, for bpf_perf_event_output; no values to dump',
  bloom_filter: 'a bloom filter answers membership only; it has no keys to list',
  queue: 'a queue has no keys (bpftool map peek shows its head)',
  stack: 'a stack has no keys (bpftool map peek shows its top)',
  arena: 'an arena is memory shared with user space, not keyed entries',
  struct_ops: 'a struct_ops map holds kernel callbacks, not data',
};

export function notDumpableReason(type: string): string | undefined {
  return NOT_DUMPABLE[type];
}

const byte = (s: unknown) => (typeof s === 'string' ? parseInt(s, 16) : typeof s === 'number' ? s : NaN);
const bytes = (v: unknown[]) => v.map(byte);

function perCpuOf(v: unknown): { cpu: number; value: unknown }[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.filter(isObj).map((x) => ({ cpu: num(x.cpu) ?? -1, value: x.value }));
  return out.length === v.length ? out : undefined;
}

export function parseMapDump(text: string): MapEntry[] {
  return asArray('bpftool', parseJson('bpftool', text), 'map dump').map((raw) => {
    if (!isObj(raw) || !Array.isArray(raw.key)) {
      throw new ToolOutputError('bpftool', 'map dump entry without key bytes', excerpt(JSON.stringify(raw)));
    }
    const entry: MapEntry = { key: bytes(raw.key) };
    const perCpu = perCpuOf(raw.values);
    if (Array.isArray(raw.value)) entry.value = bytes(raw.value);
    else if (isObj(raw.value) && typeof raw.value.error === 'string') entry.error = raw.value.error;
    else if (perCpu && perCpu.every((p) => Array.isArray(p.value))) entry.perCpu = perCpu.map((p) => ({ cpu: p.cpu, value: bytes(p.value as unknown[]) }));
    else throw new ToolOutputError('bpftool', 'map dump entry without value bytes', excerpt(JSON.stringify(raw)));
    if (isObj(raw.formatted)) {
      const f = raw.formatted;
      entry.formatted = { key: f.key, value: f.value };
      const fPer = perCpuOf(f.values);
      if (fPer) entry.formatted.perCpu = fPer;
    }
    return entry;
  });
}

/**
 * A dump cut at the byte cap ends mid-entry. bpftool's compact JSON starts every entry with `{"key":`, so the
 * entries before the last such start are complete: close the list there.
 */
export function completePrefix(text: string): string {
  const cut = text.lastIndexOf('},{"key":');
  return cut > 0 ? `${text.slice(0, cut + 1)}]` : '[]';
}

/** Sum of a per-CPU value over CPUs, for values that are plain counters (BTF-formatted numbers). */
export function perCpuSum(entry: MapEntry): number | undefined {
  const per = entry.formatted?.perCpu;
  if (!per?.length || !per.every((p) => typeof p.value === 'number')) return undefined;
  return per.reduce((a, p) => a + (p.value as number), 0);
}

/** Slots bpftool listed that hold nothing (devmap, cpumap: ENOENT). */
export const isEmptySlot = (e: MapEntry) => e.error !== undefined && /no such file/i.test(e.error);

