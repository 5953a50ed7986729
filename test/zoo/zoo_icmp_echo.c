// Zoo: an ICMP echo responder in XDP. Echo requests are answered in place with XDP_TX: MACs and IPs swapped,
// type set to echo reply, checksum updated. Built twice: as is, and with -DZOO_FORGET_SWAP (zoo_icmp_echo_noswap),
// the bug where the reply goes back with the request's addresses, so the sender drops it (not its MAC).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* linux/icmp.h pulls in libc headers that -target bpf cannot use: the few fields needed, by hand. */
struct echo_hdr { __u8 type; __u8 code; __sum16 checksum; __be16 id; __be16 seq; };
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define PROTO_ICMP 1

SEC("xdp")
int icmp_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct echo_hdr *icmp = (void *)(ip + 1);

	if ((void *)(icmp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl != 5 || ip->protocol != PROTO_ICMP || icmp->type != ICMP_ECHO)
		return XDP_PASS;
#ifndef ZOO_FORGET_SWAP
	{
		unsigned char mac[ETH_ALEN];
		__be32 addr = ip->saddr;

		__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
		__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
		ip->saddr = ip->daddr;
		ip->daddr = addr;
	}
#endif
	icmp->type = ICMP_ECHOREPLY;
	/* RFC 1624 incremental update: the type byte went from 8 to 0. */
	{
		__u32 sum = (__u16)~icmp->checksum + (__u16)~bpf_htons(ICMP_ECHO << 8) + bpf_htons(ICMP_ECHOREPLY << 8);

		sum = (sum & 0xffff) + (sum >> 16);
		icmp->checksum = ~((sum & 0xffff) + (sum >> 16));
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
