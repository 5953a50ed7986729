// Zoo: a router's ingress program that decrements the TTL (IPv4, checksum updated incrementally per RFC 1624) or
// the hop limit (IPv6) and returns XDP_PASS, so the stack forwards the packet and decrements it again: the double
// decrement. A packet that reaches the router with TTL 2 leaves the program with 1, and the kernel's forwarding
// drops it as time-exceeded; without the program it would have crossed this one hop.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int ttl_pass(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		__u32 sum;

		if ((void *)(ip + 1) > end || ip->ttl == 0)
			return XDP_PASS;
		/* The TTL is the high byte of its 16-bit word (TTL, protocol): one less there is 0x0100 less. */
		ip->ttl--;
		sum = (__u32)ip->check + bpf_htons(0x0100);
		ip->check = (__u16)(sum + (sum >> 16));
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->hop_limit == 0)
			return XDP_PASS;
		ip6->hop_limit--;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
