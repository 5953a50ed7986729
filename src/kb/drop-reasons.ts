// What an skb drop reason means to someone whose XDP program just handled the packet: after XDP_PASS the stack
// of this host dropped it; after XDP_TX or XDP_REDIRECT the next hop did. Each row names the kernel function that
// drops with that reason, the cause it raises, and the XDP causes it explains (so a rung that saw the packet
// leave the program wrong and the kernel's word on where it died tell one story).
interface DropReasonInfo {
  /** The enum name without SKB_DROP_REASON_. */
  reason: string;
  cause: string;
  meaning: string;
  /** What it usually means after an XDP program rewrote or bounced the packet. */
  afterXdp: string;
  fix: string;
  source: string;
  /** Causes raised by other rungs that this drop confirms. */
  explains: string[];
}

const MALFORMED = ['malformed-packet', 'xdp-tx-addresses-unchanged'];

const ROWS: DropReasonInfo[] = [
  {
    reason: 'PKT_TOO_SMALL', cause: 'malformed-packet', explains: MALFORMED,
    meaning: 'the IPv4 total length is larger than the frame (or the header is cut short)',
    afterXdp: 'a header rewrite wrote tot_len wrong — the blog\'s bug: the outer tot_len without htons()',
    fix: 'write tot_len with bpf_htons(inner length + outer header) and recompute the header checksum',
    source: 'net/ipv4/ip_input.c ip_rcv_core(): `if (skb->len < len) { drop_reason = SKB_DROP_REASON_PKT_TOO_SMALL; ...}`',
  },
  {
    reason: 'IP_INHDR', cause: 'malformed-packet', explains: MALFORMED,
    meaning: 'the IPv4 header is invalid: version not 4, ihl below 5, or tot_len shorter than the header',
    afterXdp: 'a pushed or rewritten IPv4 header has a wrong version/ihl byte or length',
    fix: 'set version 4 and ihl 5 (0x45) in the header the program writes; tot_len in network byte order',
    source: 'net/ipv4/ip_input.c ip_rcv_core() (goto inhdr_error)',
  },
  {
    reason: 'IP_CSUM', cause: 'malformed-packet', explains: MALFORMED,
    meaning: 'the IPv4 header checksum is wrong',
    afterXdp: 'the program changed the IPv4 header (addresses, ttl, tot_len) without recomputing its checksum',
    fix: 'recompute the IPv4 header checksum after the rewrite (bpf_csum_diff, or a fold over the 20 bytes)',
    source: 'net/ipv4/ip_input.c ip_rcv_core(): ip_fast_csum() → csum_error',
  },
  {
    reason: 'TCP_CSUM', cause: 'l4-checksum-drop', explains: ['tx-checksum-partial', 'malformed-packet'],
    meaning: 'the TCP checksum is wrong',
    afterXdp: 'either the program rewrote addresses or ports without updating the TCP checksum, or the sender left a ' +
      'partial checksum (TX offload, CHECKSUM_PARTIAL) that native XDP_TX/REDIRECT on veth never completes',
    fix: 'update the L4 checksum for every rewritten field (pseudo-header included); for a partial checksum from a veth sender: ethtool -K SENDER tx off, or run the program in generic mode',
    source: 'net/ipv4/tcp_ipv4.c tcp_v4_rcv() → csum_error (SKB_DROP_REASON_TCP_CSUM)',
  },
  {
    reason: 'UDP_CSUM', cause: 'l4-checksum-drop', explains: ['tx-checksum-partial', 'malformed-packet'],
    meaning: 'the UDP checksum is wrong',
    afterXdp: 'addresses or ports rewritten without updating the UDP checksum, or a partial checksum lost through native XDP',
    fix: 'update the UDP checksum (or zero it for IPv4) after the rewrite; turn TX checksum offload off on a veth sender',
    source: 'net/ipv4/udp.c __udp4_lib_rcv() → csum_error (SKB_DROP_REASON_UDP_CSUM)',
  },
  {
    reason: 'OTHERHOST', cause: 'drop-otherhost', explains: ['xdp-tx-addresses-unchanged', 'vlan-tag-beside-frame'],
    meaning: 'the frame\'s destination MAC is not this host\'s: the stack drops packets not addressed to it',
    afterXdp: 'XDP_TX (or a redirect) sent the frame on with its MAC addresses unchanged, so it is addressed to the sender\'s peer, not the receiver',
    fix: 'swap the MAC (and IP) addresses before XDP_TX; for a redirect, write the next hop\'s MAC as the destination',
    source: 'net/ipv4/ip_input.c ip_rcv_core(): `if (skb->pkt_type == PACKET_OTHERHOST) { drop_reason = SKB_DROP_REASON_OTHERHOST; ...}`',
  },
  {
    reason: 'IP_RPFILTER', cause: 'ip-rpfilter', explains: [],
    meaning: 'strict reverse-path filtering: the route back to the source does not leave through the interface the packet came in on',
    afterXdp: 'an asymmetric path (direct server return, a redirect to another interface) meets rp_filter=1',
    fix: 'set rp_filter to 2 (loose) on that interface: the effective value is the larger of `all` and the interface\'s, so 2 there is loose whatever `all` says',
    source: 'net/ipv4/fib_frontend.c fib_validate_source() → ip_rcv_finish_core(): SKB_DROP_REASON_IP_RPFILTER',
  },
  {
    reason: 'NO_SOCKET', cause: 'no-socket', explains: [],
    meaning: 'the packet arrived but no socket listens on its port',
    afterXdp: 'the program delivered the packet to a host or port where nothing listens (a wrong VIP, port, or real server)',
    fix: 'start the service on that address and port, or fix the destination the program writes',
    source: 'net/ipv4/tcp_ipv4.c tcp_v4_rcv() / net/ipv4/udp.c __udp4_lib_rcv(): no_tcp_socket / no socket',
  },
  {
    reason: 'NETFILTER_DROP', cause: 'netfilter-drop', explains: [],
    meaning: 'a netfilter rule (iptables/nftables) dropped the packet',
    afterXdp: 'after XDP_PASS the firewall of this host, or of the next hop after XDP_TX, refused the packet',
    fix: 'find the rule (nft list ruleset; iptables -L -v -n) and allow the flow',
    source: 'net/netfilter/core.c nf_hook_slow(): NF_DROP → SKB_DROP_REASON_NETFILTER_DROP',
  },
  {
    reason: 'IP_NOPROTO', cause: 'ip-noproto', explains: [],
    meaning: 'no protocol handler for the IPv4 protocol number: typically IPIP or GRE with no tunnel device to decapsulate it',
    afterXdp: 'the program encapsulated (IPIP, protocol 4) towards a host that has no ipip device (or decap program) for it',
    fix: 'add the tunnel on the receiver (ip link add ipip0 type ipip external; ip link set ipip0 up), or decapsulate it there with XDP/tc',
    source: 'net/ipv4/ip_input.c ip_protocol_deliver_rcu(): no inet_protos handler → SKB_DROP_REASON_IP_NOPROTO',
  },
  {
    reason: 'NEIGH_FAILED', cause: 'neigh-failed', explains: ['fib-no-neighbour'],
    meaning: 'the next hop\'s MAC address could not be resolved (ARP failed)',
    afterXdp: 'after XDP_PASS the route towards the destination points at a neighbour that does not answer ARP',
    fix: 'check the route and the neighbour (ip route get DEST; ip neigh show)',
    source: 'net/core/neighbour.c neigh_invalidate() / __neigh_event_send(): SKB_DROP_REASON_NEIGH_FAILED',
  },
  {
    reason: 'IP_LOCAL_SOURCE', cause: 'ip-local-source', explains: [],
    meaning: 'the source address is one of this host\'s own addresses, and accept_local is 0',
    afterXdp: 'the program wrote a source (an encapsulation\'s outer header, a NAT) that the receiving host owns itself',
    fix: 'write a source address the receiver does not own (the sender\'s or the load balancer\'s own); accept_local=1 on the receiver only if it really must accept its own address',
    source: 'net/ipv4/fib_frontend.c __fib_validate_source(): a local source without accept_local → -EINVAL → SKB_DROP_REASON_IP_LOCAL_SOURCE',
  },
  {
    reason: 'IP_INVALID_SOURCE', cause: 'ip-local-source', explains: [],
    meaning: 'the source address cannot be a source (martian: multicast, broadcast, zero, loopback from outside)',
    afterXdp: 'the program wrote a source address that is not a unicast address of a sender',
    fix: 'write a real unicast source address',
    source: 'net/ipv4/route.c ip_route_input_slow(): martian_source → SKB_DROP_REASON_IP_INVALID_SOURCE',
  },
  {
    reason: 'UNHANDLED_PROTO', cause: 'ip-noproto', explains: [],
    meaning: 'no handler for the packet\'s protocol (an encapsulation or EtherType nothing on this host takes)',
    afterXdp: 'the program encapsulated or re-typed the packet for a protocol the receiver has no handler for',
    fix: 'add the tunnel or handler on the receiver, or decapsulate before the stack sees it',
    source: 'net/core/dev.c __netif_receive_skb_core() / net/ipv6: SKB_DROP_REASON_UNHANDLED_PROTO',
  },
  {
    reason: 'IP_INADDRERRORS', cause: 'stack-drop', explains: ['xdp-passed-unchanged', 'map-params-unset', 'fib-forwarding-disabled'],
    meaning: 'the packet is addressed to an address this host does not own, and it does not forward (ip_forward=0 on the ingress device)',
    afterXdp: 'the program passed (XDP_PASS) a packet meant for someone else — a VIP it should have rewritten or sent on — to a stack that neither owns nor forwards that address',
    fix: 'make the program act on that traffic (its match and configuration), or let this host own or forward the address',
    source: 'net/ipv4/route.c ip_route_input_slow() → ip_error(): SKB_DROP_REASON_IP_INADDRERRORS (forwarding disabled on the ingress device)',
  },
  {
    reason: 'XDP', cause: 'xdp-drop-verdict', explains: [],
    meaning: 'the XDP program\'s own verdict (XDP_DROP or XDP_ABORTED) freed the packet',
    afterXdp: 'the program itself dropped it',
    fix: 'see what the program decided and why (its verdicts, maps and log)',
    source: 'net/core/dev.c do_xdp_generic() / drivers: kfree_skb_reason(skb, SKB_DROP_REASON_XDP)',
  },
];

