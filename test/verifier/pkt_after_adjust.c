// Verifier set: keeps using a packet pointer after bpf_xdp_adjust_head, which invalidates every packet pointer.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pkt_after_adjust(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_DROP;
	if (eth->h_proto == 0x0008)
		return XDP_TX;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
