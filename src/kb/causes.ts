// Causes a diagnosis can name, as data: a title, what it means, where in the kernel (or the loader) it
// comes from, and a prior — how conclusive the signals that raise it are. Checks raise causes by id;
// titles and explanations come from here so every renderer and plugin tells the same story.
import { ATTACH_CAUSES } from './attach-causes.js';
import type { CauseInfo } from './cause-info.js';
import type { Severity } from '../engine/types.js';

export type { CauseInfo } from './cause-info.js';

const CAUSES: CauseInfo[] = [
  {
    id: 'map-params-unset',
    title: "The program's parameters map holds zeros: the loader's write never reached it",
    explanation:
      'The XDP program reads its configuration (VIP, next hop, addresses) from a map. Fields it needs are 0, so ' +
      'it never matches the traffic and passes or drops it untouched. In the blog the loader wrote an 8-byte key ' +
      'into an array map with a 4-byte key, so the map stayed zero.',
    source: 'user space loader; kernel/bpf/arraymap.c (array maps start zero-filled)',
    prior: 0.95,
    severity: 'critical',
  },
  {
    id: 'map-other-family-unset',
    title: 'A configuration map for the other address family holds zeros',
    explanation:
      'The program keeps one configuration map per address family (a dual-stack load balancer: IPv4 and IPv6 VIPs). ' +
      'The one for the family this run does not follow is all zero: traffic of that family would pass or drop ' +
      'untouched, but it does not decide the flow under test. A note, never the cause of this flow\'s loss.',
    source: 'user space loader; kernel/bpf/arraymap.c (array maps start zero-filled)',
    prior: 0.3,
    severity: 'low',
  },
  {
    id: 'map-value-mismatch',
    title: 'A map value differs from what the operator expected (--expect)',
    explanation: 'The loaded program runs with configuration other than the intended one.',
    source: 'user space loader',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'veth-peer-no-xdp',
    title: 'XDP_TX on a veth whose peer cannot receive XDP frames (xdp_bulk_tx err -6 ENXIO)',
    explanation:
      'veth_xdp_xmit() refuses frames when the peer receive queue has no NAPI instance, which exists only while ' +
      'the peer has an XDP program (or GRO on, since 5.13) and is up. The frames are counted in ' +
      'rx_queue_N_xdp_tx_errors and reported by the xdp:xdp_bulk_tx tracepoint with err -6 (ENXIO). ' +
      'Note: GRO on the peer alone removes the error but does not deliver XDP_TX frames here, because ' +
      'veth_xdp_flush() only wakes the peer when it has an XDP program.',
    source: 'drivers/net/veth.c: veth_xdp_flush_bq() → veth_xdp_xmit() (`if (!rcu_access_pointer(rq->napi)) goto out` with -ENXIO)',
    prior: 0.97,
    severity: 'critical',
  },
  {
    id: 'malformed-packet',
    title: 'The program emits malformed packets',
    explanation:
      'Packets leaving the XDP program fail dissection: a header field is wrong (the blog: the outer IPv4 ' +
      'total length written without htons), so the next hop drops them.',
    source: 'the XDP program; net/ipv4/ip_input.c ip_rcv_core() drops bad tot_len/checksum (IPSTATS_MIB_INHDRERRORS)',
    prior: 0.93,
    severity: 'critical',
  },
  {
    id: 'tx-checksum-partial',
    title: 'Partial TCP checksums from TX checksum offload reach the server unfixed',
    explanation:
      'The sender leaves TCP checksums for the NIC to finish (CHECKSUM_PARTIAL). After native XDP_TX on a veth ' +
      'the skb metadata is lost, the checksum is never completed, and the real server drops the segment ' +
      '(TcpInCsumErrors).',
    source: 'drivers/net/veth.c native XDP path (xdp_frame loses skb->ip_summed); net/ipv4/tcp_ipv4.c tcp_v4_rcv() → csum_error',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'no-xdp-program',
    title: 'No XDP program is attached to the target interface',
    explanation: 'Nothing runs on the interface, so the program cannot be the one handling the traffic.',
    source: 'net/core/dev.c dev_xdp_prog_id()',
    prior: 0.9,
    severity: 'critical',
  },
  {
    id: 'packets-not-reaching-xdp',
    title: 'Packets do not reach the interface that runs the XDP program',
    explanation: 'Routing before the load balancer does not send traffic towards it; fix the route first.',
    source: 'routing tables along the path',
    prior: 0.75,
    severity: 'high',
  },
  {
    id: 'packets-lost-after-xdp',
    title: 'Packets reach the XDP program and vanish after it',
    explanation:
      'The program sees the traffic but nothing arrives at the next hop. The verdict, the emitted packet, the ' +
      'driver counters and the xdp tracepoints tell why.',
    source: 'see the xdpdump, ethtool-stats and tracepoints rungs',
    prior: 0.6,
    severity: 'medium',
  },
  {
    id: 'xdp-aborted',
    title: 'The program returns XDP_ABORTED (xdp:xdp_exception act=0)',
    explanation: 'The program aborted (or a bpf_redirect_map lookup failed with flags 0); the driver drops the packet.',
    source: 'drivers: case XDP_ABORTED → trace_xdp_exception()',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'xdp-drop-verdict',
    title: "The program returns XDP_DROP for the probe's packets",
    explanation:
      'The verdicts (xdpdump, or the replay through BPF_PROG_TEST_RUN on the loaded program) show the program ' +
      'itself dropping the traffic the probe sent. Programs drop when a check fails: a lookup that misses (an ' +
      'empty allow-list, a key in the wrong byte order), a parse that rejects the packet. The joined evidence ' +
      'names the tables the program consults that cannot answer.',
    source: 'the XDP program (return XDP_DROP); drivers count it in their xdp_drops counters (veth: rx_queue_N_xdp_drops)',
    prior: 0.95,
    severity: 'high',
  },
  {
    id: 'xdp-passed-unchanged',
    title: "The program passed the probe's packets on untouched: it did not act on them",
    explanation:
      'Every probe packet got XDP_PASS and left the program byte for byte as it came in, so the program did not act ' +
      'on this traffic. If it was meant to (rewrite, redirect, answer), its match failed: compare what it logged ' +
      '(trace_pipe) and its maps with the probe\'s addresses. Otherwise the packets die later, in the stack.',
    source: 'the XDP program (return XDP_PASS); net/core/dev.c do_xdp_generic()/netif_receive_skb after the driver',
    prior: 0.6,
    severity: 'low',
  },
  {
    id: 'map-byte-order',
    title: 'A configuration value is stored in the wrong byte order',
    explanation: 'Addresses and ports in packet headers are big-endian; a value written in host byte order never equals them.',
    source: 'the loader (htonl/htons missing); include/uapi/linux/ip.h __be32 saddr/daddr',
    prior: 0.9,
    severity: 'info',
  },
  {
    id: 'map-empty',
    title: 'A table the program looks up is empty',
    explanation: 'Every lookup in an empty hash or trie misses; a program that drops or passes on a miss then does so for all traffic.',
    source: 'kernel/bpf/hashtab.c htab_map_lookup_elem() returns NULL for a missing key',
    prior: 0.7,
    severity: 'medium',
  },
  {
    id: 'redirect-slot-empty',
    title: 'The redirect map has no target in the slot the program uses',
    explanation:
      'bpf_redirect_map() on an empty devmap/cpumap/xskmap slot returns the fallback action from its flags: ' +
      'with flags 0 that is XDP_ABORTED (xdp:xdp_exception), so the frame is dropped.',
    source: 'kernel/bpf/devmap.c, cpumap.c, net/xdp/xskmap.c __xsk_map_lookup_elem(); net/core/filter.c __bpf_xdp_redirect_map()',
    prior: 0.85,
    severity: 'medium',
  },
  {
    id: 'tail-call-slot-empty',
    title: 'The tail-call table has no program in the slot the program jumps to',
    explanation:
      'bpf_tail_call() into an empty prog_array slot does nothing and the caller goes on after the call (often a ' +
      'drop). The kernel empties a prog_array when the last user-space reference (fd or pin) to it is closed: a ' +
      'loader that fills it and exits without pinning leaves it empty.',
    source: 'kernel/bpf/arraymap.c prog_array_map_clear() via bpf_map_put_uref(); kernel/bpf/core.c bpf_tail_call',
    prior: 0.85,
    severity: 'medium',
  },
  {
    id: 'xdp-tx-addresses-unchanged',
    title: 'XDP_TX sent the packets back without swapping their addresses',
    explanation:
      'The program bounced the frame (XDP_TX) or sent it on (XDP_REDIRECT) with the MAC and IP addresses it came in ' +
      'with. The frame is then addressed to the sender\'s peer, not to the receiver, whose stack drops it as ' +
      'OTHERHOST (destination MAC not its own). Swap the MAC (and IP) addresses before XDP_TX.',
    source: 'the XDP program; net/ipv4/ip_input.c ip_rcv_core() drops PACKET_OTHERHOST frames (SKB_DROP_REASON_OTHERHOST)',
    prior: 0.97,
    severity: 'high',
  },
  {
    id: 'drop-otherhost',
    title: 'The receiver dropped the packets as not addressed to it (SKB_DROP_REASON_OTHERHOST)',
    explanation: 'The destination MAC of the frames is not the receiving interface\'s: a rewrite or an XDP_TX left the wrong MAC.',
    source: 'net/ipv4/ip_input.c ip_rcv_core(): skb->pkt_type == PACKET_OTHERHOST',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'l4-checksum-drop',
    title: 'The kernel dropped the packets for a bad TCP/UDP checksum',
    explanation: 'Addresses or ports were rewritten without updating the L4 checksum, or a partial checksum (TX offload) was never completed after native XDP.',
    source: 'net/ipv4/tcp_ipv4.c tcp_v4_rcv(), net/ipv4/udp.c __udp4_lib_rcv() (csum_error)',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'ip-rpfilter',
    title: 'Strict reverse-path filtering dropped the packets (SKB_DROP_REASON_IP_RPFILTER)',
    explanation: 'rp_filter=1 drops packets whose source is routed back through another interface: asymmetric paths (direct server return) need 2 (loose) or 0.',
    source: 'net/ipv4/fib_frontend.c fib_validate_source(); net/ipv4/ip_input.c ip_rcv_finish_core()',
    prior: 0.93,
    severity: 'high',
  },
  {
    id: 'no-socket',
    title: 'Nothing listens where the packets arrive (SKB_DROP_REASON_NO_SOCKET)',
    explanation: 'The packets reached a host where no socket is bound to their destination port.',
    source: 'net/ipv4/tcp_ipv4.c tcp_v4_rcv() no_tcp_socket; net/ipv4/udp.c __udp4_lib_rcv()',
    prior: 0.85,
    severity: 'high',
  },
  {
    id: 'netfilter-drop',
    title: 'A netfilter rule dropped the packets (SKB_DROP_REASON_NETFILTER_DROP)',
    explanation: 'iptables/nftables on the route refused the flow after the XDP program passed or sent it on.',
    source: 'net/netfilter/core.c nf_hook_slow()',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'ip-noproto',
    title: 'Encapsulated packets arrived where nothing decapsulates them (SKB_DROP_REASON_IP_NOPROTO)',
    explanation: 'No handler for the IP protocol (IPIP 4, GRE 47) on the receiver: add the tunnel device or a decapsulation program there.',
    source: 'net/ipv4/ip_input.c ip_protocol_deliver_rcu()',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'neigh-failed',
    title: 'The next hop could not be resolved (SKB_DROP_REASON_NEIGH_FAILED)',
    explanation: 'ARP for the next hop failed, so the packets were dropped before they left.',
    source: 'net/core/neighbour.c',
    prior: 0.85,
    severity: 'high',
  },
  {
    id: 'stack-drop',
    title: 'The kernel dropped the packets after the XDP program (skb drop reason)',
    explanation: 'The drop-reasons rung names the reason, the device, the namespace and the kernel function.',
    source: 'include/net/dropreason-core.h enum skb_drop_reason; tracepoint skb:kfree_skb',
    prior: 0.7,
    severity: 'high',
  },
  {
    id: 'xdp-redirect-error',
    title: 'XDP_REDIRECT fails (xdp:xdp_redirect_err)',
    explanation: 'The redirect target refused the frame; the errno says why.',
    source: 'net/core/filter.c xdp_do_redirect() / __xdp_do_redirect_frame()',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'xdp-tx-error',
    title: 'XDP_TX frames fail to transmit',
    explanation: 'The driver could not send frames the program bounced; see the errno and driver counters.',
    source: 'drivers: XDP_TX paths (trace_xdp_exception act=3, xdp_bulk_tx)',
    prior: 0.85,
    severity: 'high',
  },
  {
    id: 'devmap-xmit-error',
    title: 'Redirected frames refused by the target device (xdp:xdp_devmap_xmit err)',
    explanation: 'The target device could not take the batch of frames; on veth, its peer needs an XDP program.',
    source: 'kernel/bpf/devmap.c bq_xmit_all()',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'cpumap-drops',
    title: 'cpumap queue overflows (xdp:xdp_cpumap_enqueue drops)',
    explanation: 'The remote CPU cannot keep up; frames are dropped when its ring is full.',
    source: 'kernel/bpf/cpumap.c bq_flush_to_queue()',
    prior: 0.8,
    severity: 'high',
  },
  {
    id: 'program-log',
    title: 'What the program logged (bpf_printk) while the probe failed',
    explanation: 'The program\'s own bpf_printk lines from trace_pipe, with the numbers that are addresses of this run spelled out.',
    source: 'bpf_trace_printk() → /sys/kernel/tracing/trace_pipe',
    prior: 0.3,
    severity: 'info',
  },
  {
    id: 'xdp-change-dropped',
    title: 'The kernel drops the packets as the program changed them',
    explanation:
      'The program rewrote, tagged or encapsulated the packets and passed them on (XDP_PASS, XDP_TX, XDP_REDIRECT); ' +
      'the kernel then dropped what it made of them, for a reason of its own that the change explains: a VLAN tag ' +
      'no device is configured for (OTHERHOST), a port nothing listens on (NO_SOCKET), an outer source address that ' +
      'is local or martian to the receiver (IP_LOCAL_SOURCE, rp_filter), an encapsulation nothing decapsulates ' +
      '(IP_NOPROTO). The drop is the kernel\'s, not the program\'s verdict: the fix is in what the program writes, or ' +
      'in the receiver\'s configuration.',
    source: 'skb:kfree_skb drop reasons (include/net/dropreason-core.h) joined with the program\'s entry/exit packets',
    prior: 0.96,
    severity: 'critical',
  },
  {
    id: 'vlan-tag-beside-frame',
    title: 'The 802.1Q tag travels beside the frame (VLAN offload): the program never sees it',
    explanation:
      'A NIC with rx VLAN offload strips the tag into the skb\'s metadata before XDP runs; a veth hands on its ' +
      'peer\'s skb as it is, so a tag the peer offloaded (tx-vlan-offload) stays beside the frame too. The program ' +
      'parses an untagged frame: its VLAN pop, match or filter does nothing or drops, while tcpdump shows the tag ' +
      '(libpcap puts it back). After XDP_PASS the stack still sees the tag; with no device for that VLAN it drops ' +
      'the frame as for another host (OTHERHOST), ARP first.',
    source: 'drivers/net/veth.c (the skb with its vlan_tci); net/core/dev.c __netif_receive_skb_core() → PACKET_OTHERHOST; bpf_xdp_metadata_rx_vlan_tag',
    prior: 0.95,
    severity: 'critical',
  },
  {
    id: 'neighbour-dropped',
    title: 'The program stops neighbour resolution (ARP or IPv6 neighbour discovery): the client never resolves the server',
    explanation:
      'Before its first packet the client asks who has the server\'s address (ARP for IPv4, a neighbour solicitation ' +
      'for IPv6). The program drops those frames, so the neighbour entry stays INCOMPLETE and then FAILED and the ' +
      'probe\'s own packets are never sent: the kernel drops them on the client (NEIGH_FAILED). An allow-list that ' +
      'lists the client is not enough when the policy drops everything that is not IP, or ICMPv6 other than echo. ' +
      'Passing neighbour discovery with its hop limit lowered does the same: the kernel ignores ND whose hop limit is not 255.',
    source: 'the XDP program (XDP_DROP of EtherType 0x0806 / ICMPv6 135-136); net/ipv6/ndisc.c ndisc_rcv() → IPV6_NDISC_HOP_LIMIT; net/core/neighbour.c neigh_invalidate() → SKB_DROP_REASON_NEIGH_FAILED',
    prior: 0.97,
    severity: 'critical',
  },
  {
    id: 'ip-local-source',
    title: 'The receiver refuses the source address: local to it, or martian (IP_LOCAL_SOURCE / IP_INVALID_SOURCE)',
    explanation:
      'fib_validate_source() refuses a packet whose source address is one of the receiving host\'s own (unless ' +
      'accept_local=1) or cannot be a source at all (martian). After an XDP program wrote the source (an outer ' +
      'encapsulation header, a NAT), the address it wrote is the one refused.',
    source: 'net/ipv4/fib_frontend.c fib_validate_source() / __fib_validate_source() → ip_route_input_slow(): SKB_DROP_REASON_IP_LOCAL_SOURCE, IP_INVALID_SOURCE',
    prior: 0.9,
    severity: 'high',
  },
  {
    id: 'fib-forwarding-disabled',
    title: 'bpf_fib_lookup() answers FWD_DISABLED: forwarding is off on the ingress device, so the program passes the packets',
    explanation:
      'A forwarding XDP program asks the kernel\'s FIB for the next hop with bpf_fib_lookup(). The kernel answers ' +
      'BPF_FIB_LKUP_RET_FWD_DISABLED when forwarding is off on the device the packet came in on (net.ipv4.conf.DEV.forwarding, ' +
      'net.ipv6.conf.DEV.forwarding), and programs fall back to XDP_PASS. The stack, which does not forward there either, ' +
      'drops the packet (IP_INADDRERRORS for IPv4): a kernel drop on the program\'s own interface that is not its verdict.',
    source: 'net/core/filter.c bpf_ipv4_fib_lookup(): `if (unlikely(!in_dev || !IN_DEV_FORWARD(in_dev))) return BPF_FIB_LKUP_RET_FWD_DISABLED;` (bpf_ipv6_fib_lookup(): `!idev->cnf.forwarding`)',
    prior: 0.95,
    severity: 'critical',
  },
  {
    id: 'fib-no-neighbour',
    title: 'bpf_fib_lookup() answers NO_NEIGH: the next hop has no valid neighbour entry, and XDP cannot resolve one',
    explanation:
      'bpf_fib_lookup() returns the next hop\'s MAC only from a neighbour entry that is valid (REACHABLE, STALE, DELAY, ' +
      'PROBE, PERMANENT); an XDP program cannot send ARP or neighbour solicitations. With no entry, or one INCOMPLETE or ' +
      'FAILED, the lookup answers BPF_FIB_LKUP_RET_NO_NEIGH and programs pass the packet to the stack, which resolves the ' +
      'neighbour if it can forward — or drops the packet (NEIGH_FAILED) when the next hop never answers.',
    source: 'net/core/filter.c bpf_ipv4_fib_lookup() / bpf_ipv6_fib_lookup(): `if (!neigh || !(neigh->nud_state & NUD_VALID)) return BPF_FIB_LKUP_RET_NO_NEIGH;`',
    prior: 0.85,
    severity: 'high',
  },
  {
    id: 'probe-failed-unexplained',
    title: 'The probe failed and no rung observed why',
    explanation:
      'The probe did not get what it asked for, yet no rung saw a drop, an error or a verdict that explains it. ' +
      'The evidence lists the rungs that could not look (skipped, degraded, errored) and why: each is a place the ' +
      'loss may hide. This is never "nothing wrong".',
    source: 'the probe\'s own exit status and output',
    prior: 0.5,
    severity: 'medium',
  },
  {
    id: 'tools-degraded',
    title: 'Some rungs could not run fully on this machine',
    explanation: 'A missing tool or a kernel restriction limits what xdp-doctor can see; the preflight rung says what.',
    source: 'preflight',
    prior: 0.3,
    severity: 'low',
  },
];

CAUSES.push(...ATTACH_CAUSES);

const BY_ID = new Map(CAUSES.map((c) => [c.id, c]));

export function causeInfo(id: string): CauseInfo | undefined {
  return BY_ID.get(id);
}

/** The severity a finding ranks with: the kb's for a cause it knows, else the finding's own (plugin causes). */
export function severityOf(f: { cause: string; severity?: Severity }): Severity {
  return causeInfo(f.cause)?.severity ?? f.severity ?? 'medium';
}

export function allCauses(): readonly CauseInfo[] {
  return CAUSES;
}
