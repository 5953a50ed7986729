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
  /**
   * The kind of redirect the event's map_id names (see redirectKind): the same errno means different things on an
   * XSKMAP (an AF_XDP socket's rings) and a DEVMAP (a device's transmit); undefined = any or unknown.
   */
  mapType?: RedirectKind;
  cause: string;
  source: string;
  meaning: string;
  confirm: string;
  fix: string;
  verified?: boolean;
}

/** What an xdp_redirect(_err) event's map_id points at: bpf_redirect() (map_id INT_MAX) or a map of this kind. */
export type RedirectKind = 'ifindex' | 'devmap' | 'xskmap' | 'cpumap';

/** The kind of redirect from the event's map_id and the program's maps (bpftool's map type names). */
export function redirectKind(mapId: number | undefined, maps: readonly { id: number; type: string }[] = []): RedirectKind | undefined {
  if (mapId === 2147483647) return 'ifindex';
  const type = maps.find((m) => m.id === mapId)?.type;
  if (type === 'devmap' || type === 'devmap_hash') return 'devmap';
  if (type === 'xskmap' || type === 'cpumap') return type;
  return undefined;
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
    source: 'kernel/bpf/devmap.c __xdp_enqueue(): `if (!(dev->xdp_features & NETDEV_XDP_ACT_NDO_XMIT)) return -EOPNOTSUPP;` (≥6.3; before: `if (!dev->netdev_ops->ndo_xdp_xmit)`)',
    meaning: 'The target cannot take XDP frames: its driver has no ndo_xdp_xmit (bridge, macvlan, vlan, most virtual devices), or, since 6.3, does not advertise it now (veth whose peer has no XDP program or GRO; virtio_net without a program), or the frame has fragments the target cannot send.',
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
    source: 'kernel/bpf/devmap.c broadcast (dev_map_enqueue_multi()) while the map is torn down', meaning: 'The map was torn down while redirecting (transient).', confirm: '—', fix: '—',
  },
  // Errnos whose meaning depends on the redirect's map type. Read from net/core/filter.c __xdp_do_redirect_frame()
  // and xdp_do_generic_redirect_map(), kernel/bpf/devmap.c, kernel/bpf/cpumap.c and net/xdp/xsk.c (6.x and the
  // 5.10 tree); not reproduced here. A row without mapType answers when the event's map is unknown.
  {
    tracepoint: 'xdp_redirect_err', errno: 6, cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c xsk_rcv_check(): `if (!xsk_is_bound(xs)) return -ENXIO;`',
    meaning: 'Only an XSKMAP redirect fails with ENXIO here: its AF_XDP socket is not bound (yet, or any more). A devmap or bpf_redirect() target whose driver refuses frames reports ENXIO later, at flush, on xdp:xdp_devmap_xmit.',
    confirm: 'bpftool map show id MAP_ID (the event\'s map_id) for the map type; ss --xdp -e in the namespace for the sockets', fix: 'for an xskmap: bind the socket before traffic arrives and keep its process alive',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 6, mapType: 'xskmap', cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c xsk_rcv_check(): `if (!xsk_is_bound(xs)) return -ENXIO;` (the 5.10 xsk_rcv() returns -EINVAL for an unbound socket instead)',
    meaning: 'Redirected into an XSKMAP slot whose AF_XDP socket is not bound (yet, or any more).',
    confirm: 'ss --xdp -e in the namespace: the socket, its queue and whether it is bound', fix: 'bind the socket (xsk_socket__create) before traffic arrives; keep the process that owns it alive',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 6, mapType: 'devmap', cause: 'xdp-redirect-error',
    source: 'kernel/bpf/devmap.c __xdp_enqueue() returns only -EOPNOTSUPP, -ENETDOWN or -EMSGSIZE; the driver\'s -ENXIO comes from ndo_xdp_xmit in bq_xmit_all() → trace_xdp_devmap_xmit()',
    meaning: 'A devmap enqueue does not fail with ENXIO: the target driver\'s refusal (veth peer without NAPI, a driver with fewer TX queues than CPUs, a target without its own XDP program) shows up on xdp:xdp_devmap_xmit at flush.',
    confirm: 'trace xdp:xdp_devmap_xmit (err, drops) for the same target', fix: 'see the xdp_devmap_xmit ENXIO row for the target\'s driver',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 12, cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c __xsk_rcv(): xsk_buff_alloc() fails → rx_dropped, -ENOMEM; kernel/bpf/devmap.c dev_map_enqueue_clone() / dev_map_redirect_clone(): a clone for a broadcast fails → -ENOMEM',
    meaning: 'No buffer to receive into: on an XSKMAP the AF_XDP socket\'s fill ring is empty (user space does not refill it fast enough); on a DEVMAP a BPF_F_BROADCAST redirect could not clone the frame (memory pressure).',
    confirm: 'the map type of the event\'s map_id; ss --xdp -e: rx_dropped, fill ring', fix: 'xskmap: refill the fill ring faster or make it (and the UMEM) larger; devmap broadcast: free memory or send to fewer ports',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 12, mapType: 'xskmap', cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c __xsk_rcv(): `xsk_xdp = xsk_buff_alloc(xs->pool); if (!xsk_xdp) { xs->rx_dropped++; return -ENOMEM; }` (5.10 returns -ENOSPC here)',
    meaning: 'The AF_XDP socket\'s fill ring is empty: user space does not hand buffers back fast enough (copy mode).',
    confirm: 'ss --xdp -e: rx_dropped rises; the fill ring', fix: 'refill the fill ring faster or make it (and the UMEM) larger',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 12, mapType: 'devmap', cause: 'xdp-redirect-error',
    source: 'kernel/bpf/devmap.c dev_map_enqueue_clone(): `nxdpf = xdpf_clone(xdpf); if (!nxdpf) return -ENOMEM;` (generic mode: dev_map_redirect_clone() skb_clone())',
    meaning: 'A broadcast redirect (BPF_F_BROADCAST) could not clone the frame for one more port: the kernel is short of memory.',
    confirm: 'the program passes BPF_F_BROADCAST to bpf_redirect_map(); free memory', fix: 'free memory; broadcast to fewer ports',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 28, cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c __xsk_rcv(): frame longer than the chunk → -ENOSPC; kernel/bpf/cpumap.c cpu_map_generic_redirect(): ptr_ring_produce() on a full ring → -ENOSPC',
    meaning: 'No room: on an XSKMAP the frame is larger than the AF_XDP chunk (or, on 5.10, the fill ring is empty or the RX ring full); on a CPUMAP in generic mode the target CPU\'s ring is full.',
    confirm: 'the map type of the event\'s map_id; ss --xdp -e; xdp:xdp_cpumap_enqueue drops', fix: 'xskmap: larger chunks or XDP_USE_SG; cpumap: a larger qsize or less load per CPU',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 28, mapType: 'xskmap', cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c __xsk_rcv(): `if (len > xsk_pool_get_rx_frame_size(xs->pool) ...) { xs->rx_dropped++; return -ENOSPC; }`; 5.10 net/xdp/xsk_queue.h xskq_prod_reserve_desc() and __xsk_rcv() also return -ENOSPC',
    meaning: 'The frame is larger than the AF_XDP chunk and the socket was not bound with XDP_USE_SG (multi-buffer, 6.6+). On 5.10 the same errno also means an empty fill ring or a full RX ring.',
    confirm: 'compare the MTU with the UMEM chunk size; ss --xdp -e: rx_dropped, rx_queue_full', fix: 'bind with XDP_USE_SG, use larger chunks, or lower the MTU; on 5.10 also refill and drain the rings faster',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 28, mapType: 'cpumap', cause: 'cpumap-drops',
    source: 'kernel/bpf/cpumap.c cpu_map_generic_redirect(): `ret = ptr_ring_produce(rcpu->queue, skb);` → -ENOSPC when the ring is full',
    meaning: 'Generic-mode redirect to a CPUMAP entry whose ring is full: the target CPU does not keep up.',
    confirm: 'xdp:xdp_cpumap_enqueue drops; the entry\'s qsize', fix: 'a larger qsize (≤16384), more target CPUs, or less load per CPU',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 105, cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk_queue.h xskq_prod_reserve_desc() on a full RX ring → -ENOBUFS, from net/xdp/xsk.c __xsk_rcv_zc() (rx_queue_full)',
    meaning: 'Only an XSKMAP redirect fails with ENOBUFS: the AF_XDP socket\'s RX ring is full, user space does not consume it fast enough. Neither devmap nor cpumap returns it.',
    confirm: 'ss --xdp -e: rx_queue_full', fix: 'consume the RX ring faster (busy polling, more threads) or make it larger',
  },
  {
    tracepoint: 'xdp_redirect_err', errno: 105, mapType: 'xskmap', cause: 'xdp-redirect-error',
    source: 'net/xdp/xsk.c __xsk_rcv_zc(): `err = xskq_prod_reserve_desc(xs->rx, addr, len); if (err) { xs->rx_queue_full++; ...}`; xsk_queue.h: `if (xskq_prod_is_full(q)) return -ENOBUFS;` (5.10: -ENOSPC)',
    meaning: 'The AF_XDP socket\'s RX ring is full: user space does not consume it fast enough.',
    confirm: 'ss --xdp -e: rx_queue_full', fix: 'consume the RX ring faster (busy polling, more threads) or make it larger',
  },
  {
    tracepoint: 'xdp_devmap_xmit', errno: 6, cause: 'devmap-xmit-error',
    source: 'kernel/bpf/devmap.c bq_xmit_all() → ndo_xdp_xmit: veth_ndo_xdp_xmit(), virtnet_xdp_xmit(), i40e_xdp_xmit(), mlx5e_xdp_xmit() return -ENXIO',
    meaning: 'The target device refused the whole batch. Depending on its driver: a veth whose peer has no NAPI (no XDP program); a driver that takes redirected frames only while it runs an XDP program itself (virtio_net, i40e); or a driver that picks its XDP send queue by CPU number and has fewer queues than the CPU the redirect ran on (i40e, older mlx5).',
    confirm: 'ip -s link show <target> (TX dropped); ip link: an XDP program on the target; ethtool -l <target> against nproc', fix: 'an XDP program on the target (veth: on its peer); as many combined channels as CPUs (ethtool -L <target> combined N), or steer the receive side\'s IRQs to the first CPUs',
  },
  {
    tracepoint: 'xdp_devmap_xmit', errno: 6, driver: 'veth', cause: 'devmap-xmit-error',
    source: 'drivers/net/veth.c veth_ndo_xdp_xmit() → veth_xdp_xmit(): `if (!rcu_access_pointer(rq->napi)) goto out;` with -ENXIO',
    meaning: 'The veth target\'s peer has no NAPI instance (no XDP program there, or it is down), so it refuses redirected frames (counted as TX dropped, not in xmit_errors).',
    confirm: 'ip -s link show <target>; ip link show <peer>: no xdp', fix: 'an XDP program on the veth peer (xdp_pass), or GRO on the peer',
  },
  {
    tracepoint: 'xdp_devmap_xmit', errno: 6, driver: 'virtio_net', cause: 'devmap-xmit-error',
    source: 'drivers/net/virtio_net.c virtnet_xdp_xmit(): `xdp_prog = rcu_access_pointer(rq->xdp_prog); if (!xdp_prog) return -ENXIO;`',
    meaning: 'virtio_net allocates its XDP send queues only while it runs an XDP program: a target without one refuses redirected frames.',
    confirm: 'ip link show <target>: no xdp', fix: 'attach an XDP program (xdp_pass) to the target itself',
  },
  {
    tracepoint: 'xdp_devmap_xmit', errno: 6, driver: 'i40e', cause: 'devmap-xmit-error',
    source: 'drivers/net/ethernet/intel/i40e/i40e_txrx.c i40e_xdp_xmit(): `if (!i40e_enabled_xdp_vsi(vsi) || queue_index >= vsi->num_queue_pairs || ...) return -ENXIO;` with queue_index = smp_processor_id()',
    meaning: 'i40e refuses redirected frames when it runs no XDP program itself, when the CPU doing the redirect has a number at or above its queue pairs (fewer queues than CPUs), or during a reset.',
    confirm: 'ip link show <target>; ethtool -l <target> against nproc; the CPUs the receive IRQs run on', fix: 'an XDP program on the target; ethtool -L <target> combined <nproc>; or pin the receive IRQs to CPUs below the queue count',
  },
  {
    tracepoint: 'xdp_devmap_xmit', errno: 6, driver: 'mlx5_core', cause: 'devmap-xmit-error',
    source: 'drivers/net/ethernet/mellanox/mlx5/core/en/xdp.c mlx5e_xdp_xmit(): `sq_num = smp_processor_id(); if (unlikely(sq_num >= priv->channels.num)) return -ENXIO;` (kernels before the modulo change)',
    meaning: 'mlx5 picks its XDP send queue by CPU number: a redirect running on a CPU at or above the channel count is refused.',
    confirm: 'ethtool -l <target> against nproc', fix: 'ethtool -L <target> combined <nproc>; or pin the receive IRQs to CPUs below the channel count',
  },
  {
    tracepoint: 'xdp_cpumap_enqueue', cause: 'cpumap-drops',
    source: 'kernel/bpf/cpumap.c bq_flush_to_queue()', meaning: 'The cpumap ring is full; frames are dropped.',
    confirm: 'processed vs drops', fix: 'larger qsize (≤16384) or less load per CPU',
  },
];

