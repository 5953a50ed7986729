// Zoo: a destination NAT. TCP segments whose (destination address, port) has an entry in nat_table leave with the
// entry's address and port, the IPv4 and TCP checksums updated incrementally (RFC 1624); everything else passes
// untouched. With the table empty (the operator's loader never filled it) every packet passes as it came: to a
// VIP where nothing listens, the stack answers with a RST (NO_SOCKET). IPv6 the same from nat6_table (no IPv6
// header checksum: only TCP's, whose pseudo-header holds the address).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct endpoint {
	__be32 addr;
	__be16 port;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct endpoint);   /* the VIP and port the client asks for, network order */
	__type(value, struct endpoint); /* the backend it goes to */
} nat_table SEC(".maps");

struct endpoint6 {
	struct in6_addr addr;
	__be16 port;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct endpoint6);
	__type(value, struct endpoint6);
} nat6_table SEC(".maps");

static __always_inline __u16 csum_replace(__u16 check, __u32 from, __u32 to)
{
	/* RFC 1624: HC' = ~(~HC + ~m + m'), over 16-bit words. */
	__u32 sum = (__u16)~check;

	sum += (__u16)~(from & 0xffff) + (__u16)~(from >> 16);
	sum += (to & 0xffff) + (to >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline int dnat6(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip6 + 1);
	struct endpoint6 key = {}, *to;

	if ((void *)(tcp + 1) > end || ip6->nexthdr != IPPROTO_TCP)
		return XDP_PASS;
	key.addr = ip6->daddr;
	key.port = tcp->dest;
	to = bpf_map_lookup_elem(&nat6_table, &key);
	if (!to)
		return XDP_PASS;
	for (int i = 0; i < 4; i++)
		tcp->check = csum_replace(tcp->check, ip6->daddr.in6_u.u6_addr32[i], to->addr.in6_u.u6_addr32[i]);
	tcp->check = csum_replace(tcp->check, tcp->dest, to->port);
	ip6->daddr = to->addr;
	tcp->dest = to->port;
	return XDP_PASS;
}

SEC("xdp")
int dnat(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IPV6))
		return dnat6(data, end);
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	struct endpoint key = {}, *to;

	if ((void *)(tcp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	key.addr = ip->daddr;
	key.port = tcp->dest;
	to = bpf_map_lookup_elem(&nat_table, &key);
	if (!to)
		return XDP_PASS;
	/* The address is in the IPv4 header and the TCP pseudo-header; the port in TCP only. */
	ip->check = csum_replace(ip->check, ip->daddr, to->addr);
	tcp->check = csum_replace(tcp->check, ip->daddr, to->addr);
	tcp->check = csum_replace(tcp->check, tcp->dest, to->port);
	ip->daddr = to->addr;
	tcp->dest = to->port;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
