// A do-nothing XDP program. Attached (native) to the veth peer of an interface whose program does
// XDP_TX, it makes veth deliver those frames: veth only flushes XDP_TX to a peer that has XDP loaded.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
