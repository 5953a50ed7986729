// Zoo: a VLAN tagger. Every IPv4 frame gets an 802.1Q tag (VLAN 100) pushed in front of its EtherType, and is
// passed to the stack. ARP is left alone, so neighbours resolve. Nothing on the receiving side is configured for
// VLAN 100: the stack keeps the tag in the skb, finds no VLAN device, marks the frame for another host and
// ip_rcv drops it (OTHERHOST) on the XDP interface itself: a kernel drop, not the program's verdict.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define VLAN_ID 100

struct vlan_eth { unsigned char dst[ETH_ALEN]; unsigned char src[ETH_ALEN]; __be16 tpid; __be16 tci; __be16 proto; };

SEC("xdp")
int vlan_push(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ethhdr copy;
	struct vlan_eth *v;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__builtin_memcpy(&copy, eth, sizeof(copy));
	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	v = data;
	if ((void *)(v + 1) > end)
		return XDP_PASS;
	__builtin_memcpy(v->dst, copy.h_dest, ETH_ALEN);
	__builtin_memcpy(v->src, copy.h_source, ETH_ALEN);
	v->tpid = bpf_htons(ETH_P_8021Q);
	v->tci = bpf_htons(VLAN_ID);
	v->proto = copy.h_proto;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
