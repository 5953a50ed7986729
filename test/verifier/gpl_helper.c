// Verifier set: calls a GPL-only helper (bpf_trace_printk) from a program whose license is not GPL-compatible.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int gpl_helper(struct xdp_md *ctx)
{
	bpf_printk("packet");
	return XDP_PASS;
}

char _license[] SEC("license") = "Proprietary";
