// XDP failure signals as data: a tracepoint (or counter) and errno, in a driver's context → the kernel
// source that produces it, what it means, how to confirm, how to fix, and the cause it raises.
// Seeded from shared/reference/xdp-signals.md; rows marked verified were reproduced on the lab (kernel 6.18).
export interface SignalRow {
  tracepoint: string;
  /** Positive errno value; 0 for "no error but drops"; undefined matches any. */
  errno?: number;
  /** Driver the row applies to (veth, virtio_net, mlx5, ...); undefined = any. */
  driver?: string;
  /** act field for xdp_exception rows. */
  act?: number;
  cause: string;
  source: string;
  meaning: string;
  confirm: string;
  fix: string;
  verified?: boolean;
}

export const SIGNALS: SignalRow[] = [
  {
    tracepoint: 'xdp_bulk_tx', errno: 6, driver: 'veth', cause: 'veth-peer-no-xdp', verified: true,
    source: 'drivers/net/veth.c veth_xdp_flush_bq() → veth_xdp_xmit(): `if (!rcu_access_pointer(rq->napi)) goto out;` with ret = -ENXIO',
    meaning: 'XDP_TX frames were refused: the veth peer\'s receive queue has no NAPI instance, which exists only while the peer has an XDP program (or GRO on, since 5.13) and is up.',
    confirm: 'ethtool -S <iface>: rx_queue_N_xdp_tx_errors rises; `ip link show <peer>` shows no xdp; `ethtool -k <peer>` shows generic-receive-offload off',
    fix: 'attach a dummy XDP_PASS program to the peer (safest for XDP_TX); or attach in generic mode (xdpgeneric); or use macvlan instead of veth. GRO on the peer removes the error but does not deliver XDP_TX frames (veth_xdp_flush only wakes a peer that has an XDP program).',
  },
  {
    tracepoint: 'xdp_bulk_tx', errno: 0, driver: 'veth', cause: 'xdp-tx-error',
    source: 'drivers/net/veth.c veth_xdp_xmit() per-frame checks',
    meaning: 'XDP_TX frames dropped without an error: a frame larger than the peer MTU, or the peer\'s 256-slot ring is full.',
    confirm: 'compare MTUs of the interface and its peer; rx_queue_N_xdp_tx_errors',
    fix: 'match MTUs; more queues on the peer',
  },
  {
    tracepoint: 'xdp_bulk_tx', errno: 6, cause: 'xdp-tx-error',
    source: 'include/net/libeth/xdp.h __libeth_xdp_tx_flush_bulk()',
    meaning: 'On libeth_xdp drivers (ice, idpf, ...) -ENXIO here means the hardware XDP send queue is full — a different meaning than on veth.',
    confirm: 'driver statistics (ethtool -S)', fix: 'a bigger TX ring (ethtool -G)',
  },
  {
    tracepoint: 'xdp_exception', act: 0, cause: 'xdp-aborted',
    source: "drivers' XDP_ABORTED case → trace_xdp_exception()",
    meaning: 'The program returned XDP_ABORTED (0), or a bpf_redirect_map() lookup failed with flags 0.',
    confirm: 'bpftool prog show id PROG; the program\'s return paths', fix: 'fix the program; pass a fallback action in the redirect_map flags',
  },
  {
    tracepoint: 'xdp_exception', act: 3, cause: 'xdp-tx-error',
    source: 'virtio_net, mlx5, veth, generic_xdp_tx(): XDP_TX transmit failed',
    meaning: 'The driver could not transmit a frame the program bounced with XDP_TX.',
    confirm: 'driver TX drop counters', fix: 'bigger rings, headroom; check the peer on veth',
  },
  {
    tracepoint: 'xdp_exception', cause: 'xdp-aborted',
    source: 'net/core/filter.c bpf_warn_invalid_xdp_action() (dmesg "Illegal XDP return value")',
    meaning: 'The program returned an action the driver does not know; the packet is dropped.',
    confirm: 'dmesg', fix: 'return XDP_PASS, XDP_DROP, XDP_TX or XDP_REDIRECT',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 22, cause: 'xdp-redirect-error',
    source: 'net/core/filter.c __xdp_do_redirect_frame() (ifindex not in this netns); xsk_rcv_check()',
    meaning: 'Bad redirect target: the ifindex does not exist in this namespace, or the AF_XDP socket is bound elsewhere.',
    confirm: 'to_ifindex in the event; ip link', fix: 'redirect to a valid ifindex or use a devmap',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 56, cause: 'xdp-redirect-error',
    source: 'net/core/filter.c xdp_do_redirect() default case',
    meaning: 'XDP_REDIRECT returned without a successful redirect helper call (map_id 0).',
    confirm: 'map_id=0 in the event', fix: 'return the value of bpf_redirect()/bpf_redirect_map() instead of XDP_REDIRECT',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 75, cause: 'xdp-redirect-error',
    source: 'net/core/filter.c __xdp_do_redirect_frame() xdp_convert_buff_to_frame()',
    meaning: 'Not enough headroom to build the xdp_frame.', confirm: '—', fix: 'do not consume the headroom (bpf_xdp_adjust_head)',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 95, cause: 'xdp-redirect-error',
    source: 'kernel/bpf/devmap.c __xdp_enqueue() (xdp_features, ≥6.3)',
    meaning: 'The target cannot take XDP frames (veth whose peer has no XDP program or GRO; virtio_net without a program).',
    confirm: 'ip link; netdev xdp-features', fix: 'an XDP program on the target (veth: on its peer) or GRO on',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 100, cause: 'xdp-redirect-error',
    source: 'net/core/filter.c xdp_ok_fwd_dev()', meaning: 'The redirect target is down.', confirm: 'ip link', fix: 'bring the target up',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 90, cause: 'xdp-redirect-error',
    source: 'net/core/filter.c xdp_ok_fwd_dev()', meaning: 'The frame is larger than the target MTU.', confirm: 'compare MTUs', fix: 'raise the target MTU',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 2, cause: 'xdp-redirect-error',
    source: 'kernel/bpf/devmap.c broadcast', meaning: 'The map was torn down while redirecting (transient).', confirm: '—', fix: '—',
  },
  // AF_XDP and capacity errors of a redirect (read from the 6.x sources; not reproduced here).
  {
    tracepoint: 'xdp_redirect_err', errno: 6, cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c xsk_rcv_check(): `if (!xsk_is_bound(xs)) return -ENXIO;`',
    meaning: 'Redirected into an XSKMAP slot whose AF_XDP socket is not bound (yet, or any more).',
    confirm: 'ss --xdp -e in the namespace: the socket, its queue and whether it is bound', fix: 'bind the socket (xsk_socket__create) before traffic arrives; keep the process that owns it alive',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 12, cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c __xsk_rcv(): no buffer from the fill ring → rx_dropped, -ENOMEM; kernel/bpf/devmap.c: a clone for a broadcast redirect failed',
    meaning: 'No buffer to receive into: the AF_XDP socket\'s fill ring is empty (user space does not refill it fast enough), or memory ran out cloning a broadcast.',
    confirm: 'ss --xdp -e: rx_dropped, fill ring', fix: 'refill the fill ring faster or make it (and the UMEM) larger',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 28, cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c __xsk_rcv(): `if (len > xsk_pool_get_rx_frame_size(xs->pool) && !xs->sg) { xs->rx_dropped++; return -ENOSPC; }`',
    meaning: 'The frame is larger than the AF_XDP chunk and the socket was not bound with XDP_USE_SG.',
    confirm: 'compare the MTU with the UMEM chunk size', fix: 'bind with XDP_USE_SG (multi-buffer), use larger chunks, or lower the MTU',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 105, cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c __xsk_rcv_zc()/__xsk_rcv(): xskq_prod_reserve_desc() on a full RX ring → rx_queue_full, -ENOBUFS',
    meaning: 'The AF_XDP socket\'s RX ring is full: user space does not consume it fast enough.',
    confirm: 'ss --xdp -e: rx_queue_full', fix: 'consume the RX ring faster (busy polling, more threads) or make it larger',
  },
  {
    tracepoint: 'xdp_devmap_xmit', errno: 6, cause: 'devmap-xmit-error',
    source: 'kernel/bpf/devmap.c bq_xmit_all() → ndo_xdp_xmit (veth_ndo_xdp_xmit, virtnet_xdp_xmit, mlx5e_xdp_xmit, i40e_xdp_xmit)',
    meaning: 'The target device refused the batch of frames (veth: its peer has no XDP program; not counted in xmit_errors but as TX dropped).',
    confirm: 'ip -s link show <target>', fix: 'an XDP program on the target (veth: on its peer); more channels',
  },
  {
    tracepoint: 'xdp_cpumap_enqueue', cause: 'cpumap-drops',
    source: 'kernel/bpf/cpumap.c bq_flush_to_queue()', meaning: 'The cpumap ring is full; frames are dropped.',
    confirm: 'processed vs drops', fix: 'larger qsize (≤16384) or less load per CPU',
  },
];

