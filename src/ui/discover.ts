// What the start screen offers: every XDP program attached on this host and in every named network namespace
// (`ip -j netns list`, then `ip -j -d link show` inside each through nsenter), and the built-in labs (state files
// under /run/xdp-doctor, see src/state-dirs.ts, and namespaces named PREFIX-client/gw/lb/real). Commands go through the Exec interface;
// the parsing is pure (src/tools/ip.ts) so tests feed recorded output.
import type { Exec } from '../tools/exec.js';
import type { Files } from '../tools/files.js';
import { parseLinks, parseNetnsList, type XdpMode } from '../tools/ip.js';
import { LAB_STATE_FILE as LAB_FILE, runDir } from '../state-dirs.js';
import { pidNetnsLabel, processNamespaces } from '../tools/veth-peer.js';
import { netnsRefOf } from '../netns-ref.js';

const LAB_NODES = ['client', 'gw', 'lb', 'real'] as const;
const LAB_NS = /^([a-z0-9-]{1,10})-(client|gw|lb|real)$/;

interface XdpAttachment {
  iface: string;
  ifindex: number;
  /** Namespace name under /run/netns, or /proc/PID/ns/net for one without a name; undefined for the host's own. */
  netns?: string;
  /** For a namespace without a name: "netns of pid 1234 (comm)". */
  netnsLabel?: string;
  progId: number;
  progName?: string;
  mode: XdpMode;
}

interface LabInfo {
  name: string;
  /** up: built and healthy apart from its faults; building: `lab up` running or crashed; partial: namespaces only. */
  phase: 'up' | 'building' | 'partial';
  faults: string[];
  /** XDP programs inside the lab's namespaces (the LB, the peer's dummy, the decap). */
  programs: number;
}

export interface Discovery {
  programs: XdpAttachment[];
  labs: LabInfo[];
  /** Namespaces or files that could not be read, in words; shown under the list. */
  problems: string[];
  namespaces: number;
}

export type Choice =
  | { kind: 'lab'; lab: LabInfo }
  | { kind: 'iface'; attachment: XdpAttachment };

export function attachmentsOf(text: string, netns?: string): XdpAttachment[] {
  return parseLinks(text)
    .filter((l) => l.xdp && l.xdp.progId > 0)
    .map((l) => ({ iface: l.ifname, ifindex: l.ifindex, netns, progId: l.xdp!.progId, progName: l.xdp!.progName, mode: l.xdp!.mode }));
}

/** Lab prefixes whose four namespaces all exist. */
export function labsFromNamespaces(names: string[]): string[] {
  const byPrefix = new Map<string, Set<string>>();
  for (const n of names) {
    const m = LAB_NS.exec(n);
    if (!m) continue;
    const set = byPrefix.get(m[1]!) ?? new Set();
    set.add(m[2]!);
    byPrefix.set(m[1]!, set);
  }
  return [...byPrefix].filter(([, nodes]) => LAB_NODES.every((n) => nodes.has(n))).map(([p]) => p).sort();
}

export function parseLabState(text: string): { prefix: string; phase: string; faults: string[] } | undefined {
  try {
    const s = JSON.parse(text) as { prefix?: unknown; phase?: unknown; faults?: unknown };
    if (typeof s.prefix !== 'string' || !/^[a-z0-9-]{1,10}$/.test(s.prefix)) return undefined;
    return {
      prefix: s.prefix,
      phase: typeof s.phase === 'string' ? s.phase : 'building',
      faults: Array.isArray(s.faults) ? s.faults.filter((f): f is string => typeof f === 'string') : [],
    };
  } catch {
    return undefined;
  }
}