// A reason some kernel functions reuse for something else: the row for that function comes first. The forwarding
// paths count an expired TTL/hop limit as a header error (IPSTATS_MIB_INHDRERRORS) and drop it as IP_INHDR,
// although the header is sound.
const TIME_EXCEEDED: Omit<DropReasonInfo, 'source'> = {
  reason: 'IP_INHDR', cause: 'stack-drop', explains: ['xdp-passed-unchanged'],
  meaning: 'the TTL (IPv6: hop limit) was 1 or less where the stack forwards the packet: time exceeded, and the sender is told so with ICMP',
  afterXdp: 'the program lowered the TTL before XDP_PASS (the stack decrements it again when it forwards), or the packets arrive with too small a TTL (a routing loop)',
  fix: 'leave the TTL to the stack when the program returns XDP_PASS; decrement it only when the program forwards the packet itself (XDP_TX, bpf_redirect)',
};
const IPV6_NOT_FORWARDING: DropReasonInfo = {
  ...ROWS.find((r) => r.reason === 'IP_INADDRERRORS')!,
  meaning: 'the IPv6 packet is addressed to an address this host does not own, and it does not forward IPv6 (net.ipv6.conf.all.forwarding=0)',
  source: 'net/ipv6/ip6_output.c ip6_forward(): forwarding off → `goto error` → IPSTATS_MIB_INADDRERRORS, SKB_DROP_REASON_IP_INADDRERRORS',
};