/** The best row for a signal: exact driver and errno first, then generic rows. */
export function findSignal(q: { tracepoint: string; errno?: number; driver?: string; act?: number }): SignalRow | undefined {
  const errno = q.errno === undefined ? undefined : Math.abs(q.errno);
  const candidates = SIGNALS.filter((r) =>
    r.tracepoint === q.tracepoint &&
    (r.errno === undefined || r.errno === errno) &&
    (r.act === undefined || r.act === q.act) &&
    (r.driver === undefined || r.driver === q.driver));
  const score = (r: SignalRow) => (r.driver ? 4 : 0) + (r.errno !== undefined ? 2 : 0) + (r.act !== undefined ? 1 : 0);
  return candidates.sort((a, b) => score(b) - score(a))[0];
}

/** Causes of the xdp:* tracepoints that have no row above (or no row for this errno, driver or action). */
const DEFAULT_CAUSE: Record<string, string> = {
  xdp_bulk_tx: 'xdp-tx-error', xdp_redirect_err: 'xdp-redirect-error', xdp_devmap_xmit: 'devmap-xmit-error',
  xdp_exception: 'xdp-aborted', xdp_cpumap_enqueue: 'cpumap-drops', xdp_cpumap_kthread: 'cpumap-drops',
};

/** The cause an xdp:* event raises: its row's, else the tracepoint's own (an exception on XDP_TX is a TX error). */
export function signalCause(q: { tracepoint: string; errno?: number; driver?: string; act?: number }): string {
  const row = findSignal(q);
  if (row) return row.cause;
  if (q.tracepoint === 'xdp_exception' && q.act === 3) return 'xdp-tx-error';
  return DEFAULT_CAUSE[q.tracepoint] ?? 'xdp-tx-error';
}

/** What a rising driver counter (normalized name, see tools/ethtool.ts) means on this driver. */
export function counterMeaning(counter: string, driver?: string): string | undefined {
  if (counter !== 'xdp_tx_errors') return undefined;
  if (driver === 'veth') {
    return "veth counts every XDP_TX frame the peer refused in rx_queue_N_xdp_tx_errors (= xdp_bulk_tx drops; also in this device's tx_dropped and the peer's rx_dropped)";
  }
  return `XDP_TX frames the driver${driver ? ` (${driver})` : ''} could not send: its TX ring was full or refused them (the xdp:xdp_bulk_tx or xdp_exception tracepoints say which)`;
}

export function signalsForErrno(errno: number): SignalRow[] {
  return SIGNALS.filter((r) => r.errno === Math.abs(errno));
}
