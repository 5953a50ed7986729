// Mini-Katran: the load balancer from the blog this project reproduces. TCP to the VIP is wrapped in an
// outer IPv4 header (IPIP) addressed to the real server and bounced back out of the same interface
// (XDP_TX) towards the next hop. Everything else goes up the stack untouched.
//
// The blog's LB speaks IPv4 only. For `lab up --ipv6` the same program also balances an IPv6 VIP the way
// Katran does (IPv6-in-IPv6, next header 41) from a second map, xdp_params6_array. That map starts all zero,
// and a zero VIP passes every IPv6 packet: the blog's IPv4 lab behaves exactly as before.
//
// Built twice from this file: normally, and with -DXDP_LB_BAD_TOT_LEN, which reintroduces the blog's
// second bug (outer tot_len stored in host byte order) so the doctor has a malformed header to find.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ipv4_csum.h"

// Filled by the loader. IPs are host byte order (the blog's dump shows saddr 175103243 = 10.111.221.11).
// The explicit pad keeps the layout obvious: 6 + 2 + 4 + 4 + 4 = 20 bytes, what bpftool reports.
struct xdp_params {
	__u8 dst_mac[6]; // next hop (the gateway's MAC on the LB's link)
	__u8 pad[2];
	__u32 daddr;     // real server
	__u32 saddr;     // this load balancer
	__u32 vip;
};

// BTF-defined so `bpftool map dump` prints field names. The kernel keeps 15 chars of the name
// ("xdp_params_arra", as in the blog); libbpf pins it under the full name.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdp_params);
} xdp_params_array SEC(".maps");

// The IPv6 twin of xdp_params. IPv6 addresses have no host byte order: all three are stored as on the wire.
// 6 + 2 + 16 + 16 + 16 = 56 bytes.
struct xdp_params6 {
	__u8 dst_mac[6];
	__u8 pad[2];
	struct in6_addr daddr;
	struct in6_addr saddr;
	struct in6_addr vip;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdp_params6);
} xdp_params6_array SEC(".maps");

static __always_inline int in6_is_zero(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] | a->in6_u.u6_addr32[2] | a->in6_u.u6_addr32[3]) == 0;
}

static __always_inline int in6_equal(const struct in6_addr *a, const struct in6_addr *b)
{
	return a->in6_u.u6_addr32[0] == b->in6_u.u6_addr32[0] && a->in6_u.u6_addr32[1] == b->in6_u.u6_addr32[1] &&
	       a->in6_u.u6_addr32[2] == b->in6_u.u6_addr32[2] && a->in6_u.u6_addr32[3] == b->in6_u.u6_addr32[3];
}

// TCP to the IPv6 VIP: one outer IPv6 header (next header 41) to the real, bounced with XDP_TX. Neighbour
// discovery and everything else IPv6 pass. The same compile-time bug as IPv4: -DXDP_LB_BAD_TOT_LEN stores the
// outer payload length in host byte order.
static __always_inline int lb6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct xdp_params6 *params;
	__u32 key = 0;

	if ((void *)(ip6 + 1) > data_end) {
		bpf_printk("xdp_lb: truncated IPv6 header, dropping");
		return XDP_DROP;
	}
	if (ip6->nexthdr != IPPROTO_TCP)
		return XDP_PASS;
	params = bpf_map_lookup_elem(&xdp_params6_array, &key);
	if (!params || in6_is_zero(&params->vip)) {
		bpf_printk("xdp_lb: IPv6 params unset (vip ::), passing");
		return XDP_PASS;
	}
	if (!in6_equal(&ip6->daddr, &params->vip)) {
		bpf_printk("xdp_lb: IPv6 daddr is not the vip, passing");
		return XDP_PASS;
	}

	__u8 old_dst[ETH_ALEN];
	__builtin_memcpy(old_dst, eth->h_dest, ETH_ALEN);
	__u32 ver_tc_flow = *(__u32 *)ip6; // version, traffic class and flow label, copied to the outer header
	__u16 inner_len = bpf_ntohs(ip6->payload_len) + sizeof(struct ipv6hdr);

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct ipv6hdr))) {
		bpf_printk("xdp_lb: adjust_head failed, dropping");
		return XDP_DROP;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > data_end) {
		bpf_printk("xdp_lb: adjust_head failed, dropping");
		return XDP_DROP;
	}

	__builtin_memcpy(eth->h_dest, params->dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old_dst, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IPV6);

	*(__u32 *)ip6 = ver_tc_flow;
