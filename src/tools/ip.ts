// iproute2: `ip -j` output. Interface facts (ifindex, XDP program and mode, veth peer), namespace ids.
import type { NetnsRef } from '../engine/types.js';
import type { Exec } from './exec.js';
import { asArray, isObj, num, parseJson, str, ToolOutputError } from './json.js';

export type XdpMode = 'native' | 'generic' | 'offload' | 'multi';

export interface LinkInfo {
  ifindex: number;
  ifname: string;
  kind?: string;
  up: boolean;
  mtu?: number;
  mac?: string;
  /** ifindex of the other end for veth (in the namespace named by linkNetnsid when set). */
  linkIndex?: number;
  linkNetnsid?: number;
  xdp?: { mode: XdpMode; progId: number; progName?: string; tag?: string; btfId?: number };
  stats?: { rxPackets: number; txPackets: number; rxDropped: number; txDropped: number };
}

// include/uapi/linux/if_link.h XDP_ATTACHED_*: 1 DRV, 2 SKB, 3 HW, 4 MULTI.
const MODES: Record<number, XdpMode> = { 1: 'native', 2: 'generic', 3: 'offload', 4: 'multi' };

export function parseLinks(text: string): LinkInfo[] {
  return asArray('ip', parseJson('ip', text), 'ip -j link').map((raw) => {
    if (!isObj(raw)) throw new ToolOutputError('ip', 'link entry is not an object', JSON.stringify(raw));
    const ifindex = num(raw.ifindex);
    const ifname = str(raw.ifname);
    if (ifindex === undefined || !ifname) throw new ToolOutputError('ip', 'link entry without ifindex/ifname', JSON.stringify(raw).slice(0, 200));
    const link: LinkInfo = {
      ifindex, ifname, up: Array.isArray(raw.flags) && raw.flags.includes('UP'),
      mtu: num(raw.mtu), mac: str(raw.address), linkIndex: num(raw.link_index), linkNetnsid: num(raw.link_netnsid),
    };
    if (isObj(raw.linkinfo)) link.kind = str(raw.linkinfo.info_kind);
    if (isObj(raw.xdp) && isObj(raw.xdp.prog)) {
      const p = raw.xdp.prog;
      link.xdp = {
        mode: MODES[num(raw.xdp.mode) ?? 0] ?? 'native',
        progId: num(p.id) ?? 0, progName: str(p.name), tag: str(p.tag), btfId: num(p.btf_id),
      };
    }
    if (isObj(raw.stats64) && isObj(raw.stats64.rx) && isObj(raw.stats64.tx)) {
      link.stats = {
        rxPackets: num(raw.stats64.rx.packets) ?? 0, txPackets: num(raw.stats64.tx.packets) ?? 0,
        rxDropped: num(raw.stats64.rx.dropped) ?? 0, txDropped: num(raw.stats64.tx.dropped) ?? 0,
      };
    }
    return link;
  });
}

export function parseNetnsIds(text: string): { nsid: number; name?: string }[] {
  if (!text.trim()) return [];
  return asArray('ip', parseJson('ip', text), 'ip -j netns list-id')
    .filter(isObj)
    .map((r) => ({ nsid: num(r.nsid) ?? -1, name: str(r.name) }));
}

export function parseNetnsList(text: string): string[] {
  if (!text.trim()) return [];
  return asArray('ip', parseJson('ip', text), 'ip -j netns list').filter(isObj).map((r) => str(r.name) ?? '').filter(Boolean);
}

export function createIp(exec: Exec) {
  return {
    async links(netns?: NetnsRef, opts: { details?: boolean; stats?: boolean; iface?: string } = {}): Promise<LinkInfo[]> {
      const argv = ['ip', '-j', ...(opts.details ? ['-d'] : []), ...(opts.stats ? ['-s'] : []), 'link', 'show', ...(opts.iface ? ['dev', opts.iface] : [])];
      const r = await exec.run(argv, { netns, timeoutMs: 5000 });
      if (!r.ok) throw new ToolOutputError('ip', r.stderr.trim() || `exit ${r.exitCode}`, r.stderr);
      return parseLinks(r.stdout);
    },
    async netnsIds(netns?: NetnsRef) {
      const r = await exec.run(['ip', '-j', 'netns', 'list-id'], { netns, timeoutMs: 5000 });
      return r.ok ? parseNetnsIds(r.stdout) : [];
    },
    async netnsNames(): Promise<string[]> {
      const r = await exec.run(['ip', '-j', 'netns', 'list'], { timeoutMs: 5000 });
      return r.ok ? parseNetnsList(r.stdout) : [];
    },
  };
}
export type IpTool = ReturnType<typeof createIp>;
