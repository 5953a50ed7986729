// Reading interfaces back from the kernel: `ip -j -s link show` inside a namespace gives ifindex, MAC, the
// attached XDP program and the counters the probe compares.
import type { NetnsRef } from '../engine/types.js';
import type { Exec } from '../tools/exec.js';

export interface LinkInfo {
  ifname: string;
  ifindex: number;
  mac: string;
  operstate: string;
  /** Admin up and carrier (flags UP, LOWER_UP): right after `ip link set up` operstate can still say DOWN. */
  up: boolean;
  /** From ip's `xdp` object: mode 1 native (driver), 2 generic (skb), 3 offload. */
  xdp?: { mode: 'native' | 'generic' | 'offload' | 'multi'; id: number; name: string; tag?: string };
  stats?: { rxPackets: number; txPackets: number; rxDropped: number; txDropped: number };
}

const XDP_MODES: Record<number, NonNullable<LinkInfo['xdp']>['mode']> = { 1: 'native', 2: 'generic', 3: 'offload', 4: 'multi' };

export function parseIpLinks(json: string): LinkInfo[] {
  const rows = JSON.parse(json) as any[];
  return rows.map((r) => {
    const flags: string[] = r.flags ?? [];
    const info: LinkInfo = {
      ifname: r.ifname, ifindex: r.ifindex, mac: r.address, operstate: r.operstate, up: flags.includes('UP') && flags.includes('LOWER_UP'),
    };
    const prog = r.xdp?.prog ?? r.xdp?.attached?.[0]?.prog;
    if (r.xdp && prog) {
      info.xdp = { mode: XDP_MODES[r.xdp.mode] ?? 'multi', id: prog.id, name: prog.name, tag: prog.tag };
    }
    const s = r.stats64;
    if (s) {
      info.stats = { rxPackets: s.rx.packets, txPackets: s.tx.packets, rxDropped: s.rx.dropped, txDropped: s.tx.dropped };
    }
    return info;
  });
}

export async function readLinks(exec: Exec, netns: NetnsRef, withStats = false): Promise<LinkInfo[]> {
  const argv = ['ip', '-j', ...(withStats ? ['-s'] : []), 'link', 'show'];
  const r = await exec.run(argv, { netns, timeoutMs: 10_000 });
  if (!r.ok) throw new Error(`${argv.join(' ')}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  return parseIpLinks(r.stdout);
}

/** Names under /run/netns (`ip -j netns list` prints nothing at all when there are none). */
export async function listNetns(exec: Exec): Promise<string[]> {
  const r = await exec.run(['ip', '-j', 'netns', 'list'], { timeoutMs: 10_000 });
  if (!r.ok) throw new Error(`ip -j netns list: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  const text = r.stdout.trim();
  if (!text) return [];
  return (JSON.parse(text) as { name: string }[]).map((n) => n.name);
}
