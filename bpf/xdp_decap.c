// IPIP decapsulation for the lab's real server. These kernels have no CONFIG_NET_IPIP, so instead of an
// ipip0 device this program, on the real's interface, strips the outer IPv4 header and passes the inner
// packet up the stack.
//
// It only strips headers the kernel's own ip_rcv would have accepted (plain 20-byte header, tot_len
// within the frame, valid checksum). Anything else is passed untouched, so a malformed outer header
// (the blog's tot_len bug) is still dropped and counted by the kernel as it would be with a real tunnel
// device, instead of being silently repaired here.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ipv4_csum.h"


SEC("xdp")
int xdp_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *outer = (void *)(eth + 1);

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

	// The Ethernet header moves forward over the outer IP header; addresses stay as received
	// (dst = this host, src = the gateway), h_proto is already IPv4.
	struct ethhdr copy;
	__builtin_memcpy(&copy, eth, sizeof(copy));
	if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct iphdr)))
		return XDP_PASS;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP; // cannot happen after the length check above; the verifier wants it
	__builtin_memcpy(eth, &copy, sizeof(copy));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
