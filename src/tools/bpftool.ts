// bpftool -j: programs, maps (dumped with BTF when the program carries it) and XDP attachments.
import type { NetnsRef } from './netns.js';
import type { Exec } from './exec.js';
import { asArray, excerpt, isObj, num, parseJson, str, ToolOutputError } from './json.js';
import { parseXlatedJson, programCalls, type ProgramCalls } from './bpftool-xlated.js';
import { completePrefix, notDumpableReason, parseMapDump, type MapDump, type MapEntry } from './bpftool-map-dump.js';

export { parseMapDump, perCpuSum, isEmptySlot, notDumpableReason, type MapDump, type MapEntry } from './bpftool-map-dump.js';

/** A dump larger than this is read in part (a map with millions of entries would take seconds and hundreds of MB). */
const MAP_DUMP_MAX_BYTES = 4 * 1024 * 1024;

export interface ProgInfo {
  id: number; type: string; name?: string; tag?: string; btfId?: number; mapIds: number[];
  runCnt?: number; runTimeNs?: number; bytesXlated?: number;
}
export interface MapInfo {
  id: number; type: string; name: string; keySize: number; valueSize: number; maxEntries: number; btfId?: number; frozen: boolean;
}
export interface XdpAttachment { devname: string; ifindex: number; mode: string; progId: number }

/** bpftool -j prints {"error": "..."} on failure; surface that text. */
function failure(text: string): string | undefined {
  try {
    const v = JSON.parse(text);
    return isObj(v) && typeof v.error === 'string' ? v.error : undefined;
  } catch { return undefined; }
}

export function parseProg(text: string): ProgInfo {
  const raw = parseJson('bpftool', text);
  if (!isObj(raw) || num(raw.id) === undefined) throw new ToolOutputError('bpftool', 'prog show: no program id', excerpt(text));
  return {
    id: num(raw.id)!, type: str(raw.type) ?? 'unknown', name: str(raw.name), tag: str(raw.tag), btfId: num(raw.btf_id),
    mapIds: Array.isArray(raw.map_ids) ? raw.map_ids.filter((x): x is number => typeof x === 'number') : [],
    runCnt: num(raw.run_cnt), runTimeNs: num(raw.run_time_ns), bytesXlated: num(raw.bytes_xlated),
  };
}

export function parseMap(text: string): MapInfo {
  const raw = parseJson('bpftool', text);
  if (!isObj(raw) || num(raw.id) === undefined) throw new ToolOutputError('bpftool', 'map show: no map id', excerpt(text));
  return {
    id: num(raw.id)!, type: str(raw.type) ?? 'unknown', name: str(raw.name) ?? '', keySize: num(raw.bytes_key) ?? 0,
    valueSize: num(raw.bytes_value) ?? 0, maxEntries: num(raw.max_entries) ?? 0, btfId: num(raw.btf_id), frozen: raw.frozen === 1,
  };
}

export function parseNetShow(text: string): XdpAttachment[] {
  const out: XdpAttachment[] = [];
  for (const block of asArray('bpftool', parseJson('bpftool', text), 'net show')) {
    if (!isObj(block) || !Array.isArray(block.xdp)) continue;
    for (const x of block.xdp) {
      if (!isObj(x)) continue;
      out.push({ devname: str(x.devname) ?? '?', ifindex: num(x.ifindex) ?? 0, mode: str(x.mode) ?? '?', progId: num(x.id) ?? 0 });
    }
  }
  return out;
}

/** Format strings compiled into the program (its .rodata map, BTF-formatted): what its bpf_printk lines look like. */
export function printkFormats(rodataDump: MapEntry[]): string[] {
  const formats: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') { if (v.includes('%') || v.length > 3) formats.push(v); return; }
    if (Array.isArray(v)) { v.forEach(visit); return; }
    if (isObj(v)) for (const [k, inner] of Object.entries(v)) { if (k.includes('fmt') || typeof inner !== 'string') visit(inner); }
  };
  for (const e of rodataDump) visit(e.formatted?.value);
  return formats;
}

