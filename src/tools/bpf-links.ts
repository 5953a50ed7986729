// Programs attached through a bpf_link (libxdp, cilium, katran's loaders) belong to whoever holds the link:
// netlink cannot detach them ("Can't replace active BPF XDP link"), and they vanish when that process exits.
// `bpftool link show` says which links exist; the holder is found the way `bpftool` itself does without its
// pid iterator: the process whose fd points at anon_inode:bpf_link with that link id in its fdinfo.
import type { Exec } from './exec.js';
import type { Files } from './files.js';
import { asArray, isObj, num, parseJson, str } from './json.js';

export interface BpfLink { id: number; type: string; progId?: number; ifindex?: number }
export interface LinkHolder { pid: number; comm?: string; fd: number }

export function parseLinkShow(text: string): BpfLink[] {
  if (!text.trim()) return [];
  return asArray('bpftool', parseJson('bpftool', text), 'link show').filter(isObj).map((l) => ({
    id: num(l.id) ?? -1, type: str(l.type) ?? '?', progId: num(l.prog_id), ifindex: num(l.ifindex),
  }));
}

/** /proc/PID/fdinfo/FD of a bpf_link fd: "link_type:\txdp", "link_id:\t89", "prog_id:\t2422", "ifindex:\t2". */
export function parseLinkFdinfo(text: string): { type?: string; linkId?: number; progId?: number; ifindex?: number } {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const n = (v?: string) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  return { type: field('link_type'), linkId: n(field('link_id')), progId: n(field('prog_id')), ifindex: n(field('ifindex')) };
}

/** XDP links to this program; none when bpftool cannot list links (older bpftool, no permission). */
export async function xdpLinksOf(exec: Exec, progId: number): Promise<BpfLink[]> {
  try {
    const r = await exec.run(['bpftool', '-j', 'link', 'show'], { timeoutMs: 10_000 });
    return r.ok ? parseLinkShow(r.stdout).filter((l) => l.type === 'xdp' && l.progId === progId) : [];
  } catch {
    return [];
  }
}

/** Processes holding an fd of this link. Bounded: at most `maxProcs` processes are looked at. */
export async function linkHolders(files: Files, linkId: number, maxProcs = 4096): Promise<LinkHolder[]> {
  const out: LinkHolder[] = [];
  const pids = (await files.list('/proc')).filter((d) => /^\d+$/.test(d)).slice(0, maxProcs);
  for (const pid of pids) {
    for (const fd of await files.list(`/proc/${pid}/fd`)) {
      if ((await files.readlink(`/proc/${pid}/fd/${fd}`)) !== 'anon_inode:bpf_link') continue;
      const info = parseLinkFdinfo((await files.read(`/proc/${pid}/fdinfo/${fd}`)) ?? '');
      if (info.linkId !== linkId) continue;
      out.push({ pid: Number(pid), fd: Number(fd), comm: (await files.read(`/proc/${pid}/comm`))?.trim() });
    }
  }
  return out;
}
