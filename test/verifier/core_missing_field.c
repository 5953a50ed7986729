// Verifier set: a CO-RE relocation against a field this kernel's struct xdp_md does not have.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct xdp_md___missing {
	__u32 no_such_field;
} __attribute__((preserve_access_index));

SEC("xdp")
int core_missing_field(struct xdp_md *ctx)
{
	struct xdp_md___missing *m = (void *)ctx;

	return m->no_such_field ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
