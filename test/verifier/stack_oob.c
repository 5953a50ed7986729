// Verifier set: indexes a stack array with a value from the packet that is never bounded.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int stack_oob(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;
	volatile unsigned char seen[16] = {};

	if (data + 1 > data_end)
		return XDP_PASS;
	seen[data[0]] = 1;
	return seen[0] ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
