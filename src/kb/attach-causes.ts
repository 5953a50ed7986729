// Causes of a failed attach or load (xdp-doctor attach), in the shape of causes.ts. The extack rows that raise
// the attach causes are in attach-refusals.ts, the verifier's rules in verifier-rules.ts; each row here cites the
// kernel (or libbpf/iproute2) function that refuses.
import type { CauseInfo } from './cause-info.js';
import { VERIFIER_RULES } from './verifier-rules.js';

const attach = (id: string, title: string, explanation: string, source: string): CauseInfo =>
  ({ id, title, explanation, source, prior: 0.97, severity: 'critical' });

export const ATTACH_CAUSES: CauseInfo[] = [
  attach('attach-veth-peer-mtu', "The veth peer's MTU is above what native XDP accepts for this program (ERANGE)",
    'veth runs native XDP on one page per packet unless the program declares frags (SEC("xdp.frags")): the peer\'s MTU ' +
    'must fit in a page minus XDP headroom and skb_shared_info. Lower the peer\'s MTU, build the program frags-aware, or ' +
    'attach in generic mode.',
    'drivers/net/veth.c veth_xdp_set()'),
  attach('attach-veth-queues', 'The veth has fewer RX queues than its peer has TX queues (ENOSPC)',
    'Native XDP on a veth needs an RX queue for every TX queue of the peer, so XDP_TX and redirected frames have a ring ' +
    'to land in. Lower the peer\'s TX queues (ethtool -L PEER tx N) or recreate the pair with more RX queues here.',
    'drivers/net/veth.c veth_xdp_set()'),
  attach('attach-veth-peer-detached', 'The veth has no peer (ENOTCONN)',
    'The other end of the veth was deleted; native XDP on a veth needs its peer.', 'drivers/net/veth.c veth_xdp_set()'),
  attach('attach-native-unsupported', 'The driver has no native XDP (EOPNOTSUPP)',
    'Native (driver) mode needs the driver\'s ndo_bpf; macvlan, ipvlan, VLAN, loopback, wifi and many older drivers have ' +
    'none. Generic mode runs the same program in the stack, after the skb is built: slower, and XDP_TX goes back through it.',
    'net/core/dev.c dev_xdp_attach() → dev_xdp_bpf_op()'),
  attach('attach-mode-conflict', 'A program is attached in the other mode (EEXIST: native and generic at once)',
    'One device runs XDP in native or in generic mode, never both (only offload hardware combines modes). Detach the ' +
    'program in the other mode first, or attach in its mode.',
    'net/core/dev.c dev_xdp_attach()'),
  attach('attach-already-attached', 'A program is already attached in this mode (EBUSY)',
    'iproute2 asks the kernel not to replace a program (XDP_FLAGS_UPDATE_IF_NOEXIST) unless given -force. Replace it on ' +
    'purpose (ip -force link set …) or detach it first.',
    'net/core/dev.c dev_xdp_attach()'),
  attach('attach-link-held', 'A bpf_link owns the XDP hook (EBUSY): only its holder can replace or remove it',
    'The program was attached through a bpf_link (libxdp, cilium, katran and most libbpf loaders do this). Netlink can ' +
    'neither replace nor detach it; the link lives as long as a process (or a pin in bpffs) holds it.',
    'net/core/dev.c dev_xdp_attach() (dev_xdp_link() set)'),
  attach('attach-libxdp-dispatcher', "libxdp's dispatcher holds the hook: a plain attach is refused",
    'xdp-loader and other libxdp loaders attach a dispatcher program that runs their programs (components) in order ' +
    'through freplace. Add the program to its chain with xdp-loader, or unload the chain first; replacing the ' +
    'dispatcher with -force would silently drop every component.',
    'xdp-tools lib/libxdp/libxdp.c xdp_multiprog__attach(); net/core/dev.c dev_xdp_attach() (XDP_FLAGS_UPDATE_IF_NOEXIST)'),
  attach('attach-upper-has-program', 'A device stacked above this one already runs XDP (EEXIST)',
    'A bond or team above this device has a program; XDP runs on the upper device for its slaves.', 'net/core/dev.c dev_xdp_attach()'),
  attach('attach-virtio-mtu', 'virtio_net: MTU too large for XDP without frags (EINVAL)',
    'virtio_net runs XDP on one buffer per packet unless the program declares frags.', 'drivers/net/virtio_net.c virtnet_xdp_set()'),
  attach('attach-virtio-offloads', 'virtio_net: guest offloads (GRO_HW/CSUM) are on (EOPNOTSUPP)',
    'The host would hand over merged or unchecksummed packets XDP cannot read; turn the guest offloads off (ethtool -K DEV rx-gro-hw off).',
    'drivers/net/virtio_net.c virtnet_xdp_set()'),
  attach('attach-prog-not-found', 'The program or section named is not in the object',
    'iproute2 (like libbpf) selects a program by section (sec NAME) or by function name (program NAME); the object has neither by that name.',
    'iproute2 lib/bpf_libbpf.c load_bpf_object(): "object file doesn\'t contain sec|prog NAME"'),
  attach('attach-permission', 'Not permitted to load or attach (EPERM)',
    'Loading needs CAP_BPF (or CAP_SYS_ADMIN), attaching CAP_NET_ADMIN; before 5.11 RLIMIT_MEMLOCK also limited BPF memory.',
    'kernel/bpf/syscall.c bpf_prog_load() (bpf_capable()); net/core/rtnetlink.c rtnetlink_rcv_msg() (netlink_net_capable(CAP_NET_ADMIN))'),
  attach('attach-refused', 'The kernel refused the attach',
    'The kernel\'s own message is quoted; xdp-doctor has no row for it yet.', 'net/core/dev.c dev_change_xdp_fd() and the driver\'s ndo_bpf'),
  attach('load-failed', 'The program failed to load',
    'The loader failed before or while the kernel checked the program; its output is quoted.', 'kernel/bpf/syscall.c bpf_prog_load()'),
  ...VERIFIER_RULES.map((r) => attach(r.cause, `The verifier rejected the program: ${r.rule}`, `What the verifier needs to see there: ${r.needs}.`, r.source)),
  attach('verifier-rejected', 'The verifier rejected the program',
    'The rejected instruction, its source line and the verifier\'s words are quoted; the rule is not one xdp-doctor classifies yet.',
    'kernel/bpf/verifier.c bpf_check()'),
];
