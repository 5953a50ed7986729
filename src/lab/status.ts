// `lab status`: what exists right now, read from the kernel (namespaces, interfaces, attached XDP programs,
// the LB's params entry) plus the state file's record of active faults and the echo server.
import { existsSync } from 'node:fs';
import { ipv6FromBytes, macOf, u32ToIpv4 } from '../tools/addresses.js';
import type { MapEntry } from '../tools/bpftool.js';
import type { Exec } from '../tools/exec.js';
import { createTools, type Tools } from '../tools/index.js';
import type { LinkInfo, XdpMode } from '../tools/ip.js';
import { findEchoServers } from './down.js';
import { readState } from './state.js';
import { LINKS, NODES, type LabNode, VIP6, VIP_PORT, nsName, nsRef, pinDir, pins } from './topology.js';

interface LabStatus {
  prefix: string;
  /** up: built and its state file says so; building: an up is running or crashed; down: nothing; partial: leftovers. */
  phase: 'up' | 'building' | 'down' | 'partial';
  namespaces: { node: LabNode; name: string; present: boolean }[];
  interfaces: {
    node: LabNode; iface: string; ifindex?: number; mac?: string; up?: boolean; addr: string;
    /** `object`: which of the lab's pinned objects this is (the good and the badhdr LB share a function name). */
    xdp: { mode: XdpMode; id: number; name?: string; tag?: string; object?: string } | null;
  }[];
  faults: string[];
  echoServer: { pid: number; alive: boolean } | null;
  params: { dst_mac: string; daddr: number; saddr: number; vip: number } | null;
  /** `lab up --ipv6` only: xdp_params6_array[0], addresses as text. */
  params6?: { dst_mac: string; daddr: string; saddr: string; vip: string } | null;
  ipv6: boolean;
  pinDir: string;
}

/**
 * xdp_params_array[0] as bpftool's BTF formatting names it ({dst_mac: [..], daddr, saddr, vip}); null without
 * BTF or without the entry.
 */
export function paramsOf(dump: MapEntry[]): LabStatus['params'] {
  const v = dump[0]?.formatted?.value as { dst_mac?: unknown; daddr: number; saddr: number; vip: number } | undefined;
  if (!v || !Array.isArray(v.dst_mac)) return null;
  return { dst_mac: macOf(v.dst_mac as number[]), daddr: v.daddr, saddr: v.saddr, vip: v.vip };
}

/** xdp_params6_array[0] from its raw 56 bytes (in6_addr's BTF is a union of arrays, the bytes are plainer). */
export function params6Of(dump: MapEntry[]): LabStatus['params6'] {
  const v = dump[0]?.value;
  if (!v || v.length < 56) return null;
  return { dst_mac: macOf(v.slice(0, 6)), daddr: ipv6FromBytes(v, 8), saddr: ipv6FromBytes(v, 24), vip: ipv6FromBytes(v, 40) };
}

async function readParams(tools: Tools, prefix: string): Promise<LabStatus['params']> {
  return tools.bpftool.mapDumpPinned(pins(prefix).params).then(paramsOf, () => null);
}

/** Program id → object file, from the pins `lab up` and `lab break bad-iphdr` create. */
async function pinnedObjects(tools: Tools, prefix: string): Promise<Map<number, string>> {
  const p = pins(prefix);
  const byPin: [string, string][] = [[p.lbProg, 'xdp_lb.o'], [p.lbBadProg, 'xdp_lb_badhdr.o'], [p.passProg, 'xdp_pass.o'], [p.decapProg, 'xdp_decap.o']];
  const ids = new Map<number, string>();
  await Promise.all(byPin.map(async ([pin, obj]) => {
    if (!existsSync(pin)) return;
    const prog = await tools.bpftool.progPinned(pin).catch(() => undefined); // unreadable: leave unnamed
    if (prog) ids.set(prog.id, obj);
  }));
  return ids;
}

/** The lab's view of one attachment, in the shape `lab status --json` has always printed. */
function xdpOf(link: LinkInfo | undefined, objects: Map<number, string>): LabStatus['interfaces'][number]['xdp'] {
  const x = link?.xdp;
  if (!x) return null;
  return { mode: x.mode, id: x.progId, name: x.progName, tag: x.tag, ...(objects.has(x.progId) ? { object: objects.get(x.progId) } : {}) };
}

