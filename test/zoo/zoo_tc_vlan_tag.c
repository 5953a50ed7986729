// Zoo helper (tc egress, not XDP): tags every frame a device sends with 802.1Q VLAN 100, the way a VLAN device
// would, for a host whose kernel has no 8021q module. bpf_skb_vlan_push puts the tag in the skb's metadata; the
// device then inserts it into the frame, or (tx VLAN offload on) hands it on beside the frame, as a NIC would.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int vlan_tag(struct __sk_buff *skb)
{
	if (!skb->vlan_present)
		bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 100);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
