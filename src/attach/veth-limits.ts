// The largest peer MTU veth accepts for native XDP (drivers/net/veth.c veth_xdp_set()):
//   max_mtu = SKB_WITH_OVERHEAD(PAGE_SIZE - VETH_XDP_HEADROOM) - peer->hard_header_len
//   (+ PAGE_SIZE * MAX_SKB_FRAGS when the program declares frags, since 5.18)
// SKB_WITH_OVERHEAD(X) = X - SKB_DATA_ALIGN(sizeof(struct skb_shared_info)); VETH_XDP_HEADROOM = XDP_PACKET_HEADROOM
// (256) + NET_IP_ALIGN (0 on x86-64). sizeof(struct skb_shared_info) is 320 on x86-64 6.x kernels; with 4 KiB pages
// and Ethernet (14) that is 3506, which bisecting a real veth on this project's 6.18 machine confirmed (3506 attaches,
// 3507 is refused with ERANGE).

export const XDP_PACKET_HEADROOM = 256;
export const SKB_SHARED_INFO_ALIGNED = 320;
/** MAX_SKB_FRAGS: 17 by default (CONFIG_MAX_SKB_FRAGS since 6.6). */
const MAX_SKB_FRAGS = 17;
export const ETH_HLEN = 14;
/** veth's own largest MTU (ETH_MAX_MTU): a frags-aware program's limit is above it. */
export const ETH_MAX_MTU = 65535;

export interface VethMtuLimit { limit: number; pageSize: number; frags: boolean; formula: string }

export function vethMtuLimit(pageSize: number, frags: boolean, netIpAlign = 0, hardHeaderLen = ETH_HLEN): VethMtuLimit {
  const linear = pageSize - (XDP_PACKET_HEADROOM + netIpAlign) - SKB_SHARED_INFO_ALIGNED - hardHeaderLen;
  const limit = frags ? linear + pageSize * MAX_SKB_FRAGS : linear;
  const formula = `${pageSize} (page) - ${XDP_PACKET_HEADROOM + netIpAlign} (XDP headroom) - ${SKB_SHARED_INFO_ALIGNED} (skb_shared_info) - ${hardHeaderLen} (Ethernet header)` +
    (frags ? ` + ${pageSize} × ${MAX_SKB_FRAGS} (frags)` : '');
  return { limit, pageSize, frags, formula };
}

/** NET_IP_ALIGN by Node's name for the CPU: 0 on x86 (unaligned access is cheap there), 2 elsewhere. */
export function netIpAlign(arch: string): number {
  return arch === 'x64' || arch === 'ia32' ? 0 : 2;
}