export async function labStatus(exec: Exec, prefix: string): Promise<LabStatus> {
  const tools = createTools(exec);
  const state = readState(prefix);
  const existing = new Set(await tools.ip.netnsNames({ strict: true }));
  const namespaces = NODES.map((node) => ({ node, name: nsName(prefix, node), present: existing.has(nsName(prefix, node)) }));
  const interfaces: LabStatus['interfaces'] = [];
  const objects = await pinnedObjects(tools, prefix);
  const perNode = await Promise.all(NODES.map(async (node) =>
    existing.has(nsName(prefix, node)) ? tools.ip.links(nsRef(prefix, node)).catch(() => []) : []));
  for (const l of LINKS) {
    for (const e of [l.a, l.b]) {
      const info = perNode[NODES.indexOf(e.node)]!.find((x) => x.ifname === e.iface);
      // up: admin up and carrier, as `ip link` shows UP,LOWER_UP; right after `ip link set up` operstate can still say DOWN.
      const up = info ? info.up && info.carrier : undefined;
      interfaces.push({ node: e.node, iface: e.iface, ifindex: info?.ifindex, mac: info?.mac, up, addr: e.cidr, xdp: xdpOf(info, objects) });
    }
  }
  const echoPids = findEchoServers(prefix, state?.echoPid);
  const anything = namespaces.some((n) => n.present) || echoPids.length > 0;
  const phase: LabStatus['phase'] = state ? state.phase : anything ? 'partial' : 'down';
  return {
    prefix,
    phase,
    namespaces,
    interfaces: interfaces.sort((a, b) => NODES.indexOf(a.node) - NODES.indexOf(b.node)),
    faults: state?.faults ?? [],
    echoServer: state?.echoPid ? { pid: state.echoPid, alive: echoPids.includes(state.echoPid) } : echoPids[0] ? { pid: echoPids[0], alive: true } : null,
    params: phase === 'down' ? null : await readParams(tools, prefix),
    ipv6: state?.ipv6 === true,
    ...(state?.ipv6 ? { params6: await tools.bpftool.mapDumpPinned(pins(prefix).params6).then(params6Of, () => null) } : {}),
    pinDir: pinDir(prefix),
  };
}

export function formatStatus(s: LabStatus): string {
  const lines: string[] = [];
  lines.push(`lab ${s.prefix}: ${s.phase}${s.phase === 'up' ? (s.faults.length ? ` with faults ${s.faults.join(', ')}` : ', healthy (no faults)') : ''}`);
  if (s.phase === 'down') return lines.join('\n') + '\n';
  lines.push('  client 10.111.220.11 -> gw -> lb 10.111.221.11 (XDP LB, IPIP to real) -> gw -> real 10.111.222.11 (VIP 192.168.10.1:50002) -> client');
  if (s.ipv6) lines.push(`  over IPv6 (the probe's path): client fd00:111:220::11 -> gw -> lb fd00:111:221::11 (IPv6-in-IPv6 to real) -> gw -> real fd00:111:222::11 (VIP [${VIP6}]:${VIP_PORT}) -> client`);
  for (const n of s.namespaces) {
    lines.push(`  ${n.node.padEnd(6)} netns ${n.name}${n.present ? '' : ' (missing)'}`);
    for (const i of s.interfaces.filter((x) => x.node === n.node)) {
      const xdp = i.xdp ? `xdp ${i.xdp.mode} id ${i.xdp.id} ${i.xdp.name}${i.xdp.object ? ` (${i.xdp.object})` : ''}` : 'no xdp';
      const where = i.ifindex === undefined ? 'missing' : `ifindex ${i.ifindex} ${i.mac} ${i.up ? 'up' : 'DOWN'}`;
      lines.push(`         ${i.iface.padEnd(3)} ${i.addr.padEnd(17)} ${where.padEnd(40)} ${xdp}`);
    }
  }
  if (s.params) {
    lines.push(`  params xdp_params_array[0]: dst_mac ${s.params.dst_mac} daddr ${u32ToIpv4(s.params.daddr)} saddr ${u32ToIpv4(s.params.saddr)} vip ${u32ToIpv4(s.params.vip)}`);
  } else {
    lines.push(`  params: no pinned xdp_params_array under ${s.pinDir}`);
  }
  if (s.params6) {
    lines.push(`  params xdp_params6_array[0]: dst_mac ${s.params6.dst_mac} daddr ${s.params6.daddr} saddr ${s.params6.saddr} vip ${s.params6.vip}`);
  } else if (s.ipv6) {
    lines.push(`  params: no readable xdp_params6_array under ${s.pinDir}`);
  }
  lines.push(`  echo server: ${s.echoServer ? `pid ${s.echoServer.pid} ${s.echoServer.alive ? 'running' : 'NOT running'}` : 'none'}`);
  lines.push(`  faults: ${s.faults.length ? s.faults.join(', ') : 'none'}`);
  return lines.join('\n') + '\n';
}
