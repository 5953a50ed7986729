// Discovery: every XDP program attached on this host and in every network namespace — named ones (`ip -j netns
// list`) and ones only a process holds (containers, pods) — entered through nsenter, and the built-in labs as
// src/lab/runs.ts reports them. Everything runs through the tools layer, so tests feed recorded output.
import { labOfNamespace, labRuns } from '../lab/runs.js';
import { netnsRefOf } from '../netns-ref.js';
import type { Files } from '../tools/files.js';
import type { IpTool, LinkInfo } from '../tools/ip.js';
import { netnsPath } from '../tools/netns.js';
import type { StatTool } from '../tools/stat.js';
import { pidNetnsLabel, processNamespaces } from '../tools/veth-peer.js';
import type { Discovery, FoundLab, FoundProgram } from './choices.js';

/** The part of ctx.tools discovery uses (createTools() gives all of it). */
interface DiscoveryTools {
  ip: IpTool;
  stat: StatTool;
  files: Pick<Files, 'list' | 'read' | 'readlink'>;
}

/** Namespaces entered at once: a host with hundreds is surveyed in batches, not with hundreds of nsenters. */
const IN_FLIGHT = 8;

export function attachmentsOf(links: LinkInfo[], netns?: string): FoundProgram[] {
  return links
    .filter((l) => l.xdp && l.xdp.progId > 0)
    .map((l) => ({ iface: l.ifname, ifindex: l.ifindex, netns, progId: l.xdp!.progId, progName: l.xdp!.progName, mode: l.xdp!.mode }));
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

export async function discover(tools: DiscoveryTools, opts: { signal?: AbortSignal; stateDir?: string } = {}): Promise<Discovery> {
  const problems: string[] = [];
  const signal = opts.signal;
  const linksIn = async (netns?: string): Promise<FoundProgram[]> => {
    const r = await tools.ip.surveyLinks(netns ? netnsRefOf(netns) : undefined, signal);
    if ('problem' in r) {
      problems.push(`${netns ?? 'host'}: ${r.problem}`);
      return [];
    }
    return attachmentsOf(r.links, netns);
  };

  const listed = await tools.ip.surveyNetns(signal);
  if (listed.problem) problems.push(listed.problem);
  const names = listed.names;
  const unnamed = await unnamedNamespaces(tools, names, signal);
  const [host, perNs, perPid, runs] = await Promise.all([
    linksIn(undefined),
    mapLimit(names, IN_FLIGHT, (n) => linksIn(n)),
    mapLimit(unnamed, IN_FLIGHT, async (p) => (await linksIn(`/proc/${p.pid}/ns/net`)).map((a) => ({ ...a, netnsLabel: pidNetnsLabel(p) }))),
    labRuns(tools.files, names, opts.stateDir),
  ]);

  const labs = new Map<string, FoundLab>(runs.map((r) => [r.name, { ...r, programs: 0 }]));
  const programs: FoundProgram[] = [...host];
  perNs.forEach((list, i) => {
    const lab = labOfNamespace(names[i]!);
    const found = lab ? labs.get(lab.prefix) : undefined;
    // A lab's programs are reached through the lab entry; listing them again would bury everything else.
    if (found) found.programs += list.length;
    else programs.push(...list);
  });
  programs.sort((a, b) => (a.netns ?? '').localeCompare(b.netns ?? '') || a.iface.localeCompare(b.iface));
  programs.push(...perPid.flat());
  return { programs, labs: [...labs.values()], problems, namespaces: names.length + unnamed.length };
}

/**
 * Namespaces held by processes that have no name under /run/netns (containers, pods, sandboxes): every distinct
 * /proc/PID/ns/net other than the host's and the named ones (whose inodes one `stat` reads).
 */
async function unnamedNamespaces(tools: DiscoveryTools, names: string[], signal?: AbortSignal) {
  const known = new Set<string>();
  const self = /^net:\[(\d+)\]$/.exec((await tools.files.readlink('/proc/self/ns/net')) ?? '')?.[1];
  if (self) known.add(self);
  for (const inode of await tools.stat.inodes(names.map((name) => netnsPath({ kind: 'name', name })), { signal })) known.add(inode);
  return (await processNamespaces(tools.files)).filter((p) => !known.has(p.inode));
}