/** Runs `fn` over items with at most `limit` in flight. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function discover(exec: Exec, files: Pick<Files, 'list' | 'read' | 'readlink'>, opts: { signal?: AbortSignal; stateDir?: string } = {}): Promise<Discovery> {
  const problems: string[] = [];
  const signal = opts.signal;
  const linksIn = async (netns?: string): Promise<XdpAttachment[]> => {
    const r = await exec.run(['ip', '-j', '-d', 'link', 'show'], {
      netns: netns ? netnsRefOf(netns) : undefined, timeoutMs: 5000, signal,
    });
    if (!r.ok) {
      problems.push(`${netns ?? 'host'}: ${(r.stderr.trim().split('\n').pop() || `ip exit ${r.exitCode}`)}`);
      return [];
    }
    try {
      return attachmentsOf(r.stdout, netns);
    } catch (e) {
      problems.push(`${netns ?? 'host'}: ${(e as Error).message}`);
      return [];
    }
  };

  const nsList = await exec.run(['ip', '-j', 'netns', 'list'], { timeoutMs: 5000, signal });
  let names: string[] = [];
  if (nsList.ok) {
    try { names = parseNetnsList(nsList.stdout); } catch (e) { problems.push(`ip netns list: ${(e as Error).message}`); }
  } else if (!nsList.notFound) {
    problems.push(`ip netns list: ${nsList.stderr.trim() || `exit ${nsList.exitCode}`}`);
  }
  const unnamed = await unnamedNamespaces(exec, files, names, signal);
  const [host, perNs, perPid, labFiles] = await Promise.all([
    linksIn(undefined),
    mapLimit(names, 8, (n) => linksIn(n)),
    mapLimit(unnamed, 8, async (p) => (await linksIn(`/proc/${p.pid}/ns/net`)).map((a) => ({ ...a, netnsLabel: pidNetnsLabel(p) }))),
    readLabFiles(files, opts.stateDir ?? runDir()),
  ]);

  const nsSet = new Set(names);
  const labs = new Map<string, LabInfo>();
  for (const s of labFiles) {
    const allNs = LAB_NODES.every((n) => nsSet.has(`${s.prefix}-${n}`));
    const anyNs = LAB_NODES.some((n) => nsSet.has(`${s.prefix}-${n}`));
    if (!anyNs) continue; // a stale state file of a lab whose namespaces are gone
    labs.set(s.prefix, { name: s.prefix, phase: s.phase === 'up' && allNs ? 'up' : s.phase === 'building' ? 'building' : 'partial', faults: s.faults, programs: 0 });
  }
  for (const prefix of labsFromNamespaces(names)) {
    if (!labs.has(prefix)) labs.set(prefix, { name: prefix, phase: 'partial', faults: [], programs: 0 });
  }

  const programs: XdpAttachment[] = [...host];
  perNs.forEach((list, i) => {
    const ns = names[i]!;
    const lab = LAB_NS.exec(ns)?.[1];
    const info = lab ? labs.get(lab) : undefined;
    // A lab's programs are reached through the lab entry; listing them again would bury everything else.
    if (info) info.programs += list.length;
    else programs.push(...list);
  });
  programs.sort((a, b) => (a.netns ?? '').localeCompare(b.netns ?? '') || a.iface.localeCompare(b.iface));
  programs.push(...perPid.flat());
  return { programs, labs: [...labs.values()].sort((a, b) => a.name.localeCompare(b.name)), problems, namespaces: names.length + unnamed.length };
}

/**
 * Namespaces held by processes that have no name under /run/netns (containers, pods, sandboxes): every distinct
 * /proc/PID/ns/net other than the host's and the named ones (whose inodes one `stat` reads).
 */
async function unnamedNamespaces(exec: Exec, files: Pick<Files, 'list' | 'read' | 'readlink'>, names: string[], signal?: AbortSignal) {
  const known = new Set<string>();
  const self = /^net:\[(\d+)\]$/.exec((await files.readlink('/proc/self/ns/net')) ?? '')?.[1];
  if (self) known.add(self);
  if (names.length) {
    const r = await exec.run(['stat', '-L', '-c', '%i', ...names.map((n) => `/run/netns/${n}`)], { timeoutMs: 5000, signal });
    for (const line of r.stdout.split('\n')) if (/^\d+$/.test(line.trim())) known.add(line.trim());
  }
  return (await processNamespaces(files as Files)).filter((p) => !known.has(p.inode));
}

async function readLabFiles(files: Pick<Files, 'list' | 'read'>, dir: string) {
  const out: { prefix: string; phase: string; faults: string[] }[] = [];
  for (const f of (await files.list(dir)).sort()) {
    if (!LAB_FILE.test(f)) continue;
    const text = await files.read(`${dir}/${f}`);
    const s = text ? parseLabState(text) : undefined;
    if (s) out.push(s);
  }
  return out;
}

/** The start screen's rows: labs first (the usual way in), then every other program. */
export function choicesOf(d: Discovery, preferLab?: string): { choices: Choice[]; selected: number } {
  const choices: Choice[] = [
    ...d.labs.map((lab): Choice => ({ kind: 'lab', lab })),
    ...d.programs.map((attachment): Choice => ({ kind: 'iface', attachment })),
  ];
  let selected = choices.findIndex((c) => c.kind === 'lab' && c.lab.name === preferLab);
  if (selected < 0) selected = choices.findIndex((c) => c.kind === 'lab' && c.lab.phase === 'up');
  return { choices, selected: Math.max(0, selected) };
}

export function describeChoice(c: Choice): string {
  if (c.kind === 'lab') {
    const l = c.lab;
    const state = l.phase === 'up' ? 'up' : l.phase === 'building' ? 'being built or crashed' : 'partly built';
    return `the built-in lab ${l.name} (${state}${l.faults.length ? `; fault: ${l.faults.join(', ')}` : ''})`;
  }
  const a = c.attachment;
  return `${a.iface} in ${a.netnsLabel ?? a.netns ?? 'the host namespace'}: ${a.progName ?? 'prog'} id ${a.progId} (${a.mode})`;
}
