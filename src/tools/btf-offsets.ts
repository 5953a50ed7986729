// Where the sk_buff fields the drop-reasons program reads sit in this kernel, from its BTF
// (`bpftool btf dump file /sys/kernel/btf/vmlinux format raw`). Why: bpftrace 0.17 compiles a cast to
// `struct sk_buff *` by turning the kernel's BTF into C and running clang over it — 1.4–1.8 s of the probe's start
// on two cores, against 0.4 s for the same program reading the same fields at their offsets. The offsets differ
// between kernels and configs, so they are always read from the running kernel, never written down.
import { dirname, join } from 'node:path';
import { runDir } from '../state-dirs.js';
import type { BpftoolTool } from './bpftool.js';
import type { Files } from './files.js';

/** One type of the raw dump: its kind, name, size and, for structs and unions, the members. */
interface BtfType {
  kind: string;
  name: string;
  size?: number;
  /** TYPEDEF, PTR, CONST, VOLATILE…: the type it refers to. */
  ref?: number;
  members: { name: string; type: number; bitsOffset: number }[];
}

// Only the kinds a lookup walks through: functions, enums and variables are most of the dump.
const TYPE_LINE = /^\[(\d+)\] (STRUCT|UNION|TYPEDEF|PTR|INT|CONST|VOLATILE|RESTRICT|TYPE_TAG) '([^']*)'(.*)$/gm;
const MEMBER_LINE = /^\s+'([^']*)' type_id=(\d+) bits_offset=(\d+)/;

/**
 * The raw dump as a type table (id → type). Members are read only for the structs and unions a lookup walks
 * through (the dump has ~300k lines here; reading every member line costs ~0.3 s, reading the type lines ~25 ms).
 */
export function parseBtfRaw(text: string): Map<number, BtfType> {
  const types = new Map<number, BtfType>();
  for (const m of text.matchAll(TYPE_LINE)) {
    const rest = m[4]!;
    const size = /\bsize=(\d+)/.exec(rest)?.[1];
    const ref = /\btype_id=(\d+)/.exec(rest)?.[1];
    const kind = m[2]!;
    const at = m.index! + m[0].length + 1;
    const t: BtfType = { kind, name: m[3]!, ...(size ? { size: Number(size) } : {}), ...(ref ? { ref: Number(ref) } : {}), members: [] };
    if (kind === 'STRUCT' || kind === 'UNION') {
      let members: BtfType['members'] | undefined;
      Object.defineProperty(t, 'members', { get: () => (members ??= membersAt(text, at)), enumerable: true });
    }
    types.set(Number(m[1]), t);
  }
  return types;
}

/** The member lines that follow a struct's or union's type line, up to the next type line. */
function membersAt(text: string, at: number): BtfType['members'] {
  const out: BtfType['members'] = [];
  for (let i = at; i < text.length && text[i] !== '[';) {
    const end = text.indexOf('\n', i);
    const m = MEMBER_LINE.exec(text.slice(i, end < 0 ? text.length : end));
    if (m) out.push({ name: m[1]!, type: Number(m[2]), bitsOffset: Number(m[3]) });
    i = end < 0 ? text.length : end + 1;
  }
  return out;
}

const QUALIFIERS = new Set(['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG']);

function resolve(types: Map<number, BtfType>, id: number): BtfType | undefined {
  let t = types.get(id);
  for (let hops = 0; t && QUALIFIERS.has(t.kind) && t.ref !== undefined && hops < 16; hops++) t = types.get(t.ref);
  return t;
}

/** A member's byte offset and resolved type, looking through anonymous structs and unions (sk_buff has many). */
function member(types: Map<number, BtfType>, owner: BtfType, name: string, base = 0): { offset: number; type: BtfType } | undefined {
  for (const m of owner.members) {
    const t = resolve(types, m.type);
    if (!t) continue;
    if (m.name === name) return m.bitsOffset % 8 ? undefined : { offset: base + m.bitsOffset / 8, type: t };
    if (m.name === '(anon)' && (t.kind === 'STRUCT' || t.kind === 'UNION')) {
      const inner = member(types, t, name, base + m.bitsOffset / 8);
      if (inner) return inner;
    }
  }
  return undefined;
}

function struct(types: Map<number, BtfType>, name: string): BtfType | undefined {
  for (const t of types.values()) if (t.kind === 'STRUCT' && t.name === name && t.members.length) return t;
  return undefined;
}

