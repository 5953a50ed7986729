// Zoo: an IPIP encapsulator. IPv4 ICMP and TCP frames are wrapped in an outer IPv4 header (protocol 4) whose
// source is the address the operator put in encap_config[0] and whose destination is the inner one, and
// passed on. Misconfigured with an outer source that is local to the receiving host, the kernel drops every
// packet as IP_LOCAL_SOURCE (fib_validate_source, accept_local=0) before anything could decapsulate it.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../../bpf/ipv4_csum.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __be32);   /* outer source address, network order */
} encap_config SEC(".maps");

SEC("xdp")
int ipip_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, copy;
	struct iphdr *inner = (void *)(eth + 1), *outer;
	__u32 zero = 0;
	__be32 *src;

	if ((void *)(inner + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (inner->protocol != IPPROTO_ICMP && inner->protocol != IPPROTO_TCP)
		return XDP_PASS;
	src = bpf_map_lookup_elem(&encap_config, &zero);
	if (!src || !*src)
		return XDP_PASS;
	__builtin_memcpy(&copy, eth, sizeof(copy));
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	outer = (void *)(eth + 1);
	inner = (void *)(outer + 1);
	if ((void *)(inner + 1) > end)
		return XDP_PASS;
	__builtin_memcpy(eth, &copy, sizeof(copy));
	outer->version = 4;
	outer->ihl = 5;
	outer->tos = 0;
	outer->tot_len = bpf_htons(bpf_ntohs(inner->tot_len) + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = 0;
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->saddr = *src;
	outer->daddr = inner->daddr;
	outer->check = 0;
	outer->check = ipv4_csum(outer);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
