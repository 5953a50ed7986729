// Verifier set: calls a helper that XDP programs may not use (bpf_skb_load_bytes is for programs that see an skb).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int helper_not_allowed(struct xdp_md *ctx)
{
	char first[4];

	if (bpf_skb_load_bytes(ctx, 0, first, sizeof(first)))
		return XDP_DROP;
	return first[0] ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
