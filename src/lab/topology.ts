// The blog's topology (fedepaol/ebpfexamples xdpkatransample/repro) as data: four network namespaces joined by
// three veth pairs, with the gateway in the middle. Everything else in src/lab derives names, addresses and
// routes from here, so the builder, the faults, the probe, status and labTarget agree on one picture.
import type { NetnsRef } from '../engine/types.js';

export const DEFAULT_PREFIX = 'xdpd';
/** Short enough that `${prefix}-client` stays a tidy netns name; no characters that need quoting anywhere. */
const LAB_NAME_RE = /^[a-z0-9-]{1,10}$/;

export const VIP = '192.168.10.1';
export const VIP_PORT = 50002;
export const LB_IP = '10.111.221.11';
export const REAL_IP = '10.111.222.11';

// `lab up --ipv6`: the same picture over IPv6 beside IPv4 (fd00:111:N:: mirrors 10.111.N.0, the VIP mirrors
// 192.168.10.1). The LB balances this VIP with IPv6-in-IPv6 from its second params map.
export const VIP6 = 'fd00:192:168:10::1';
export const LB_IP6 = 'fd00:111:221::11';
export const REAL_IP6 = 'fd00:111:222::11';

export const NODES = ['client', 'gw', 'lb', 'real'] as const;
export type LabNode = (typeof NODES)[number];

interface LinkEnd { node: LabNode; iface: string; addr: string; cidr: string; addr6: string }
interface LabLink { a: LinkEnd; b: LinkEnd }

// `a` is the host side of each pair, `b` the gateway side. Gateway is always .12, hosts .11.
export const LINKS: readonly LabLink[] = [
  { a: { node: 'client', iface: 'c0', addr: '10.111.220.11', cidr: '10.111.220.11/24', addr6: 'fd00:111:220::11' },
    b: { node: 'gw', iface: 'g0', addr: '10.111.220.12', cidr: '10.111.220.12/24', addr6: 'fd00:111:220::12' } },
  { a: { node: 'lb', iface: 'l0', addr: LB_IP, cidr: `${LB_IP}/24`, addr6: LB_IP6 },
    b: { node: 'gw', iface: 'g1', addr: '10.111.221.12', cidr: '10.111.221.12/24', addr6: 'fd00:111:221::12' } },
  { a: { node: 'real', iface: 'r0', addr: REAL_IP, cidr: `${REAL_IP}/24`, addr6: REAL_IP6 },
    b: { node: 'gw', iface: 'g2', addr: '10.111.222.12', cidr: '10.111.222.12/24', addr6: 'fd00:111:222::12' } },
];

/** Where each program sits: the LB on l0, the veth-peer dummy on g1 (lab-spec "Fix A"), the decap on r0. */
export const LB_IFACE = 'l0';
export const PEER_IFACE = 'g1';
export const DECAP_IFACE = 'r0';
export const CLIENT_IFACE = 'c0';

export function validLabName(name: string): boolean {
  return LAB_NAME_RE.test(name);
}

export function nsName(prefix: string, node: LabNode): string {
  return `${prefix}-${node}`;
}

export function nsRef(prefix: string, node: LabNode): NetnsRef {
  return { kind: 'name', name: nsName(prefix, node) };
}

export function allNamespaces(prefix: string): string[] {
  return NODES.map((n) => nsName(prefix, n));
}

export function ifaceNode(iface: string): LabNode {
  for (const l of LINKS) {
    if (l.a.iface === iface) return l.a.node;
    if (l.b.iface === iface) return l.b.node;
  }
  throw new Error(`not a lab interface: ${iface}`);
}

/** Pins live under /sys/fs/bpf/PREFIX so `lab down` can remove one directory, and leftovers are findable. */
export function pinDir(prefix: string): string {
  return `/sys/fs/bpf/${prefix}`;
}

export function pins(prefix: string) {
  const dir = pinDir(prefix);
  return {
    dir,
    lbProg: `${dir}/lb_prog`,
    lbBadProg: `${dir}/lb_prog_badhdr`,
    lbMaps: `${dir}/lb_maps`,
    params: `${dir}/lb_maps/xdp_params_array`,
    params6: `${dir}/lb_maps/xdp_params6_array`,
    passProg: `${dir}/pass_prog`,
    decapProg: `${dir}/decap_prog`,
  };
}
