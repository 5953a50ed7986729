// Zoo: one program holding a map of each kind bpftool can show (for recordings of their dumps): per-CPU
// hash, LRU hash, a big hash, cpumap, ringbuf, perf event array. It passes everything.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } flows_percpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 64); __type(key, __u32); __type(value, __u64); } flows_lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8192); __type(key, __u32); __type(value, __u32); } big_table SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CPUMAP); __uint(max_entries, 2); __type(key, __u32); __type(value, struct bpf_cpumap_val); } cpu_targets SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(__u32)); __uint(value_size, sizeof(__u32)); } perf_events SEC(".maps");

SEC("xdp")
int many_maps(struct xdp_md *ctx)
{
	__u32 k = ctx->rx_queue_index;
	__u64 one = 1;

	bpf_map_update_elem(&flows_percpu, &k, &one, BPF_ANY);
	bpf_map_update_elem(&flows_lru, &k, &one, BPF_ANY);
	if (bpf_map_lookup_elem(&big_table, &k))
		bpf_ringbuf_output(&events, &k, sizeof(k), 0);
	bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &k, sizeof(k));
	if (k > 1000) /* never: keeps the cpumap referenced */
		return bpf_redirect_map(&cpu_targets, 0, XDP_PASS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