#ifdef XDP_LB_BAD_TOT_LEN
	ip6->payload_len = inner_len; // the blog's bug, IPv6 edition: host order on the wire
#else
	ip6->payload_len = bpf_htons(inner_len);
#endif
	ip6->nexthdr = IPPROTO_IPV6;
	ip6->hop_limit = 64;
	ip6->saddr = params->saddr;
	ip6->daddr = params->daddr;

	bpf_printk("xdp_lb: encapsulated IPv6 to the real, XDP_TX");
	return XDP_TX;
}

SEC("xdp")
int xdp_prog_func(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct xdp_params *params;
	__u32 key = 0;

	if ((void *)(eth + 1) > data_end) {
		bpf_printk("xdp_lb: short frame (%d bytes), dropping", (int)(data_end - data));
		return XDP_DROP;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return lb6(ctx);
	// Require IPv4 (the blog's original only excluded IPv6, so ARP fell through as garbage IP).
	// No print here: ARP is constant background and would drown the decisions that matter.
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl < 5) {
		bpf_printk("xdp_lb: truncated IPv4 header, dropping");
		return XDP_DROP;
	}
	if (iph->protocol != IPPROTO_TCP) {
		bpf_printk("xdp_lb: protocol %d is not TCP, passing", iph->protocol);
		return XDP_PASS;
	}

	params = bpf_map_lookup_elem(&xdp_params_array, &key);
	if (!params || params->vip == 0) {
		// The blog's first bug ended here: the loader wrote an 8-byte key, so the map stayed zero.
		bpf_printk("xdp_lb: params unset (vip 0), passing");
		return XDP_PASS;
	}
	if (bpf_ntohl(iph->daddr) != params->vip) {
		bpf_printk("xdp_lb: daddr %x is not the vip %x, passing", bpf_ntohl(iph->daddr), params->vip);
		return XDP_PASS;
	}

	// Everything needed from the old headers, read before adjust_head invalidates the pointers.
	// The outer header will overwrite where the old Ethernet header was.
	__u8 old_dst[ETH_ALEN];
	__builtin_memcpy(old_dst, eth->h_dest, ETH_ALEN);
	__u8 tos = iph->tos;
	__u16 inner_len = bpf_ntohs(iph->tot_len);

	// Grow the head by one IPv4 header: [eth][outer ip][inner ip ...] with the inner packet unmoved.
	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct iphdr))) {
		bpf_printk("xdp_lb: adjust_head failed, dropping");
		return XDP_DROP;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end) {
		bpf_printk("xdp_lb: adjust_head failed, dropping");
		return XDP_DROP;
	}

	__builtin_memcpy(eth->h_dest, params->dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old_dst, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	struct iphdr outer = {};
	outer.version = 4;
	outer.ihl = 5;
	outer.tos = tos;
#ifdef XDP_LB_BAD_TOT_LEN
	outer.tot_len = inner_len + sizeof(struct iphdr); // the blog's bug: host order on the wire
#else
	outer.tot_len = bpf_htons(inner_len + sizeof(struct iphdr));
#endif
	outer.id = 0;
	outer.frag_off = 0;
	outer.ttl = 64;
	outer.protocol = IPPROTO_IPIP;
	outer.saddr = bpf_htonl(params->saddr);
	outer.daddr = bpf_htonl(params->daddr);
	outer.check = 0;
	// Summed on the stack copy: the header the checksum covers is exactly the one written.
	outer.check = ipv4_csum(&outer);
	__builtin_memcpy(iph, &outer, sizeof(outer));

	bpf_printk("xdp_lb: encapsulated to %x via %x, XDP_TX", params->daddr, params->saddr);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
