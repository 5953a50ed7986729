// iproute2: `ip -j` output. Interface facts (ifindex, XDP program and mode, veth peer), namespace ids.
import type { NetnsRef } from './netns.js';
import type { Exec } from './exec.js';
import { asArray, excerpt, isObj, num, parseJson, str, ToolOutputError } from './json.js';

export type XdpMode = 'native' | 'generic' | 'offload' | 'multi';
export interface XdpAttachment { mode: XdpMode; progId: number; progName?: string; tag?: string; btfId?: number }

export interface LinkInfo {
  ifindex: number;
  ifname: string;
  kind?: string;
  /** Administratively up (flag UP). */
  up: boolean;
  /** Has carrier (flag LOWER_UP): a veth is up and running only once both ends are up. */
  carrier: boolean;
  mtu?: number;
  mac?: string;
  /** ifindex of the other end for veth (in the namespace named by linkNetnsid when set). */
  linkIndex?: number;
  linkNetnsid?: number;
  /** The other end by name, when it is in the same namespace (iproute2 prints `link` then, not `link_index`). */
  linkName?: string;
  xdp?: XdpAttachment;
  /** Every program attached, one per mode (several only in multi mode: offload with native or generic). */
  attachments?: XdpAttachment[];
  stats?: { rxPackets: number; txPackets: number; rxDropped: number; txDropped: number };
  /** With -d: the queues the device was made with, and the largest MTU it accepts now (veth lowers its peer's with XDP). */
  numTxQueues?: number;
  numRxQueues?: number;
  maxMtu?: number;
}

// include/uapi/linux/if_link.h XDP_ATTACHED_*: 1 DRV, 2 SKB, 3 HW, 4 MULTI.
const MODES: Record<number, XdpMode> = { 1: 'native', 2: 'generic', 3: 'offload', 4: 'multi' };

