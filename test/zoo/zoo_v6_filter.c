// Zoo: an IPv6 port filter. IPv6 TCP segments and ICMPv6 echo requests to a destination port or ICMPv6 type
// listed in denied_v6 are dropped; neighbour discovery and everything else pass. denied_v6 is keyed by
// (next header << 16 | port or ICMPv6 type). With ICMPv6 echo (128) denied, `ping -6` fails: the program's own
// verdict, over IPv6.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} denied_v6 SEC(".maps");

SEC("xdp")
int v6_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	__u8 *l4 = (void *)(ip6 + 1);
	__u32 key;

	if ((void *)(ip6 + 1) > end || eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	if (ip6->nexthdr == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)l4;

		if ((void *)(tcp + 1) > end)
			return XDP_PASS;
		key = (IPPROTO_TCP << 16) | bpf_ntohs(tcp->dest);
	} else if (ip6->nexthdr == IPPROTO_ICMPV6) {
		if ((void *)(l4 + 1) > end)
			return XDP_PASS;
		key = (IPPROTO_ICMPV6 << 16) | *l4;
	} else {
		return XDP_PASS;
	}
	return bpf_map_lookup_elem(&denied_v6, &key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
