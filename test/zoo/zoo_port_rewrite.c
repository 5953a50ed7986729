// Zoo: a port rewriter. TCP segments to port 8081 (IPv4 or IPv6) leave with destination port 8080, the TCP
// checksum updated incrementally (RFC 1624) for the one changed word, as a NAT-like program would. XDP_PASS.
// With a server on 8080 this is healthy; with one on 8081 only, the stack answers the rewritten SYN with a RST
// from 8080: the kernel drops nothing of the program's making, it just has no socket there.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define FROM_PORT 8081
#define TO_PORT 8080

static __always_inline void rewrite(struct tcphdr *tcp)
{
	__u32 sum;

	if (tcp->dest != bpf_htons(FROM_PORT))
		return;
	tcp->dest = bpf_htons(TO_PORT);
	sum = (__u16)~tcp->check + (__u16)~bpf_htons(FROM_PORT) + bpf_htons(TO_PORT);
	sum = (sum & 0xffff) + (sum >> 16);
	tcp->check = ~((sum & 0xffff) + (sum >> 16));
}

SEC("xdp")
int port_rewrite(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
			return XDP_PASS;
		rewrite(tcp);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		struct tcphdr *tcp = (void *)(ip6 + 1);

		if ((void *)(tcp + 1) > end || ip6->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		rewrite(tcp);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
