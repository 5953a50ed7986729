// Zoo: a GUE encapsulator (variant 1: the inner IPv4 packet directly after UDP). IPv4 ICMP frames are wrapped in
// an outer IPv4 + UDP header to port 5555, outer source from encap_config[0] (the encapsulator's address), outer
// destination the inner one, and passed on. The receiver needs something listening on UDP 5555 to take it apart
// (a fou port: `ip fou add port 5555 gue`); without it the stack has no socket there and drops every packet
// (NO_SOCKET in __udp4_lib_rcv, with an ICMP port unreachable back to the outer source).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
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

struct outer_hdrs {
	struct iphdr ip;
	struct udphdr udp;
};

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
