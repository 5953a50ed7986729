/* IPv4 header checksum shared by the lab's programs (the LB writes it, the decap verifies it). */
#ifndef XDP_DOCTOR_IPV4_CSUM_H
#define XDP_DOCTOR_IPV4_CSUM_H

#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

/* One's complement sum of the 20-byte header, folded twice (a 10-word sum can carry into bit 17).
 * Over a header whose check field is zero it gives the checksum to write; over a complete header it
 * gives 0 when the checksum is right. */
static __always_inline __u16 ipv4_csum(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*iph) / 2); i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

#endif
