// Zoo: a deny-by-default filter that lets through only IP traffic from the sources in its allow-lists
// (allowed_v4: IPv4 source, allowed_v6: IPv6 source) and drops every other frame, including ARP and IPv6
// neighbour discovery. The client is in the allow-list, yet it never reaches the server: its ARP requests (or
// neighbour solicitations) are dropped, so it never learns the server's MAC and never sends the probe at all.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ICMPV6_ECHO 128
#define ICMPV6_ECHO_REPLY 129

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} allowed_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct in6_addr);
	__type(value, __u8);
} allowed_v6 SEC(".maps");

SEC("xdp")
int ip_only(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end)
			return XDP_DROP;
		return bpf_map_lookup_elem(&allowed_v4, &ip->saddr) ? XDP_PASS : XDP_DROP;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		__u8 *icmp6 = (void *)(ip6 + 1);

		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		if (!bpf_map_lookup_elem(&allowed_v6, &ip6->saddr))
			return XDP_DROP;
		/* The policy's bug: of ICMPv6 it allows echo only, so neighbour discovery (135/136) is dropped. */
		if (ip6->nexthdr == IPPROTO_ICMPV6)
			return (void *)(icmp6 + 1) <= end && (*icmp6 == ICMPV6_ECHO || *icmp6 == ICMPV6_ECHO_REPLY) ? XDP_PASS : XDP_DROP;
		return XDP_PASS;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
