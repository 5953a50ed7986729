// Verifier set: a loop whose bound comes from the packet, so the verifier cannot see it end.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int unbounded_loop(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;
	volatile __u32 sum = 0;
	__u32 i;

	if (data + 1 > data_end)
		return XDP_PASS;
	for (i = 0; i != data[0] * 1000000u; i++)
		sum += i;
	return sum ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
