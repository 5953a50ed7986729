// IPIP decapsulation for the lab's real server. These kernels have no CONFIG_NET_IPIP, so instead of an
// ipip0 device this program, on the real's interface, strips the outer IPv4 header and passes the inner
// packet up the stack. With `lab up --ipv6` it strips an outer IPv6 header (next header 41) the same way,
// standing in for an ip6tnl device.
//
// It only strips headers the kernel's own ip_rcv would have accepted (plain 20-byte header, tot_len
// within the frame, valid checksum). Anything else is passed untouched, so a malformed outer header
// (the blog's tot_len bug) is still dropped and counted by the kernel as it would be with a real tunnel
// device, instead of being silently repaired here.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ipv4_csum.h"

// Moves the Ethernet header forward over an outer header of `outer_len` bytes; addresses stay as received
// (dst = this host, src = the gateway), and h_proto already names the inner family.
static __always_inline int strip_outer(struct xdp_md *ctx, int outer_len)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr copy;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	__builtin_memcpy(&copy, eth, sizeof(copy));
	if (bpf_xdp_adjust_head(ctx, outer_len))
		return XDP_PASS;
	eth = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP; // cannot happen after the callers' length checks; the verifier wants it
	__builtin_memcpy(eth, &copy, sizeof(copy));
	return XDP_PASS;
}

// IPv6-in-IPv6 only when ipv6_rcv would have accepted the outer header: the payload length may not claim more
// bytes than arrived, and the inner packet must be IPv6 too (the outer Ethernet type stays right).
static __always_inline int decap6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *outer = data + sizeof(struct ethhdr);
	struct ipv6hdr *inner = (void *)(outer + 1);

	if ((void *)(inner + 1) > data_end || outer->version != 6 || outer->nexthdr != IPPROTO_IPV6 || inner->version != 6)
		return XDP_PASS;
	__u16 payload_len = bpf_ntohs(outer->payload_len);
	if (payload_len < sizeof(struct ipv6hdr) ||
	    (__u64)sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + payload_len > (__u64)(data_end - data))
		return XDP_PASS;
	return strip_outer(ctx, sizeof(struct ipv6hdr));
}

SEC("xdp")
int xdp_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *outer = (void *)(eth + 1);

	if ((void *)(eth + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_IPV6))
		return decap6(ctx);
	if ((void *)(outer + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (outer->version != 4 || outer->ihl != 5 || outer->protocol != IPPROTO_IPIP)
		return XDP_PASS;
	// The same length rule as ip_rcv: the header may not claim more bytes than arrived.
	__u16 tot_len = bpf_ntohs(outer->tot_len);
	if (tot_len < 2 * sizeof(struct iphdr) || (__u64)sizeof(*eth) + tot_len > (__u64)(data_end - data))
		return XDP_PASS;
	if (ipv4_csum(outer) != 0 /* 0 when the header's checksum is right */)
		return XDP_PASS;

	return strip_outer(ctx, sizeof(struct iphdr));
}

char LICENSE[] SEC("license") = "GPL";
