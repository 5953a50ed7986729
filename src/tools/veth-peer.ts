// The other end of a veth, wherever it lives: the same namespace (iproute2 names it in `link`), a namespace
// named under /run/netns (`link_netnsid` → `ip netns list-id`), or a namespace without a name — a container's,
// a pod's, a sandbox's — found by scanning the namespaces of running processes (/proc/PID/ns/net) for the veth
// whose ifindex is ours' link_index and whose own link_index points back at us. Such a namespace is entered as
// /proc/PID/ns/net and shown as "netns of pid 1234 (comm)".
import type { Files } from './files.js';
import type { IpTool, LinkInfo } from './ip.js';
import { netnsPath, type NetnsRef } from './netns.js';

export interface VethPeer { link: LinkInfo; netns?: NetnsRef; /** For humans: a name, or "netns of pid N (comm)". */ label?: string }

/** Namespaces looked at in a scan, at most: a host with thousands of containers is not scanned whole. */
export const MAX_SCANNED_NETNS = 256;

export interface NetnsOfProcess { inode: string; pid: number; comm?: string }

/** One process per distinct network namespace (the lowest pid), from /proc/PID/ns/net links like "net:[4026532301]". */
export async function processNamespaces(files: Pick<Files, 'list' | 'read' | 'readlink'>, limit = MAX_SCANNED_NETNS): Promise<NetnsOfProcess[]> {
  const seen = new Map<string, NetnsOfProcess>();
  const pids = (await files.list('/proc')).filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => a - b);
  for (const pid of pids) {
    const inode = /^net:\[(\d+)\]$/.exec((await files.readlink(`/proc/${pid}/ns/net`)) ?? '')?.[1];
    if (!inode || seen.has(inode)) continue;
    seen.set(inode, { inode, pid, comm: (await files.read(`/proc/${pid}/comm`))?.trim() });
    if (seen.size >= limit) break;
  }
  return [...seen.values()];
}

export function pidNetnsLabel(p: Pick<NetnsOfProcess, 'pid' | 'comm'>): string {
  return `netns of pid ${p.pid}${p.comm ? ` (${p.comm})` : ''}`;
}

export async function findVethPeer(ip: IpTool, files: Files, link: LinkInfo, netns?: NetnsRef): Promise<VethPeer | undefined> {
  if (link.kind !== 'veth') return undefined;
  if (link.linkNetnsid === undefined) {
    if (link.linkName === undefined && link.linkIndex === undefined) return undefined;
    const here = await ip.links(netns, { details: true });
    const peer = here.find((l) => (link.linkName ? l.ifname === link.linkName : l.ifindex === link.linkIndex && l.ifindex !== link.ifindex));
    return peer ? { link: peer, netns, label: netns ? netnsLabel(netns) : undefined } : undefined;
  }
  const name = (await ip.netnsIds(netns)).find((x) => x.nsid === link.linkNetnsid)?.name;
  if (name) {
    const ref: NetnsRef = { kind: 'name', name };
    const peer = (await ip.links(ref, { details: true }).catch(() => [])).find((l) => l.ifindex === link.linkIndex);
    if (peer) return { link: peer, netns: ref, label: name };
  }
  // No name: look in every namespace a process holds, for the veth that points back at this one.
  const mine = netns ? /^net:\[(\d+)\]$/.exec((await files.readlink(netnsPath(netns))) ?? '')?.[1] : undefined;
  for (const p of await processNamespaces(files)) {
    if (p.inode === mine) continue;
    const ref: NetnsRef = { kind: 'pid', pid: p.pid };
    const links = await ip.links(ref, { details: true }).catch(() => [] as LinkInfo[]);
    const peer = links.find((l) => l.kind === 'veth' && l.ifindex === link.linkIndex && l.linkIndex === link.ifindex && l.linkNetnsid !== undefined);
    if (peer) return { link: peer, netns: ref, label: pidNetnsLabel(p) };
  }
  return undefined;
}

function netnsLabel(ref: NetnsRef): string {
  return ref.kind === 'name' ? ref.name : ref.kind === 'pid' ? `netns of pid ${ref.pid}` : ref.path;
}
