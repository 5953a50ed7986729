// Preflight's question "can fentry programs load here?", asked of the kernel itself. xdpdump's entry/exit
// capture attaches fentry/fexit programs to the XDP program; where this object is refused (EPERM on some
// kernels), xdpdump cannot attach either and the ladder replays packets through BPF_PROG_TEST_RUN instead.
// bpf_fentry_test1 exists for BPF self-tests in net/bpf/test_run.c, so the attach target is always there.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("fentry/bpf_fentry_test1")
int fentry_probe(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
