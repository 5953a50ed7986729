// Causes a diagnosis can name, as data: a title, what it means, where in the kernel (or the loader) it
// comes from, and a prior — how conclusive the signals that raise it are. Checks raise causes by id;
// titles and explanations come from here so every renderer and plugin tells the same story.
export interface CauseInfo {
  id: string;
  title: string;
  explanation: string;
  source: string;
  /** 0..1: how conclusive this cause's evidence is when present. */
  prior: number;
}

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
  },
  {
    id: 'map-value-mismatch',
    title: 'A map value differs from what the operator expected (--expect)',
    explanation: 'The loaded program runs with configuration other than the intended one.',
    source: 'user space loader',
    prior: 0.9,
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
  },
  {
    id: 'malformed-packet',
    title: 'The program emits malformed packets',
    explanation:
      'Packets leaving the XDP program fail dissection: a header field is wrong (the blog: the outer IPv4 ' +
      'total length written without htons), so the next hop drops them.',
    source: 'the XDP program; net/ipv4/ip_input.c ip_rcv_core() drops bad tot_len/checksum (IPSTATS_MIB_INHDRERRORS)',
    prior: 0.93,
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
  },
  {
    id: 'no-xdp-program',
    title: 'No XDP program is attached to the target interface',
    explanation: 'Nothing runs on the interface, so the program cannot be the one handling the traffic.',
    source: 'net/core/dev.c dev_xdp_prog_id()',
    prior: 0.9,
  },
  {
    id: 'packets-not-reaching-xdp',
    title: 'Packets do not reach the interface that runs the XDP program',
    explanation: 'Routing before the load balancer does not send traffic towards it; fix the route first.',
    source: 'routing tables along the path',
    prior: 0.75,
  },
  {
    id: 'packets-lost-after-xdp',
    title: 'Packets reach the XDP program and vanish after it',
    explanation:
      'The program sees the traffic but nothing arrives at the next hop. The verdict, the emitted packet, the ' +
      'driver counters and the xdp tracepoints tell why.',
    source: 'see the xdpdump, ethtool-stats and tracepoints rungs',
    prior: 0.6,
  },
  {
    id: 'xdp-aborted',
    title: 'The program returns XDP_ABORTED (xdp:xdp_exception act=0)',
    explanation: 'The program aborted (or a bpf_redirect_map lookup failed with flags 0); the driver drops the packet.',
    source: 'drivers: case XDP_ABORTED → trace_xdp_exception()',
    prior: 0.9,
  },
  {
    id: 'xdp-redirect-error',
    title: 'XDP_REDIRECT fails (xdp:xdp_redirect_err)',
    explanation: 'The redirect target refused the frame; the errno says why.',
    source: 'net/core/filter.c xdp_do_redirect() / __xdp_do_redirect_frame()',
    prior: 0.9,
  },
  {
    id: 'xdp-tx-error',
    title: 'XDP_TX frames fail to transmit',
    explanation: 'The driver could not send frames the program bounced; see the errno and driver counters.',
    source: 'drivers: XDP_TX paths (trace_xdp_exception act=3, xdp_bulk_tx)',
    prior: 0.85,
  },
  {
    id: 'devmap-xmit-error',
    title: 'Redirected frames refused by the target device (xdp:xdp_devmap_xmit err)',
    explanation: 'The target device could not take the batch of frames; on veth, its peer needs an XDP program.',
    source: 'kernel/bpf/devmap.c bq_xmit_all()',
    prior: 0.9,
  },
  {
    id: 'cpumap-drops',
    title: 'cpumap queue overflows (xdp:xdp_cpumap_enqueue drops)',
    explanation: 'The remote CPU cannot keep up; frames are dropped when its ring is full.',
    source: 'kernel/bpf/cpumap.c bq_flush_to_queue()',
    prior: 0.8,
  },
  {
    id: 'tools-degraded',
    title: 'Some rungs could not run fully on this machine',
    explanation: 'A missing tool or a kernel restriction limits what xdp-doctor can see; the preflight rung says what.',
    source: 'preflight',
    prior: 0.3,
  },
];

const BY_ID = new Map(CAUSES.map((c) => [c.id, c]));

export function causeInfo(id: string): CauseInfo | undefined {
  return BY_ID.get(id);
}

export function allCauses(): readonly CauseInfo[] {
  return CAUSES;
}
