// Verifier set: reads the Ethernet header without comparing against data_end first.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pkt_no_bounds(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;

	if (eth->h_proto == 0x0008)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
