// `lab status`: what exists right now, read from the kernel (namespaces, interfaces, attached XDP programs,
// the LB's params entry) plus the state file's record of active faults and the echo server.
import { existsSync } from 'node:fs';
import type { Exec } from '../tools/exec.js';
import { findEchoServers } from './down.js';
import { type LinkInfo, listNetns, readLinks } from './links.js';
import { readState } from './state.js';
import { LINKS, NODES, type LabNode, nsName, nsRef, pinDir, pins } from './topology.js';

export interface LabStatus {
  prefix: string;
  /** up: built and its state file says so; building: an up is running or crashed; down: nothing; partial: leftovers. */
  phase: 'up' | 'building' | 'down' | 'partial';
  namespaces: { node: LabNode; name: string; present: boolean }[];
  interfaces: {
    node: LabNode; iface: string; ifindex?: number; mac?: string; up?: boolean; addr: string;
    /** `object`: which of the lab's pinned objects this is (the good and the badhdr LB share a function name). */
    xdp: (NonNullable<LinkInfo['xdp']> & { object?: string }) | null;
  }[];
  faults: string[];
  echoServer: { pid: number; alive: boolean } | null;
  params: { dst_mac: string; daddr: number; saddr: number; vip: number } | null;
  pinDir: string;
}

async function readParams(exec: Exec, prefix: string): Promise<LabStatus['params']> {
  const r = await exec.run(['bpftool', '-j', 'map', 'dump', 'pinned', pins(prefix).params], { timeoutMs: 10_000 });
  if (!r.ok) return null;
  try {
    // With BTF, bpftool -j adds the struct by field name under `formatted` ({key, value: {dst_mac: [..], daddr, ...}}).
    const row = (JSON.parse(r.stdout) as any[])[0];
    const v = row?.formatted?.value ?? row?.value;
    if (!v || !Array.isArray(v.dst_mac)) return null;
    return {
      dst_mac: v.dst_mac.map((b: number) => b.toString(16).padStart(2, '0')).join(':'),
      daddr: v.daddr, saddr: v.saddr, vip: v.vip,
    };
  } catch { return null; }
}

/** Program id → object file, from the pins `lab up` and `lab break bad-iphdr` create. */
async function pinnedObjects(exec: Exec, prefix: string): Promise<Map<number, string>> {
  const p = pins(prefix);
  const byPin: [string, string][] = [[p.lbProg, 'xdp_lb.o'], [p.lbBadProg, 'xdp_lb_badhdr.o'], [p.passProg, 'xdp_pass.o'], [p.decapProg, 'xdp_decap.o']];
  const ids = new Map<number, string>();
  await Promise.all(byPin.map(async ([pin, obj]) => {
    if (!existsSync(pin)) return;
    const r = await exec.run(['bpftool', '-j', 'prog', 'show', 'pinned', pin], { timeoutMs: 10_000 });
    try { if (r.ok) ids.set((JSON.parse(r.stdout) as { id: number }).id, obj); } catch { /* not JSON: leave unnamed */ }
  }));
  return ids;
}

export async function labStatus(exec: Exec, prefix: string): Promise<LabStatus> {
  const state = readState(prefix);
  const existing = new Set(await listNetns(exec));
  const namespaces = NODES.map((node) => ({ node, name: nsName(prefix, node), present: existing.has(nsName(prefix, node)) }));
  const interfaces: LabStatus['interfaces'] = [];
  const objects = await pinnedObjects(exec, prefix);
  const perNode = await Promise.all(NODES.map(async (node) =>
    existing.has(nsName(prefix, node)) ? readLinks(exec, nsRef(prefix, node)).catch(() => []) : []));
  for (const l of LINKS) {
    for (const e of [l.a, l.b]) {
      const info = perNode[NODES.indexOf(e.node)]!.find((x) => x.ifname === e.iface);
      interfaces.push({ node: e.node, iface: e.iface, ifindex: info?.ifindex, mac: info?.mac, up: info?.up, addr: e.cidr, xdp: info?.xdp ? { ...info.xdp, ...(objects.has(info.xdp.id) ? { object: objects.get(info.xdp.id) } : {}) } : null });
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
    params: phase === 'down' ? null : await readParams(exec, prefix),
    pinDir: pinDir(prefix),
  };
}

function ip(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function formatStatus(s: LabStatus): string {
  const lines: string[] = [];
  lines.push(`lab ${s.prefix}: ${s.phase}${s.phase === 'up' ? (s.faults.length ? ` with faults ${s.faults.join(', ')}` : ', healthy (no faults)') : ''}`);
  if (s.phase === 'down') return lines.join('\n') + '\n';
  lines.push('  client 10.111.220.11 -> gw -> lb 10.111.221.11 (XDP LB, IPIP to real) -> gw -> real 10.111.222.11 (VIP 192.168.10.1:50002) -> client');
  for (const n of s.namespaces) {
    lines.push(`  ${n.node.padEnd(6)} netns ${n.name}${n.present ? '' : ' (missing)'}`);
    for (const i of s.interfaces.filter((x) => x.node === n.node)) {
      const xdp = i.xdp ? `xdp ${i.xdp.mode} id ${i.xdp.id} ${i.xdp.name}${i.xdp.object ? ` (${i.xdp.object})` : ''}` : 'no xdp';
      const where = i.ifindex === undefined ? 'missing' : `ifindex ${i.ifindex} ${i.mac} ${i.up ? 'up' : 'DOWN'}`;
      lines.push(`         ${i.iface.padEnd(3)} ${i.addr.padEnd(17)} ${where.padEnd(40)} ${xdp}`);
    }
  }
  if (s.params) {
    lines.push(`  params xdp_params_array[0]: dst_mac ${s.params.dst_mac} daddr ${ip(s.params.daddr)} saddr ${ip(s.params.saddr)} vip ${ip(s.params.vip)}`);
  } else {
    lines.push(`  params: no pinned xdp_params_array under ${s.pinDir}`);
  }
  lines.push(`  echo server: ${s.echoServer ? `pid ${s.echoServer.pid} ${s.echoServer.alive ? 'running' : 'NOT running'}` : 'none'}`);
  lines.push(`  faults: ${s.faults.length ? s.faults.join(', ') : 'none'}`);
  return lines.join('\n') + '\n';
}
