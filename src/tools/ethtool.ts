// ethtool: driver statistics (`ethtool -S`) and driver identity (`ethtool -i`) of one interface, run in its
// network namespace. Pure parsers of the real output, and a normalizer that maps each driver's XDP counter
// names (veth rx_queue_N_…, virtio_net rxN_…/rx_queue_N_…, mlx5 rxN_xdp_…) to common names summed over queues,
// so a rung can say "xdp_tx_errors +3 on l0" whatever the driver (shared/reference/xdp-signals.md).
import { parseEthtoolFeatures, type Feature } from './ethtool-features.js';
import type { NetnsRef } from './netns.js';
import { validIfname } from './names.js';
import type { Exec } from './exec.js';
import { excerpt, ToolOutputError } from './json.js';

export type EthtoolStats = Record<string, number>;

/**
 * `ethtool -S IFACE`: "NIC statistics:" then "     name: value" lines. Throws ToolOutputError on anything else
 * (an empty answer, "no stats available" — the wrapper reports that one as unsupported before parsing).
 */
export function parseEthtoolStats(text: string): EthtoolStats {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.trim() !== '');
  if (header < 0 || lines[header]!.trim() !== 'NIC statistics:') {
    throw new ToolOutputError('ethtool', 'expected "NIC statistics:" from ethtool -S', excerpt(text) || '(empty)');
  }
  const out: EthtoolStats = {};
  for (const line of lines.slice(header + 1)) {
    if (!line.trim()) continue;
    const m = /^\s+(\S.*?):\s+(-?\d+)\s*$/.exec(line);
    if (!m) throw new ToolOutputError('ethtool', `unexpected statistics line "${line.trim()}"`, excerpt(text));
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export interface EthtoolDriverInfo {
  driver: string;
  version?: string;
  firmwareVersion?: string;
  busInfo?: string;
  supportsStatistics?: boolean;
}

/** `ethtool -i IFACE`: "driver: veth", "version: 1.0", "bus-info: …", "supports-statistics: yes". */
export function parseEthtoolDriver(text: string): EthtoolDriverInfo {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([\w-]+):\s?(.*)$/.exec(line.trim());
    if (m) fields.set(m[1]!, m[2]!.trim());
  }
  const driver = fields.get('driver');
  if (!driver) throw new ToolOutputError('ethtool', 'no "driver:" line in ethtool -i output', excerpt(text) || '(empty)');
  const opt = (k: string) => (fields.get(k) ? fields.get(k) : undefined);
  const stats = fields.get('supports-statistics');
  return {
    driver, version: opt('version'), firmwareVersion: opt('firmware-version'), busInfo: opt('bus-info'),
    supportsStatistics: stats === undefined ? undefined : stats === 'yes',
  };
}

