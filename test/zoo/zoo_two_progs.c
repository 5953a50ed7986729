// Zoo: one object, two XDP programs in the same section: `attach --prog NAME` must pick one by name, and a
// name that is not there is refused with the names that are.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int count_first(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int drop_second(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