/** The best row for a signal: exact driver and errno first, then generic rows. */
interface SignalQuery { tracepoint: string; errno?: number; driver?: string; act?: number; mapType?: RedirectKind }

export function findSignal(q: SignalQuery): SignalRow | undefined {
  const errno = q.errno === undefined ? undefined : Math.abs(q.errno);
  const candidates = SIGNALS.filter((r) =>
    r.tracepoint === q.tracepoint &&
    (r.errno === undefined || r.errno === errno) &&
    (r.act === undefined || r.act === q.act) &&
    (r.driver === undefined || r.driver === q.driver) &&
    (r.mapType === undefined || r.mapType === q.mapType));
  const score = (r: SignalRow) => (r.driver ? 8 : 0) + (r.mapType ? 4 : 0) + (r.errno !== undefined ? 2 : 0) + (r.act !== undefined ? 1 : 0);
  return candidates.sort((a, b) => score(b) - score(a))[0];
}

/** Causes of the xdp:* tracepoints that have no row above (or no row for this errno, driver or action). */
const DEFAULT_CAUSE: Record<string, string> = {
  xdp_bulk_tx: 'xdp-tx-error', xdp_redirect_err: 'xdp-redirect-error', xdp_devmap_xmit: 'devmap-xmit-error',
  xdp_exception: 'xdp-aborted', xdp_cpumap_enqueue: 'cpumap-drops', xdp_cpumap_kthread: 'cpumap-drops',
};

/** The cause an xdp:* event raises: its row's, else the tracepoint's own (an exception on XDP_TX is a TX error). */
export function signalCause(q: SignalQuery): string {
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
