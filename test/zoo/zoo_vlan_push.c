// Zoo: a VLAN tagger. Every IPv4 and IPv6 frame gets an 802.1Q tag (VLAN 100) pushed in front of its EtherType,
// and is passed to the stack. ARP and IPv6 neighbour discovery are left alone, so neighbours resolve. Nothing on the receiving side is configured for
// VLAN 100: the stack keeps the tag in the skb, finds no VLAN device, marks the frame for another host and
// ip_rcv drops it (OTHERHOST) on the XDP interface itself: a kernel drop, not the program's verdict.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define VLAN_ID 100

struct vlan_eth { unsigned char dst[ETH_ALEN]; unsigned char src[ETH_ALEN]; __be16 tpid; __be16 tci; __be16 proto; };

/* ICMPv6 router/neighbour solicitation and advertisement, redirect (133-137): neighbour discovery. */
static __always_inline int neighbour_discovery(struct ethhdr *eth, void *end)
{
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	__u8 *type = (void *)(ip6 + 1);

	if ((void *)(type + 1) > end || ip6->nexthdr != IPPROTO_ICMPV6)
		return 0;
	return *type >= 133 && *type <= 137;
}

SEC("xdp")
int vlan_push(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ethhdr copy;
	struct vlan_eth *v;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) && eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6) && neighbour_discovery(eth, end))
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