const IPV6_TOO_SMALL: DropReasonInfo = {
  ...ROWS.find((r) => r.reason === 'PKT_TOO_SMALL')!,
  meaning: 'the IPv6 payload length claims more bytes than the frame holds after the header (or the header is cut short)',
  afterXdp: 'a header rewrite wrote payload_len wrong — the blog\'s bug over IPv6: the outer payload length without htons()',
  fix: 'write payload_len with bpf_htons(inner packet length), the bytes after the 40-byte outer header',
  source: 'net/ipv6/ip6_input.c ip6_rcv_core(): `if (pkt_len + sizeof(struct ipv6hdr) > skb->len) { __IP6_INC_STATS(..., IPSTATS_MIB_INTRUNCATEDPKTS); SKB_DR_SET(reason, PKT_TOO_SMALL); ...}`',
};

const IPV6_NOPROTO: DropReasonInfo = {
  ...ROWS.find((r) => r.reason === 'IP_NOPROTO')!,
  meaning: 'no protocol handler for the IPv6 next header: typically IPv6-in-IPv6 (41), IPv4-in-IPv6 (4) or GRE with no tunnel device to decapsulate it',
  afterXdp: 'the program encapsulated towards a host that has no ip6tnl (or other tunnel) device, or decap program, for it',
  fix: 'add the tunnel on the receiver (ip link add ip6tnl1 type ip6tnl mode any external; ip link set ip6tnl1 up), or decapsulate it there with XDP/tc',
  source: 'net/ipv6/ip6_input.c ip6_protocol_deliver_rcu(): no inet6_protos handler → SKB_DROP_REASON_IP_NOPROTO',
};