export function parseLinks(text: string): LinkInfo[] {
  return asArray('ip', parseJson('ip', text), 'ip -j link').map((raw) => {
    if (!isObj(raw)) throw new ToolOutputError('ip', 'link entry is not an object', JSON.stringify(raw));
    const ifindex = num(raw.ifindex);
    const ifname = str(raw.ifname);
    if (ifindex === undefined || !ifname) throw new ToolOutputError('ip', 'link entry without ifindex/ifname', JSON.stringify(raw).slice(0, 200));
    const flags = Array.isArray(raw.flags) ? raw.flags : [];
    const link: LinkInfo = {
      ifindex, ifname, up: flags.includes('UP'), carrier: flags.includes('LOWER_UP'),
      mtu: num(raw.mtu), mac: str(raw.address), linkIndex: num(raw.link_index), linkNetnsid: num(raw.link_netnsid),
      ...(str(raw.link) ? { linkName: str(raw.link) } : {}),
      ...(num(raw.num_tx_queues) !== undefined ? { numTxQueues: num(raw.num_tx_queues) } : {}),
      ...(num(raw.num_rx_queues) !== undefined ? { numRxQueues: num(raw.num_rx_queues) } : {}),
      ...(num(raw.max_mtu) !== undefined ? { maxMtu: num(raw.max_mtu) } : {}),
    };
    if (isObj(raw.linkinfo)) link.kind = str(raw.linkinfo.info_kind);
    if (isObj(raw.xdp)) {
      const x = raw.xdp;
      const attachments = Array.isArray(x.attached)
        ? x.attached.filter(isObj).map((a) => attachmentOf(num(a.mode), a.prog)).filter((a): a is XdpAttachment => Boolean(a))
        : [];
      // One mode: `prog` names the program. Multi mode (several attached): only `attached[]` does, and the
      // program that sees packets first on the host is the native (driver) one, else the generic one.
      const primary = attachmentOf(num(x.mode), x.prog) ?? attachments.find((a) => a.mode === 'native') ?? attachments.find((a) => a.mode === 'generic') ?? attachments[0];
      if (primary) link.xdp = primary;
      if (attachments.length) link.attachments = attachments;
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

function attachmentOf(mode: number | undefined, prog: unknown): XdpAttachment | undefined {
  if (!isObj(prog) || num(prog.id) === undefined) return undefined;
  return { mode: MODES[mode ?? 0] ?? 'native', progId: num(prog.id)!, progName: str(prog.name), tag: str(prog.tag), btfId: num(prog.btf_id) };
}

/** IPv4 addresses from `ip -j addr show`: local address per interface. */
export function parseAddrs(text: string): { ifname: string; ipv4: string[] }[] {
  if (!text.trim()) return [];
  return asArray('ip', parseJson('ip', text), 'ip -j addr').filter(isObj).map((r) => ({
    ifname: str(r.ifname) ?? '',
    ipv4: (Array.isArray(r.addr_info) ? r.addr_info : []).filter(isObj).filter((a) => a.family === 'inet').map((a) => str(a.local) ?? '').filter(Boolean),
  }));
}

/** One neighbour entry of `ip -j neigh show`: the address, its device, the MAC when resolved, and its states. */
export interface Neighbour { dst: string; dev: string; lladdr?: string; state: string[] }

export function parseNeighbours(text: string): Neighbour[] {
  const rows = parseJson('ip', text.trim() || '[]');
  if (!Array.isArray(rows)) throw new ToolOutputError('ip', 'neigh show: expected an array', excerpt(text));
  return rows.filter((r) => r && typeof r.dst === 'string').map((r) => ({
    dst: r.dst, dev: String(r.dev ?? ''), ...(typeof r.lladdr === 'string' ? { lladdr: r.lladdr } : {}),
    state: Array.isArray(r.state) ? r.state.map(String) : [],
  }));
}

/** `ip -j route get DST`: where the kernel would send DST — its device, the gateway when there is one, the type. */
export interface RouteGet { dst: string; dev: string; gateway?: string; prefsrc?: string; type?: string }

/** The route `ip -j route get` prints (one object in an array); undefined when it printed none (no route). */
export function parseRouteGet(text: string): RouteGet | undefined {
  if (!text.trim()) return undefined;
  const [r] = asArray('ip', parseJson('ip', text), 'ip -j route get').filter(isObj);
  if (!r || typeof r.dst !== 'string' || typeof r.dev !== 'string') return undefined;
  return {
    dst: r.dst, dev: r.dev,
    ...(typeof r.gateway === 'string' ? { gateway: r.gateway } : {}),
    ...(typeof r.prefsrc === 'string' ? { prefsrc: r.prefsrc } : {}),
    ...(typeof r.type === 'string' ? { type: r.type } : {}),
  };
}

/**
 * Whether a neighbour entry lets bpf_fib_lookup() answer: it returns NO_NEIGH unless the entry is NUD_VALID
 * (net/core/filter.c bpf_ipv4_fib_lookup(): `if (!neigh || !(neigh->nud_state & NUD_VALID))`), i.e. one of
 * REACHABLE, STALE, DELAY, PROBE, PERMANENT, NOARP (include/net/neighbour.h). INCOMPLETE and FAILED are not.
 */
export function neighbourValid(n: Neighbour): boolean {
  return n.state.some((s) => ['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP'].includes(s));
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
    /**
     * `ip -j -d link show` for a survey of many namespaces (the start screen's): a namespace that cannot be
     * entered or read is a problem in words — the last line nsenter or ip printed — and the survey goes on.
     */
    async surveyLinks(netns?: NetnsRef, signal?: AbortSignal): Promise<{ links: LinkInfo[] } | { problem: string }> {
      const r = await exec.run(['ip', '-j', '-d', 'link', 'show'], { netns, timeoutMs: 5000, signal });
      if (!r.ok) return { problem: r.stderr.trim().split('\n').pop() || `ip exit ${r.exitCode}` };
      try {
        return { links: parseLinks(r.stdout) };
      } catch (e) {
        return { problem: (e as Error).message };
      }
    },
    /** IPv4 addresses of one interface (none when it cannot be read). */
    async ipv4(iface: string, netns?: NetnsRef): Promise<string[]> {
      const r = await exec.run(['ip', '-j', 'addr', 'show', 'dev', iface], { netns, timeoutMs: 5000 });
      try { return r.ok ? parseAddrs(r.stdout).flatMap((a) => a.ipv4) : []; } catch { return []; }
    },
    /** The neighbour table (ARP and IPv6 neighbours) of a namespace; empty when it cannot be read. */
    async neighbours(netns?: NetnsRef): Promise<Neighbour[]> {
      const r = await exec.run(['ip', '-j', 'neigh', 'show'], { netns, timeoutMs: 5000 });
      try { return r.ok ? parseNeighbours(r.stdout) : []; } catch { return []; }
    },
    /** Where the kernel would route DST from this namespace; undefined when there is no route (or no answer). */
    async routeGet(dst: string, netns?: NetnsRef): Promise<RouteGet | undefined> {
      const r = await exec.run(['ip', '-j', 'route', 'get', dst], { netns, timeoutMs: 5000 });
      try { return r.ok ? parseRouteGet(r.stdout) : undefined; } catch { return undefined; }
    },
    async netnsIds(netns?: NetnsRef) {
      const r = await exec.run(['ip', '-j', 'netns', 'list-id'], { netns, timeoutMs: 5000 });
      return r.ok ? parseNetnsIds(r.stdout) : [];
    },
    /**
     * Names under /run/netns. A failing ip means none, unless `strict`: then it throws, for callers (the lab's
     * up and down) that must not mistake "could not list" for "nothing there".
     */
    async netnsNames(opts: { strict?: boolean } = {}): Promise<string[]> {
      const r = await exec.run(['ip', '-j', 'netns', 'list'], { timeoutMs: 5000 });
      if (!r.ok && opts.strict) throw new ToolOutputError('ip', `netns list: ${r.stderr.trim() || `exit ${r.exitCode}`}`, r.stderr);
      return r.ok ? parseNetnsList(r.stdout) : [];
    },
    /**
     * Names under /run/netns for a survey: what could not be listed is a problem in words beside the names.
     * Without ip there is none: the survey's own `ip link` already says ip is missing.
     */
    async surveyNetns(signal?: AbortSignal): Promise<{ names: string[]; problem?: string }> {
      const r = await exec.run(['ip', '-j', 'netns', 'list'], { timeoutMs: 5000, signal });
      if (!r.ok) return { names: [], ...(r.notFound ? {} : { problem: `ip netns list: ${r.stderr.trim() || `exit ${r.exitCode}`}` }) };
      try {
        return { names: parseNetnsList(r.stdout) };
      } catch (e) {
        return { names: [], problem: `ip netns list: ${(e as Error).message}` };
      }
    },
  };
}
export type IpTool = ReturnType<typeof createIp>;
