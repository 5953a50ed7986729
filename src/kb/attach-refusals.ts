// Why the kernel refuses to attach an XDP program, as data: the netlink extack message the kernel sets (iproute2
// prints it as "Error: MESSAGE."; libbpf loaders as "libbpf: Kernel error message: MESSAGE"), the errno that comes
// with it, the cause it raises and the kernel function that returns it. `verified` rows were reproduced on this
// project's 6.18 machines (test/recordings/attach/, record.sh there); the others are read from the source only.

interface AttachRefusal {
  message: string;
  errno: number;
  errnoName: string;
  cause: string;
  source: string;
  verified: boolean;
}

export const ATTACH_REFUSALS: AttachRefusal[] = [
  { message: 'veth: Peer MTU is too large to set XDP', errno: 34, errnoName: 'ERANGE', cause: 'attach-veth-peer-mtu', verified: true,
    source: 'drivers/net/veth.c veth_xdp_set(): peer->mtu > SKB_WITH_OVERHEAD(PAGE_SIZE - VETH_XDP_HEADROOM) - peer->hard_header_len (+ PAGE_SIZE * MAX_SKB_FRAGS for xdp.frags programs, since 5.18)' },
  { message: 'veth: XDP expects number of rx queues not less than peer tx queues', errno: 28, errnoName: 'ENOSPC', cause: 'attach-veth-queues', verified: true,
    source: 'drivers/net/veth.c veth_xdp_set(): dev->real_num_rx_queues < peer->real_num_tx_queues' },
  { message: 'veth: Cannot set XDP when peer is detached', errno: 107, errnoName: 'ENOTCONN', cause: 'attach-veth-peer-detached', verified: false,
    source: 'drivers/net/veth.c veth_xdp_set(): the peer is gone (rtnl_dereference(priv->peer) == NULL)' },
  { message: 'Underlying driver does not support XDP in native mode', errno: 95, errnoName: 'EOPNOTSUPP', cause: 'attach-native-unsupported', verified: true,
    source: 'net/core/dev.c dev_xdp_attach(): dev_xdp_bpf_op() finds no ndo_bpf for XDP_MODE_DRV' },
  { message: "Native and generic XDP can't be active at the same time", errno: 17, errnoName: 'EEXIST', cause: 'attach-mode-conflict', verified: true,
    source: 'net/core/dev.c dev_xdp_attach(): a program is attached in the other of DRV/SKB mode' },
  { message: 'XDP program already attached', errno: 16, errnoName: 'EBUSY', cause: 'attach-already-attached', verified: true,
    source: 'net/core/dev.c dev_xdp_attach(): XDP_FLAGS_UPDATE_IF_NOEXIST (iproute2 sets it unless -force) and a program is there' },
  { message: "Can't replace active BPF XDP link", errno: 16, errnoName: 'EBUSY', cause: 'attach-link-held', verified: true,
    source: 'net/core/dev.c dev_xdp_attach(): dev_xdp_link(dev, mode) is set; only the link\'s owner can update or release it' },
  { message: 'Cannot attach when an upper device already has a program', errno: 17, errnoName: 'EEXIST', cause: 'attach-upper-has-program', verified: false,
    source: 'net/core/dev.c dev_xdp_attach(): netdev_for_each_upper_dev_rcu() finds a program on a bond/team above' },
  { message: 'virtio_net: MTU too large to enable XDP without frags', errno: 22, errnoName: 'EINVAL', cause: 'attach-virtio-mtu', verified: false,
    source: 'drivers/net/virtio_net.c virtnet_xdp_set(): dev->mtu > max_sz and the program has no xdp_has_frags' },
  { message: "virtio_net: Can't set XDP while host is implementing GRO_HW/CSUM, disable GRO_HW/CSUM first", errno: 95, errnoName: 'EOPNOTSUPP', cause: 'attach-virtio-offloads', verified: false,
    source: 'drivers/net/virtio_net.c virtnet_xdp_set(): no VIRTIO_NET_F_CTRL_GUEST_OFFLOADS and guest offloads (TSO4/6, ECN, UFO, CSUM, USO) negotiated' },
  { message: 'virtio_net: XDP expects header/data in single page, any_header_sg required', errno: 22, errnoName: 'EINVAL', cause: 'attach-refused', verified: false,
    source: 'drivers/net/virtio_net.c virtnet_xdp_set(): mergeable_rx_bufs without VIRTIO_F_ANY_LAYOUT (any_header_sg)' },
];

/** The row for a kernel message as a loader printed it (with or without "Error: " and the trailing period). */
export function findRefusal(message: string): AttachRefusal | undefined {
  const m = message.trim().replace(/^Error: /, '').replace(/\.$/, '');
  return ATTACH_REFUSALS.find((r) => r.message === m);
}