/** Where the kernel exposes its own BTF (CONFIG_DEBUG_INFO_BTF). */
const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

export function createBpftool(exec: Exec) {
  const json = async (argv: string[], netns?: NetnsRef) => {
    const r = await exec.run(['bpftool', '-j', ...argv], { netns, timeoutMs: 10_000 });
    if (!r.ok) {
      const msg = failure(r.stdout) ?? (r.stderr.trim() || `exit ${r.exitCode}`);
      throw new ToolOutputError('bpftool', `${argv.join(' ')}: ${msg}`, excerpt(r.stdout || r.stderr));
    }
    return r.stdout;
  };
  return {
    prog: async (id: number) => parseProg(await json(['prog', 'show', 'id', String(id)])),
    /** The program pinned at a bpffs path: for whoever pinned it, who has no id until it is loaded. */
    progPinned: async (path: string) => parseProg(await json(['prog', 'show', 'pinned', path])),
    map: async (id: number) => parseMap(await json(['map', 'show', 'id', String(id)])),
    mapDump: async (id: number) => parseMapDump(await json(['map', 'dump', 'id', String(id)])),
    mapDumpPinned: async (path: string) => parseMapDump(await json(['map', 'dump', 'pinned', path])),
    /**
     * Every map type, bounded: types with nothing to dump are not dumped, and output past maxBytes is cut at the
     * last complete entry (the dump says it is truncated).
     */
    mapRead: async (map: Pick<MapInfo, 'id' | 'type'>, opts: { maxBytes?: number } = {}): Promise<MapDump> => {
      const why = notDumpableReason(map.type);
      if (why) return { entries: [], truncated: false, notDumpable: why };
      const argv = ['bpftool', '-j', 'map', 'dump', 'id', String(map.id)];
      const r = await exec.run(argv, { timeoutMs: 10_000, maxBytes: opts.maxBytes ?? MAP_DUMP_MAX_BYTES });
      if (r.truncated || (r.timedOut && r.stdout.length)) return { entries: parseMapDump(completePrefix(r.stdout)), truncated: true };
      if (!r.ok) {
        const msg = failure(r.stdout) ?? (r.stderr.trim() || `exit ${r.exitCode}`);
        throw new ToolOutputError('bpftool', `map dump id ${map.id}: ${msg}`, excerpt(r.stdout || r.stderr));
      }
      return { entries: parseMapDump(r.stdout), truncated: false };
    },
    netShow: async (netns?: NetnsRef) => parseNetShow(await json(['net', 'show'], netns)),
    /** The helpers a loaded program calls and the maps it hands them, from its instructions after verification. */
    calls: async (id: number): Promise<ProgramCalls> => programCalls(parseXlatedJson(await json(['prog', 'dump', 'xlated', 'id', String(id)]))),
    /** The running kernel's BTF as bpftool's raw text (~12 MB here): type layouts read without clang. */
    vmlinuxBtfRaw: async () => {
      const argv = ['bpftool', 'btf', 'dump', 'file', VMLINUX_BTF, 'format', 'raw'];
      const r = await exec.run(argv, { timeoutMs: 30_000 });
      if (!r.ok) throw new ToolOutputError('bpftool', r.stderr.trim() || `exit ${r.exitCode}`, excerpt(r.stderr));
      return { text: r.stdout, argv };
    },
    /** Instructions after verification: tells whether the program calls bpf_trace_printk at all. */
    xlated: async (id: number) => {
      const r = await exec.run(['bpftool', 'prog', 'dump', 'xlated', 'id', String(id)], { timeoutMs: 10_000 });
      if (!r.ok) throw new ToolOutputError('bpftool', r.stderr.trim() || `exit ${r.exitCode}`, excerpt(r.stderr));
      return r.stdout;
    },
  };
}
export type BpftoolTool = ReturnType<typeof createBpftool>;
