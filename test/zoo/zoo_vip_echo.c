// Zoo: answers ICMP echo for one virtual IP, read from a one-entry config array and compared with the packet's
// destination as it is on the wire (network byte order). A loader that writes the VIP in host byte order leaves a
// value that never matches: the program passes every packet untouched and nobody answers.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct vip_config { __u32 vip; __u32 flags; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vip_config);
} vip_config SEC(".maps");

struct echo_hdr { __u8 type; __u8 code; __sum16 checksum; __be16 id; __be16 seq; };

SEC("xdp")
int vip_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct echo_hdr *icmp = (void *)(ip + 1);
	struct vip_config *cfg;
	unsigned char mac[ETH_ALEN];
	__u32 key = 0, sum;
	__be32 addr;

	if ((void *)(icmp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != 1 || icmp->type != 8)
		return XDP_PASS;
	cfg = bpf_map_lookup_elem(&vip_config, &key);
	if (!cfg || ip->daddr != cfg->vip)
		return XDP_PASS;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	icmp->type = 0;
	sum = (__u16)~icmp->checksum + (__u16)~bpf_htons(8 << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->checksum = ~((sum & 0xffff) + (sum >> 16));
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
