// The lab's traffic probe: a string from the client to VIP:50002 that the real echoes back by direct server
// return. One definition (labProbeSpec) serves `lab probe` and the engine's probe window. When the echo does
// not come back, per-hop interface counters taken before and after say how far the packets got.
import type { ProbeSpec } from '../engine/types.js';
import type { Exec } from '../tools/exec.js';
import { createTools, type Tools } from '../tools/index.js';
import { LB_IFACE, NODES, type LabNode, VIP, VIP6, VIP_PORT, nsRef } from './topology.js';

const PROBE_TEXT = 'xdp-doctor lab probe';
export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

/**
 * nc -N closes its write side after stdin's EOF, so the echo server sees the end, echoes and closes, and nc exits 0
 * once the echo is back. -w bounds both the connect and the idle wait.
 */
export function labProbeSpec(prefix: string, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS, ipv6 = false): ProbeSpec {
  const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
  const vip = ipv6 ? VIP6 : VIP;
  return {
    argv: ['nc', '-N', '-w', String(secs), vip, String(VIP_PORT)],
    netns: nsRef(prefix, 'client'),
    input: `${PROBE_TEXT}\n`,
    expectStdout: PROBE_TEXT,
    destination: { ip: vip, port: VIP_PORT },
    // nc's own -w ends it; this outer bound only catches a wedged nc.
    timeoutMs: secs * 1000 + 2000,
  };
}

/** Where the probe's packets are counted, in the order they should pass (forward path, then the DSR reply). */
interface PathPoint { node: LabNode; iface: string; dir: 'rx' | 'tx'; label: string }

const PROBE_PATH: readonly PathPoint[] = [
  { node: 'client', iface: 'c0', dir: 'tx', label: 'client c0 sent' },
  { node: 'gw', iface: 'g0', dir: 'rx', label: 'gw g0 received from client' },
  { node: 'gw', iface: 'g1', dir: 'tx', label: 'gw g1 forwarded towards lb' },
  { node: 'lb', iface: 'l0', dir: 'rx', label: 'lb l0 received (XDP LB runs here)' },
  { node: 'gw', iface: 'g1', dir: 'rx', label: 'gw g1 received back from lb (XDP_TX, encapsulated)' },
  { node: 'gw', iface: 'g2', dir: 'tx', label: 'gw g2 forwarded towards real' },
  { node: 'real', iface: 'r0', dir: 'rx', label: 'real r0 received (decap XDP runs here)' },
  { node: 'real', iface: 'r0', dir: 'tx', label: 'real r0 replied (direct server return)' },
  { node: 'gw', iface: 'g2', dir: 'rx', label: 'gw g2 received the reply' },
  { node: 'gw', iface: 'g0', dir: 'tx', label: 'gw g0 forwarded the reply to client' },
  { node: 'client', iface: 'c0', dir: 'rx', label: 'client c0 received the reply' },
];

type Snapshot = { links: Record<string, { rx: number; tx: number; rxDrop: number; txDrop: number }>; nstat: Record<string, Record<string, number>>; l0: Record<string, number> };

// nstat or ethtool failing reads as no counters, so the probe still runs and ip's per-hop packets still compare.
// Driver counters stay raw (rx_queue_0_xdp_tx_errors): the lines `lab probe` prints name them as ethtool does.
async function snapshot(tools: Tools, prefix: string): Promise<Snapshot> {
  const snap: Snapshot = { links: {}, nstat: {}, l0: {} };
  await Promise.all([
    ...NODES.map(async (n) => {
      const [links, counters] = await Promise.all([
        tools.ip.links(nsRef(prefix, n), { stats: true }),
        tools.nstat.sample(nsRef(prefix, n)).catch(() => ({})),
      ]);
      for (const l of links) {
        if (l.stats) snap.links[`${n}/${l.ifname}`] = { rx: l.stats.rxPackets, tx: l.stats.txPackets, rxDrop: l.stats.rxDropped, txDrop: l.stats.txDropped };
      }
      snap.nstat[n] = counters;
    }),
    tools.ethtool.stats(LB_IFACE, nsRef(prefix, 'lb')).then((s) => { snap.l0 = s.raw ?? {}; }, () => undefined),
  ]);
  return snap;
}

interface PointDelta extends PathPoint { packets: number }

export interface LabProbeResult {
  ok: boolean;
  durationMs: number;
  exitCode?: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  path: PointDelta[];
  /** The last point on the path that counted packets, when the echo did not return. */
  lastSeen?: PointDelta;
  /** The first point after it, which counted none. */
  firstMissing?: PointDelta;
  /** Drop-like counters that moved during the probe: `node: Counter +N`. */
  signals: string[];
}

// nstat counters that name a reason a packet died; only those that moved are reported.
const DROP_COUNTER = /Err|Drop|Discard|Trunc|Csum|NoRoute|Fail|Unknown|Overflow/;

export async function runLabProbe(exec: Exec, prefix: string, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS, ipv6 = false): Promise<LabProbeResult> {
  const spec = labProbeSpec(prefix, timeoutMs, ipv6);
  const tools = createTools(exec);
  const before = await snapshot(tools, prefix);
  const r = await exec.run(spec.argv, { netns: spec.netns, input: spec.input, timeoutMs: spec.timeoutMs });
  const after = await snapshot(tools, prefix);
  const ok = r.ok && r.stdout.includes(spec.expectStdout!);

  const path: PointDelta[] = PROBE_PATH.map((pt) => {
    const k = `${pt.node}/${pt.iface}`;
    const d = (after.links[k]?.[pt.dir] ?? 0) - (before.links[k]?.[pt.dir] ?? 0);
    return { ...pt, packets: d };
  });
  const signals: string[] = [];
  for (const n of NODES) {
    for (const [name, v] of Object.entries(after.nstat[n] ?? {})) {
      const d = v - (before.nstat[n]?.[name] ?? 0);
      if (d > 0 && DROP_COUNTER.test(name)) signals.push(`${n}: ${name} +${d}`);
    }
  }
  for (const [name, v] of Object.entries(after.l0)) {
    const d = v - (before.l0[name] ?? 0);
    if (d > 0 && /xdp_tx_errors|drops/.test(name)) signals.push(`lb l0 ethtool -S: ${name} +${d}`);
  }
  for (const [k, v] of Object.entries(after.links)) {
    const b = before.links[k];
    if (!b) continue;
    if (v.rxDrop > b.rxDrop) signals.push(`${k.replace('/', ' ')}: rx dropped +${v.rxDrop - b.rxDrop}`);
    if (v.txDrop > b.txDrop) signals.push(`${k.replace('/', ' ')}: tx dropped +${v.txDrop - b.txDrop}`);
  }

  const result: LabProbeResult = {
    ok, durationMs: r.durationMs, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut, path, signals,
  };
  if (!ok) {
    const miss = path.findIndex((p) => p.packets <= 0);
    if (miss > 0) { result.lastSeen = path[miss - 1]; result.firstMissing = path[miss]; }
    else if (miss === 0) result.firstMissing = path[0];
  }
  return result;
}
