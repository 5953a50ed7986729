// Zoo: an IPv6-in-IPv6 encapsulator. ICMPv6 echo requests are wrapped in an outer IPv6 header (next header 41)
// whose source is the address in encap_config[0] and whose destination is the inner one, and passed on; neighbour
// discovery and everything else pass untouched. A receiver without an ip6tnl device (or a decap program) has no
// handler for next header 41: ip6_protocol_deliver_rcu() answers a parameter problem and drops it (IP_NOPROTO).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct in6_addr);   /* outer source address */
} encap_config SEC(".maps");

SEC("xdp")
int ip6ip6_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, copy;
	struct ipv6hdr *inner = (void *)(eth + 1), *outer;
	__u8 *type = (void *)(inner + 1);
	struct in6_addr *src;
	__u32 zero = 0;

	if ((void *)(type + 1) > end || eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	if (inner->nexthdr != IPPROTO_ICMPV6 || *type != 128)
		return XDP_PASS;
	src = bpf_map_lookup_elem(&encap_config, &zero);
	if (!src || !src->s6_addr32[0])
		return XDP_PASS;
	__builtin_memcpy(&copy, eth, sizeof(copy));
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct ipv6hdr)))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	outer = (void *)(eth + 1);
	inner = (void *)(outer + 1);
	if ((void *)(inner + 1) > end)
		return XDP_PASS;
	__builtin_memcpy(eth, &copy, sizeof(copy));
	outer->version = 6;
	outer->priority = 0;
	outer->flow_lbl[0] = outer->flow_lbl[1] = outer->flow_lbl[2] = 0;
	outer->payload_len = bpf_htons(bpf_ntohs(inner->payload_len) + sizeof(struct ipv6hdr));
	outer->nexthdr = IPPROTO_IPV6;
	outer->hop_limit = 64;
	outer->saddr = *src;
	outer->daddr = inner->daddr;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