// Driver counter names → common names. A rule with a queue group (\d+) is summed over queues; a rule
// without one is a device total, used only when no per-queue counter gives the same common name
// (virtio_net prints both rx_xdp_packets and rx0_xdp_packets: adding them would count twice).
interface Rule { re: RegExp; name: string }
const RULES: Rule[] = [
  // veth (drivers/net/veth.c veth_rq_stats_desc / veth_tq_stats_desc), and virtio_net before 2024.
  { re: /^rx_queue_(\d+)_xdp_packets$/, name: 'xdp_packets' },
  { re: /^rx_queue_(\d+)_xdp_bytes$/, name: 'xdp_bytes' },
  { re: /^rx_queue_(\d+)_drops$/, name: 'drops' },
  { re: /^rx_queue_(\d+)_xdp_redirects?$/, name: 'xdp_redirect' },
  { re: /^rx_queue_(\d+)_xdp_drops$/, name: 'xdp_drops' },
  { re: /^rx_queue_(\d+)_xdp_tx$/, name: 'xdp_tx' },
  { re: /^rx_queue_(\d+)_xdp_tx_errors$/, name: 'xdp_tx_errors' },
  { re: /^tx_queue_(\d+)_xdp_xmit$/, name: 'xdp_xmit' },
  { re: /^tx_queue_(\d+)_xdp_xmit_errors$/, name: 'xdp_xmit_errors' },
  // virtio_net before 2024: tx side of the XDP send queues (XDP_TX and ndo_xdp_xmit both land there).
  { re: /^tx_queue_(\d+)_xdp_tx$/, name: 'xdp_xmit' },
  { re: /^tx_queue_(\d+)_xdp_tx_drops$/, name: 'xdp_xmit_errors' },
  // virtio_net since 2024 (rx%u_…, tx%u_…) and its unnumbered device totals (rx_…, tx_…).
  { re: /^rx(\d+)_xdp_packets$/, name: 'xdp_packets' },
  { re: /^rx(\d+)_xdp_tx$/, name: 'xdp_tx' },
  { re: /^rx(\d+)_xdp_redirects$/, name: 'xdp_redirect' },
  { re: /^rx(\d+)_xdp_drops$/, name: 'xdp_drops' },
  { re: /^rx(\d+)_drops$/, name: 'drops' },
  { re: /^tx(\d+)_xdp_tx$/, name: 'xdp_xmit' },
  { re: /^tx(\d+)_xdp_tx_drops$/, name: 'xdp_xmit_errors' },
  { re: /^rx_xdp_packets$/, name: 'xdp_packets' },
  { re: /^rx_xdp_tx$/, name: 'xdp_tx' },
  { re: /^rx_xdp_redirects$/, name: 'xdp_redirect' },
  { re: /^rx_xdp_drops$/, name: 'xdp_drops' },
  { re: /^rx_drops$/, name: 'drops' },
  { re: /^tx_xdp_tx$/, name: 'xdp_xmit' },
  { re: /^tx_xdp_tx_drops$/, name: 'xdp_xmit_errors' },
  // mlx5 (en_stats.c): rx%d_xdp_drop, rx%d_xdp_redirect, rx%d_xdp_tx_{xmit,full,err}; the redirect-in XDP SQ
  // per channel as tx%d_xdp_{xmit,full,err}; device totals rx_xdp_…, tx_xdp_….
  { re: /^rx(\d+)_xdp_drop$/, name: 'xdp_drops' },
  { re: /^rx(\d+)_xdp_redirect$/, name: 'xdp_redirect' },
  { re: /^rx(\d+)_xdp_tx_xmit$/, name: 'xdp_tx' },
  { re: /^rx(\d+)_xdp_tx_(?:full|err)$/, name: 'xdp_tx_errors' },
  { re: /^tx(\d+)_xdp_xmit$/, name: 'xdp_xmit' },
  { re: /^tx(\d+)_xdp_(?:full|err)$/, name: 'xdp_xmit_errors' },
  { re: /^rx_xdp_drop$/, name: 'xdp_drops' },
  { re: /^rx_xdp_redirect$/, name: 'xdp_redirect' },
  { re: /^rx_xdp_tx_xmit$/, name: 'xdp_tx' },
  { re: /^rx_xdp_tx_(?:full|err)$/, name: 'xdp_tx_errors' },
  { re: /^tx_xdp_xmit$/, name: 'xdp_xmit' },
  { re: /^tx_xdp_(?:full|err)$/, name: 'xdp_xmit_errors' },
];

/** What each common name counts (for evidence and reports). */
export const COMMON_COUNTERS: Record<string, string> = {
  xdp_packets: 'frames the XDP program ran on',
  xdp_bytes: 'bytes the XDP program ran on',
  xdp_drops: 'XDP_DROP / XDP_ABORTED / invalid verdicts',
  xdp_redirect: 'XDP_REDIRECT verdicts (veth: successful; virtio_net: counted before the redirect)',
  xdp_tx: 'XDP_TX frames (veth: accepted by the peer)',
  xdp_tx_errors: 'XDP_TX frames that failed to transmit (veth: refused by the peer, = xdp_bulk_tx drops)',
  xdp_xmit: 'frames sent through this device\'s XDP send queues (redirected in; virtio_net/mlx5 also XDP_TX)',
  xdp_xmit_errors: 'frames this device\'s XDP send queues refused',
  drops: 'frames the driver dropped on the XDP path (conversion, redirect errors, allocation)',
};

