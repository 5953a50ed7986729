// Zoo: XDP_PASS declared frags-aware (SEC("xdp.frags")): veth accepts it whatever the peer's MTU, where a
// program without frags is refused above one page minus headroom and skb_shared_info (veth_xdp_set()).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp.frags")
int pass_frags(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