/** Byte offsets of what the drop-reasons program reads, each checked to have the size the program reads it with. */
export interface SkbOffsets {
  /** sk_buff.head (a pointer). */
  head: number;
  /** sk_buff.network_header (a u16 offset from head). */
  networkHeader: number;
  /** sk_buff.dev (a pointer to net_device). */
  dev: number;
  /** net_device.ifindex (an int). */
  ifindex: number;
  /** net_device.nd_net.net (a pointer to struct net). */
  devNet: number;
  /** net.ns.inum (an unsigned int: the namespace's inode). */
  netInum: number;
}

const isPtr = (t: BtfType) => t.kind === 'PTR';
const isInt = (size: number) => (t: BtfType) => t.kind === 'INT' && t.size === size;

/** The offsets, or undefined when this kernel's BTF lacks a field or lays it out otherwise (the caller falls back). */
function skbOffsets(types: Map<number, BtfType>): SkbOffsets | undefined {
  const find = (owner: string, path: string[], ok: (t: BtfType) => boolean): number | undefined => {
    let t = struct(types, owner);
    let offset = 0;
    for (const [i, name] of path.entries()) {
      const m = t && member(types, t, name);
      if (!m) return undefined;
      offset += m.offset;
      if (i === path.length - 1) return ok(m.type) ? offset : undefined;
      t = m.type;
    }
    return undefined;
  };
  const out = {
    head: find('sk_buff', ['head'], isPtr),
    networkHeader: find('sk_buff', ['network_header'], isInt(2)),
    dev: find('sk_buff', ['dev'], isPtr),
    ifindex: find('net_device', ['ifindex'], isInt(4)),
    devNet: find('net_device', ['nd_net', 'net'], isPtr),
    netInum: find('net', ['ns', 'inum'], isInt(4)),
  };
  return Object.values(out).every((v) => v !== undefined) ? (out as SkbOffsets) : undefined;
}

/** Parses the bpftool dump and reads the offsets: undefined when any is missing. */
export const skbOffsetsFromBtfRaw = (text: string) => skbOffsets(parseBtfRaw(text));

export function isSkbOffsets(v: unknown): v is SkbOffsets {
  if (!v || typeof v !== 'object') return false;
  return ['head', 'networkHeader', 'dev', 'ifindex', 'devNet', 'netInum'].every((k) => Number.isInteger((v as Record<string, unknown>)[k]));
}

/** Cached per boot in the run directory: the kernel, hence its BTF, cannot change within a boot. */
export function skbOffsetsCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(runDir(env), `skb-offsets-${process.getuid?.() ?? 'user'}.json`);
}

/** The cached offsets when they are this boot's; undefined for anything else (or unreadable). */
export function parseCachedSkbOffsets(text: string | undefined, bootId: string): SkbOffsets | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as { bootId?: unknown; offsets?: unknown };
    return v.bootId === bootId && isSkbOffsets(v.offsets) ? v.offsets : undefined;
  } catch { return undefined; }
}

export interface SkbOffsetsRead {
  offsets?: SkbOffsets;
  /** Where they came from ("this boot's cache (…)", the bpftool argv), or why there are none. */
  source: string;
}

/**
 * This boot's offsets: from the cache, else from bpftool (then cached, best effort). Never throws: without
 * offsets the caller keeps the struct casts, slower but right.
 */
export async function readSkbOffsets(
  tools: { files: Pick<Files, 'read' | 'write' | 'mkdir'>; bpftool: Pick<BpftoolTool, 'vmlinuxBtfRaw'> },
  bootId: string | undefined,
): Promise<SkbOffsetsRead> {
  const path = skbOffsetsCachePath();
  const cached = bootId ? parseCachedSkbOffsets(await tools.files.read(path), bootId) : undefined;
  if (cached) return { offsets: cached, source: `this boot's cache (${path})` };
  let dump;
  try { dump = await tools.bpftool.vmlinuxBtfRaw(); } catch (e) { return { source: `the kernel's BTF could not be read: ${(e as Error).message}` }; }
  const offsets = skbOffsetsFromBtfRaw(dump.text);
  if (!offsets) return { source: `this kernel's BTF has no sk_buff/net_device layout the program can read (${dump.argv.join(' ')})` };
  if (bootId) await tools.files.mkdir(dirname(path)).then(() => tools.files.write(path, `${JSON.stringify({ bootId, offsets })}\n`)).catch(() => undefined);
  return { offsets, source: dump.argv.join(' ') };
}
