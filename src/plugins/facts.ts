// Facts the built-in rungs publish for later rungs and for plugins (read them with ctx.facts.get(KEY)): their keys,
// their shapes, and small helpers every rung reading them needs. Part of the public plugin API.
import type { NetnsRef, Target } from '../engine/types.js';
import type { MapInfo } from '../tools/bpftool.js';
import type { ProgramCalls } from '../tools/bpftool-xlated.js';
import type { PacketTrip } from '../tools/frame-diff.js';

export const PREFLIGHT = 'preflight';
export const INVENTORY = 'inventory';

export interface PreflightFacts {
  root: boolean;
  tracefs?: string;
  bpffs: boolean;
  btf: boolean;
  lockdown?: string;
  /** fentry/fexit programs load here (xdpdump's entry/exit capture needs them). */
  fentry: boolean | 'unknown';
  fentryError?: string;
  tools: Record<string, string | null>;
}

export interface InventoryFacts {
  iface: string;
  ifindex: number;
  netns?: NetnsRef;
  mode?: string;
  progId?: number;
  progName?: string;
  tag?: string;
  btfId?: number;
  maps: MapInfo[];
  /**
   * What the program calls, read from the kernel (bpftool prog dump xlated): each helper, the kernel symbol it runs
   * as and the maps handed to it. Undefined when the instructions could not be read.
   */
  calls?: ProgramCalls;
  /** libxdp's dispatcher on the link (xdp-loader load): progId above is then its first component. */
  dispatcher?: { progId: number; components: { id: number; name: string; prio: number }[] };
  kind?: string;
  mtu?: number;
  /** Every attachment when several modes are active at once (multi mode). */
  attachments?: { mode: string; progId: number; progName?: string }[];
  /** Attached through a bpf_link: its id and the processes holding it (netlink cannot detach it). */
  link?: { id: number; holders: { pid: number; comm?: string }[] };
  /** rx-vlan-offload (ethtool -k): the device strips 802.1Q tags into the skb's metadata before XDP runs. */
  rxVlanOffload?: boolean;
  peer?: {
    ifname: string; ifindex: number; netns?: NetnsRef; netnsName?: string;
    xdp?: { mode: string; progId: number; progName?: string }; gro?: boolean; up: boolean; mtu?: number;
    /** tx-vlan-offload: a tag the peer sends travels beside the frame (skb metadata), not in it. */
    txVlanOffload?: boolean;
  };
}

export const TRACEPOINTS = 'tracepoints';
export const ETHTOOL = 'ethtool-stats';
export const XDPDUMP = 'xdpdump';

/** One xdp:* signal seen during the window (a histogram bucket). */
export interface SignalSeen {
  tracepoint: string;
  /** Positive errno (the tracepoint's err field negated); 0 when the event carries err 0. */
  errno?: number;
  act?: number;
  ifindex?: number;
  ifname?: string;
  /** Driver of ifname (ethtool -i / ip -d link kind): veth, virtio_net, mlx5_core ... */
  driver?: string;
  /** What a redirect event's map_id names (the program's map of that id): devmap, xskmap, cpumap, or bpf_redirect. */
  mapType?: 'ifindex' | 'devmap' | 'xskmap' | 'cpumap';
  count: number;
  /** Extra numeric fields summed over the events (drops, sent, ...). */
  fields?: Record<string, number>;
}

export interface TracepointFacts { signals: SignalSeen[] }

/** ethtool -S deltas over the window, names normalized across drivers (xdp_tx_errors, xdp_drops, ...). */
export interface EthtoolFacts { deltas: Record<string, Record<string, number>>; drivers: Record<string, string> }

export interface XdpdumpFacts {
  /** Where the exit packets were written (pcap), for packet-sanity. */
  exitPcap?: string;
  entryPcap?: string;
  verdicts: {
    index: number; inLen: number; outLen: number; action: string;
    /** Destination address (IPv4 or IPv6, the innermost header) of the frame as it entered the program. */
    dst?: string;
    /** What the program did to the frame: entry against exit, field by field (replay and xdpdump with bytes). */
    trip?: PacketTrip;
    /** The program left the frame exactly as it came in. */
    unchanged?: boolean;
    /** IP: the MAC and IP addresses left the program as they came in (whatever else changed). */
    addressesKept?: boolean;
    /**
     * The 802.1Q VLAN id the frame carried beside it, in the skb's metadata (rx VLAN offload, or a veth peer's tx
     * offload): the capture shows it, the program never saw it (it was replayed without it).
     */
    tagBeside?: number;
  }[];
  mode: 'xdpdump' | 'replay';
}

/** " (netns lb)", " (netns of pid 1234 (comm))": where a peer lives, for messages; '' when unknown. */
export function peerWhere(peer: { netnsName?: string }): string {
  if (!peer.netnsName) return '';
  return peer.netnsName.startsWith('netns ') ? ` (${peer.netnsName})` : ` (netns ${peer.netnsName})`;
}

/** The traffic this run follows: --flow or the probe's (read from its command); undefined when nothing says. */
export function followedFlow(t: Target): Target['flow'] {
  return t.flow ?? t.probe?.destination;
}

/**
 * Whether what this window saw of the followed flow is a problem to report: the probe failed, or there was no probe
 * and the user named the flow to watch (--flow): its drops are what they came for. A probe that passed lost nothing.
 */
export function flowTrouble(outcome: { ran: boolean; ok: boolean }, t: Target): boolean {
  return outcome.ran ? !outcome.ok : Boolean(t.flow);
}

/** The probe's outcome as the observing rungs saw it, for the rungs after the window. */
export const PROBE_OUTCOME = 'probe-outcome';
export interface ProbeOutcomeFacts { ran: boolean; ok: boolean }

export const DROPS = 'drop-reasons';

/** One kind of drop of the followed flow during the window (skb:kfree_skb), typed: what, where, whose. */
export interface FlowDrop {
  /** The drop reason's name without SKB_DROP_REASON_ (this kernel's table). */
  reason: string;
  count: number;
  ifindex: number;
  ifname?: string;
  /** Where, in words: "zs0 (netns srv)". */
  where: string;
  netns?: NetnsRef;
  /** The kernel function that freed the packet. */
  location: string;
  l3: 'IPv4' | 'IPv6' | 'ARP';
  /** IP protocol / IPv6 next header (0 for ARP). */
  proto: number;
  /** On the interface the XDP program runs on, in its namespace. */
  onXdpIface: boolean;
  /** The program's own verdict, as the kernel says (the XDP reason, or freed in the driver's XDP path). */
  byProgram: boolean;
  /** How delivery ends (ping's raw socket copy) or freed outside any device: not a loss. */
  routine: boolean;
}

export interface DropFacts { drops: FlowDrop[]; trouble: boolean }
