// Zoo: a healthy counter. Counts every frame per CPU and lets it through. xdp-doctor must find nothing wrong.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pkt_count SEC(".maps");

SEC("xdp")
int count_pass(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&pkt_count, &key);

	if (n)
		(*n)++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