/** Counters whose rise means frames were lost, in the order a report lists them. */
export const DROP_COUNTERS = ['xdp_tx_errors', 'xdp_xmit_errors', 'drops', 'xdp_drops'] as const;

/** Driver-specific counters → common names summed over queues. Names no rule knows are left out. */
export function normalizeEthtoolStats(raw: EthtoolStats): Record<string, number> {
  const perQueue: Record<string, number> = {};
  const totals: Record<string, number> = {};
  for (const [name, value] of Object.entries(raw)) {
    for (const rule of RULES) {
      const m = rule.re.exec(name);
      if (!m) continue;
      const into = m[1] === undefined ? totals : perQueue;
      into[rule.name] = (into[rule.name] ?? 0) + value;
      break;
    }
  }
  return { ...totals, ...perQueue };
}

/** Counters that changed between two samples (negative when a counter was reset, e.g. the link was recreated). */
export function statsDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

export interface EthtoolSample {
  iface: string;
  argv: string[];
  /** Raw driver counters; absent when the interface has none or ethtool failed. */
  raw?: EthtoolStats;
  /** Common XDP names, summed over queues (empty: the driver reports no XDP counters). */
  xdp?: Record<string, number>;
  /** The driver does not report statistics at all (lo: "no stats available"). */
  unsupported?: boolean;
  error?: string;
}

/** ethtool -S exits non-zero with this when a driver has no statistics (lo, dummy, bridges). */
const NO_STATS = /no stats available|Operation not supported/i;

/** ifname as the kernel accepts it: ≤15 characters, no '/', no whitespace; refused before it reaches argv. */

export function createEthtool(exec: Exec) {
  const tool = {
    async stats(iface: string, netns?: NetnsRef): Promise<EthtoolSample> {
      if (!validIfname(iface)) throw new Error(`not an interface name: ${JSON.stringify(iface)}`);
      const argv = ['ethtool', '-S', iface];
      const r = await exec.run(argv, { netns, timeoutMs: 5000 });
      const sample: EthtoolSample = { iface, argv: r.argv };
      if (!r.ok) {
        const msg = (r.stderr || r.stdout).trim() || `exit ${r.exitCode}`;
        if (NO_STATS.test(msg)) sample.unsupported = true;
        sample.error = r.notFound ? 'ethtool: command not found' : msg;
        return sample;
      }
      sample.raw = parseEthtoolStats(r.stdout);
      sample.xdp = normalizeEthtoolStats(sample.raw);
      return sample;
    },
    /** The driver name (veth, virtio_net, mlx5_core); undefined when the device has none (lo). */
    async driver(iface: string, netns?: NetnsRef): Promise<EthtoolDriverInfo | undefined> {
      if (!validIfname(iface)) throw new Error(`not an interface name: ${JSON.stringify(iface)}`);
      const r = await exec.run(['ethtool', '-i', iface], { netns, timeoutMs: 5000 });
      if (!r.ok) return undefined;
      return parseEthtoolDriver(r.stdout);
    },
    /** `ethtool -k`: each feature on or off; undefined when ethtool cannot read them. */
    async features(iface: string, netns?: NetnsRef): Promise<Map<string, Feature> | undefined> {
      if (!validIfname(iface)) throw new Error(`not an interface name: ${JSON.stringify(iface)}`);
      const r = await exec.run(['ethtool', '-k', iface], { netns, timeoutMs: 5000 });
      return r.ok ? parseEthtoolFeatures(r.stdout) : undefined;
    },
    /** Several interfaces at once, each in its namespace; a failure is that sample's `error`, never a throw. */
    statsOfAll(sides: readonly { iface: string; netns?: NetnsRef }[]): Promise<EthtoolSample[]> {
      return Promise.all(sides.map((s) => tool.stats(s.iface, s.netns)
        .catch((e: Error): EthtoolSample => ({ iface: s.iface, argv: ['ethtool', '-S', s.iface], error: e.message }))));
    },
  };
  return tool;
}
export type EthtoolTool = ReturnType<typeof createEthtool>;
