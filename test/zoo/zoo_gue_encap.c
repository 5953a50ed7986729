// Zoo: a GUE encapsulator (variant 1: the inner IPv4 packet directly after UDP). IPv4 ICMP frames are wrapped in
// an outer IPv4 + UDP header to port 5555, outer source from encap_config[0] (the encapsulator's address), outer
// destination the inner one, and passed on. The receiver needs something listening on UDP 5555 to take it apart
// (a fou port: `ip fou add port 5555 gue`); without it the stack has no socket there and drops every packet
// (NO_SOCKET in __udp4_lib_rcv, with an ICMP port unreachable back to the outer source).
//
// Over IPv6 it wraps ICMPv6 echo requests (neighbour discovery is left alone) the same way, outer source from
// encap6_config[0], and leaves the UDP checksum 0 as it does over IPv4 — the classic tunnel bug: IPv4 allows a zero
// UDP checksum, IPv6 does not (RFC 8200 §8.1; only sockets that opt in, RFC 6935, accept one). The receiver drops
// every such packet in __udp6_lib_rcv (UDP_CSUM), before it even looks for a socket on the port.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../../bpf/ipv4_csum.h"

#define GUE_PORT 5555

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __be32);   /* outer source address, network order */
} encap_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct in6_addr);   /* outer source address over IPv6 */
} encap6_config SEC(".maps");

struct outer6_hdrs {
	struct ipv6hdr ip6;
	struct udphdr udp;
};

struct outer_hdrs {
	struct iphdr ip;
	struct udphdr udp;
};

static __always_inline int gue_encap6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, copy;
	struct ipv6hdr *inner = (void *)(eth + 1);
	struct icmp6hdr *icmp = (void *)(inner + 1);
	struct outer6_hdrs *outer;
	struct in6_addr *src;
	__u32 zero = 0;
	__u16 inner_len;

	if ((void *)(icmp + 1) > end || inner->nexthdr != IPPROTO_ICMPV6 || icmp->icmp6_type != ICMPV6_ECHO_REQUEST)
		return XDP_PASS;
	src = bpf_map_lookup_elem(&encap6_config, &zero);
	if (!src || !(src->in6_u.u6_addr32[0] | src->in6_u.u6_addr32[1] | src->in6_u.u6_addr32[2] | src->in6_u.u6_addr32[3]))
		return XDP_PASS;
	inner_len = bpf_ntohs(inner->payload_len) + sizeof(struct ipv6hdr);
	__builtin_memcpy(&copy, eth, sizeof(copy));
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct outer6_hdrs)))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	outer = (void *)(eth + 1);
	if ((void *)(outer + 1) + sizeof(struct ipv6hdr) > end)
		return XDP_PASS;
	__builtin_memcpy(eth, &copy, sizeof(copy));
	inner = (void *)(outer + 1);
	*(__u32 *)&outer->ip6 = bpf_htonl(0x60000000);
	outer->ip6.payload_len = bpf_htons(inner_len + sizeof(struct udphdr));
	outer->ip6.nexthdr = IPPROTO_UDP;
	outer->ip6.hop_limit = 64;
	outer->ip6.saddr = *src;
	outer->ip6.daddr = inner->daddr;
	outer->udp.source = bpf_htons(50000);
	outer->udp.dest = bpf_htons(GUE_PORT);
	outer->udp.len = bpf_htons(inner_len + sizeof(struct udphdr));
	outer->udp.check = 0; /* the bug: what IPv4 allows, IPv6 refuses */
	return XDP_PASS;
}

SEC("xdp")
int gue_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, copy;
	struct iphdr *inner = (void *)(eth + 1);
	struct outer_hdrs *outer;
	__u32 zero = 0;
	__be32 *src;
	__u16 inner_len;

	if ((void *)(eth + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IPV6))
		return gue_encap6(ctx);
	if ((void *)(inner + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || inner->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	src = bpf_map_lookup_elem(&encap_config, &zero);
	if (!src || !*src)
		return XDP_PASS;
	inner_len = bpf_ntohs(inner->tot_len);
	__builtin_memcpy(&copy, eth, sizeof(copy));
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct outer_hdrs)))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	outer = (void *)(eth + 1);
	if ((void *)(outer + 1) + sizeof(struct iphdr) > end)
		return XDP_PASS;
	__builtin_memcpy(eth, &copy, sizeof(copy));
	inner = (void *)(outer + 1);
	outer->ip.version = 4;
	outer->ip.ihl = 5;
	outer->ip.tos = 0;
	outer->ip.tot_len = bpf_htons(inner_len + sizeof(struct outer_hdrs));
	outer->ip.id = 0;
	outer->ip.frag_off = 0;
	outer->ip.ttl = 64;
	outer->ip.protocol = IPPROTO_UDP;
	outer->ip.saddr = *src;
	outer->ip.daddr = inner->daddr;
	outer->ip.check = 0;
	outer->ip.check = ipv4_csum(&outer->ip);
	outer->udp.source = bpf_htons(50000);
	outer->udp.dest = bpf_htons(GUE_PORT);
	outer->udp.len = bpf_htons(inner_len + sizeof(struct udphdr));
	outer->udp.check = 0; /* IPv4: no UDP checksum */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
