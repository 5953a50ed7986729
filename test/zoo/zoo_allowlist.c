// Zoo: a source filter. IPv4 frames whose source address is not in the allow-list hash are dropped.
// With the allow-list empty it drops everything IPv4: the "filter dropping everything" case.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);   /* source IPv4 address, network order */
	__type(value, __u8);
} allowed_sources SEC(".maps");

SEC("xdp")
int allowlist(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (!bpf_map_lookup_elem(&allowed_sources, &ip->saddr)) {
		bpf_printk("allowlist: drop from %x", ip->saddr);
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