const BY_LOCATION = new Map<string, DropReasonInfo>([
  ['IP_INHDR@ip_forward', { ...TIME_EXCEEDED, source: 'net/ipv4/ip_forward.c ip_forward(): `if (ip_hdr(skb)->ttl <= 1) goto too_many_hops;` → IP_INHDR' }],
  ['IP_INHDR@ip6_forward', { ...TIME_EXCEEDED, source: 'net/ipv6/ip6_output.c ip6_forward(): `if (hdr->hop_limit <= 1)` → ICMPv6 time exceeded, IP_INHDR' }],
  ['IP_INADDRERRORS@ip6_forward', IPV6_NOT_FORWARDING],
  ['PKT_TOO_SMALL@ip6_rcv_core', IPV6_TOO_SMALL],
  ['IP_NOPROTO@ip6_input_finish', IPV6_NOPROTO],
  ['IP_NOPROTO@ip6_protocol_deliver_rcu', IPV6_NOPROTO],
]);

const BY_REASON = new Map(ROWS.map((r) => [r.reason, r]));

/**
 * The row for a reason name (as dropped in `location`, the kernel function the tracepoint names, when a function
 * gives the reason another meaning), or a generic one that still says where the packet died.
 */
export function dropReasonInfo(reason: string, location?: string): DropReasonInfo {
  const fn = location?.replace(/\+0x[0-9a-f]+.*$/, '');
  return (fn ? BY_LOCATION.get(`${reason}@${fn}`) : undefined) ?? BY_REASON.get(reason) ?? {
    reason, cause: 'stack-drop', explains: [],
    meaning: `the kernel dropped the packet with reason ${reason}`,
    afterXdp: 'the packet left the XDP program and died later in the stack',
    fix: `look up SKB_DROP_REASON_${reason} in include/net/dropreason-core.h and the function named with it`,
    source: 'include/net/dropreason-core.h enum skb_drop_reason',
  };
}

/** Reasons that are routine and say nothing about a lost probe (a socket closing, a duplicate segment). */
const ROUTINE_REASONS = new Set(['SOCKET_CLOSE', 'TCP_OLD_DATA', 'TCP_OFOMERGE', 'TCP_OLD_SEQUENCE', 'TCP_CLOSE']);

/**
 * A drop that is how delivery ends, not a loss: ping's raw socket takes a copy of each ICMP reply and the kernel
 * frees the original with NO_SOCKET (no ping socket bound) — seen here on every healthy ping.
 */
export function isRoutineDrop(reason: string, proto: number): boolean {
  return ROUTINE_REASONS.has(reason) || (reason === 'NO_SOCKET' && (proto === 1 || proto === 58));
}

export function allDropReasons(): readonly DropReasonInfo[] {
  return ROWS;
}
