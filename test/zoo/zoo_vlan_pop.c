// Zoo: a VLAN pop. 802.1Q frames lose their tag (the MAC addresses moved 4 bytes on, bpf_xdp_adjust_head) and go
// to the stack untagged; `popped` counts them. The program assumes the tag is in the frame: on a device that
// strips it before XDP (rx VLAN offload), or a veth whose sender offloads the tag, the tag rides beside the frame
// in the skb, the program never sees it, and the stack receives a tagged frame after all.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} popped SEC(".maps");

SEC("xdp")
int vlan_pop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, *moved;
	struct vlan_hdr *vh = (void *)(eth + 1);
	unsigned char macs[12];
	__u32 zero = 0;
	__u64 *n;

	if ((void *)(vh + 1) > end || eth->h_proto != bpf_htons(ETH_P_8021Q))
		return XDP_PASS;
	__builtin_memcpy(macs, eth, sizeof(macs));
	__be16 inner = vh->proto;
	if (bpf_xdp_adjust_head(ctx, (int)sizeof(*vh)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	moved = data;
	if ((void *)(moved + 1) > end)
		return XDP_ABORTED;
	__builtin_memcpy(moved, macs, sizeof(macs));
	moved->h_proto = inner;
	n = bpf_map_lookup_elem(&popped, &zero);
	if (n)
		*n += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
