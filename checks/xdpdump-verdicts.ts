// What the xdpdump rung's two paths (xdpdump itself, or the BPF_PROG_TEST_RUN replay) share: verdict
// summaries, the XDP_ABORTED finding, and the entry/exit pcaps packet-sanity reads.
import { join } from 'node:path';
import {
  describePacketGroup, tripOf, writePcap, type CheckContext, type PacketGroup, type PacketsObservation, type Collector, type Evidence, type Finding, type ProbeOutcome, type WritePacket,
  type XdpdumpFacts,
} from '../src/plugins/api.js';

export type Verdict = XdpdumpFacts['verdicts'][number];

export function artifactDirOf(ctx: Pick<CheckContext, 'target' | 'tools'>): string {
  return ctx.target.artifactDir ?? join(ctx.tools.files.tempDir(), `xdp-doctor-${process.pid}`);
}

export const pcapsAt = (ctx: CheckContext, dir: string) =>
  ctx.target.keepArtifacts === false ? 'pcaps discarded after the run (--artifacts DIR keeps them)' : `pcaps in ${dir}`;


/** "XDP_TX ×2, XDP_PASS ×1" */
export function verdictCounts(verdicts: Pick<Verdict, 'action'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of verdicts) counts[v.action] = (counts[v.action] ?? 0) + 1;
  return counts;
}

/** "74 → 94 bytes" for every distinct size change. */
export function sizeChanges(verdicts: Pick<Verdict, 'inLen' | 'outLen'>[]): string {
  const seen = [...new Set(verdicts.map((v) => `${v.inLen} → ${v.outLen}`))];
  return seen.length ? `${seen.slice(0, 4).join(', ')}${seen.length > 4 ? ', ...' : ''} bytes` : '';
}

/** ARP, or IPv6 neighbour discovery (ICMPv6 133-136): what the flow needs before its first packet. */
export function isNeighbourFrame(v: Pick<Verdict, 'trip'>): boolean {
  const b = v.trip?.before;
  return b?.kind === 'arp' || (b?.proto === 'icmpv6' && b.icmpType !== undefined && b.icmpType >= 133 && b.icmpType <= 136);
}

export function summarizeVerdicts(verdicts: Verdict[]): string {
  const say = (vs: Verdict[]) => Object.entries(verdictCounts(vs)).map(([a, n]) => `${a} ×${n}`).join(', ');
  const neighbours = verdicts.filter(isNeighbourFrame);
  const packets = verdicts.filter((v) => !isNeighbourFrame(v));
  const main = packets.length ? `${packets.length} packet(s): ${say(packets)}, ${sizeChanges(packets)}` : 'no packet of the flow itself';
  return neighbours.length ? `${main}; ${neighbours.length} neighbour resolution frame(s) (ARP/ND): ${say(neighbours)}` : main;
}

export interface Common { progId: number; prog: string; iface: string; dir: string; evidence: Evidence[] }

export function probeEvidence(o: ProbeOutcome): Evidence {
  return { label: 'probe', data: o.ran ? `${o.ok ? 'passed' : 'FAILED'}${o.note ? ` (${o.note})` : ''}` : o.note ?? 'no probe' };
}

/** What is known of one frame's trip through the program, for the verdict list: the entry and exit compared. */
export function verdictOf(index: number, entry: Uint8Array, exit: Uint8Array, action: string): Verdict {
  const trip = tripOf(entry, exit);
  const ip = trip.before.kind === 'ipv4' || trip.before.kind === 'ipv6';
  const moved = new Set(['eth.dst', 'eth.src', 'ip.src', 'ip.dst']);
  return {
    index, inLen: entry.length, outLen: exit.length, action, ...(ip && trip.before.dst ? { dst: trip.before.dst } : {}),
    unchanged: entry.length === exit.length && Buffer.from(entry).equals(Buffer.from(exit)),
    // The MACs and IP addresses as they came in: a frame sent back this way is addressed to its own sender's peer.
    ...(ip ? { addressesKept: !trip.changes.some((c) => moved.has(c.field)) } : {}),
    trip,
  };
}

/**
 * The report's before and after: verdicts with the same action, the same kind of packet and the same changes
 * form one group (a flow's packets, usually), the first packet standing for it.
 */
export function packetsObservation(verdicts: Verdict[], source: 'xdpdump' | 'replay'): PacketsObservation | undefined {
  const groups = new Map<string, PacketGroup>();
  for (const v of verdicts) {
    if (!v.trip) continue;
    const t = v.trip;
    const key = JSON.stringify([v.action, t.before.kind, t.before.proto, t.before.src, t.before.dst, t.before.dport, t.changes, t.checksum]);
    const g = groups.get(key);
    if (g) { g.packets.push(v.index); continue; }
    groups.set(key, { action: v.action, packets: [v.index], before: t.before, after: t.after, changes: t.changes, ...(t.checksum ? { checksum: t.checksum } : {}) });
  }
  return groups.size ? { source, groups: [...groups.values()] } : undefined;
}

/** One line per group, for summaries and evidence. */
export const describeGroups = (o: PacketsObservation): string[] => o.groups.map(describePacketGroup);

const list = (vs: Verdict[]) => `#${vs.slice(0, 8).map((v) => v.index).join(', #')}${vs.length > 8 ? ', …' : ''}`;

/**
 * Causes from verdicts. XDP_ABORTED is always wrong. XDP_DROP and an untouched XDP_PASS are the program's
 * choice, so they become causes only when the probe failed, and then only for the probe's own packets (its
 * destination) when the probe says where it sends them.
 */
export function verdictFindings(verdicts: Verdict[], c: Common, how: string, probe: { outcome: ProbeOutcome; destination?: string; trouble: boolean }): Finding[] {
  const findings: Finding[] = [];
  const aborted = verdicts.filter((v) => v.action === 'XDP_ABORTED');
  if (aborted.length) {
    findings.push({
      cause: 'xdp-aborted', iface: c.iface, progId: c.progId, fixes: [], signal: 'XDP_ABORTED',
      message: `${aborted.length} of ${verdicts.length} packet(s) got XDP_ABORTED from ${c.prog} (${how}): ` +
        `the driver drops them and fires xdp:xdp_exception (packets ${list(aborted)})`,
    });
  }
  if (!probe.trouble) return findings;
  const dest = probe.destination;
  const { ours, to } = flowPacketsOf(verdicts, c.iface, dest);
  const dropped = ours.filter((v) => v.action === 'XDP_DROP');
  if (dropped.length) {
    findings.push({
      cause: 'xdp-drop-verdict', iface: c.iface, progId: c.progId, fixes: [], signal: 'XDP_DROP',
      message: `${c.prog} returned XDP_DROP for ${dropped.length} of ${ours.length} ${to} (${how}; packets ${list(dropped)}): the program itself drops the probe's traffic`,
    });
  }
  const bounced = ours.filter((v) => (v.action === 'XDP_TX' || v.action === 'XDP_REDIRECT') && v.addressesKept);
  if (bounced.length) {
    // XDP_TX sends the frame back where it came from: kept addresses are wrong there. A redirect may forward
    // frames as they are (a bridge-like port): only a suspicion, a risk that joins the receiver's OTHERHOST drops.
    const tx = bounced.some((v) => v.action === 'XDP_TX');
    findings.push({
      cause: 'xdp-tx-addresses-unchanged', iface: c.iface, progId: c.progId, signal: bounced[0]!.action,
      ...(tx ? {} : { risk: true, explains: ['drop-otherhost'] }),
      message: `${c.prog} sent ${bounced.length} ${to} on with ${bounced[0]!.action} without rewriting their MAC or IP addresses ` +
        `(${how}; packets ${list(bounced)}): the frame goes back addressed as it came, so the receiver is not its destination`,
      fixes: [{ title: 'swap the MAC (and IP) addresses before XDP_TX (for XDP_REDIRECT: write the next hop\'s MAC as the destination)', commands: [] }],
    });
  }
  const untouched = ours.filter((v) => v.action === 'XDP_PASS' && v.unchanged);
  if (ours.length && untouched.length === ours.length) {
    findings.push({
      cause: 'xdp-passed-unchanged', iface: c.iface, progId: c.progId, fixes: [], signal: 'XDP_PASS',
      // A forwarding program passes what its bpf_fib_lookup() could not forward: when the helper's failed
      // precondition is observed, that is the story and this verdict its evidence.
      explains: ['fib-forwarding-disabled', 'fib-no-neighbour'],
      message: `${c.prog} returned XDP_PASS for all ${ours.length} ${to} and left them unchanged (${how}): the program did not act on this traffic, so the loss is after it, in the stack`,
    });
  }
  return findings;
}

/**
 * The flow's packets among the verdicts, and how to name them: those to the destination; or, when none reached the
 * program, the replies from it. XDP sees only what its interface receives: a probe sent from the XDP side leaves
 * through the interface unseen, and only its replies pass the program.
 */
export function flowPacketsOf(verdicts: Verdict[], iface: string, dest?: string): { ours: Verdict[]; to: string } {
  if (!dest) return { ours: verdicts.filter((v) => v.dst !== undefined), to: 'probe packet(s)' };
  const toDest = verdicts.filter((v) => v.dst === dest);
  const replies = toDest.length ? [] : verdicts.filter((v) => !isNeighbourFrame(v) && v.trip?.before.src === dest);
  if (!replies.length) return { ours: toDest, to: `probe packet(s) to ${dest}` };
  return {
    ours: replies,
    to: `reply packet(s) from ${dest} (the probe's requests leave through ${iface} and never pass the program, which sees only what ${iface} receives)`,
  };
}

export async function writeArtifacts(ctx: CheckContext, dir: string, entries: WritePacket[], exits: WritePacket[]): Promise<Pick<XdpdumpFacts, 'entryPcap' | 'exitPcap'>> {
  if (ctx.tools.dryRun) return {};
  const out: Pick<XdpdumpFacts, 'entryPcap' | 'exitPcap'> = {};
  if (entries.length) { out.entryPcap = join(dir, 'entry.pcap'); await ctx.tools.files.writeBytes(out.entryPcap, writePcap(entries)); }
  if (exits.length) { out.exitPcap = join(dir, 'exit.pcap'); await ctx.tools.files.writeBytes(out.exitPcap, writePcap(exits)); }
  return out;
}

/** Waits for a collector to attach, at most `ms`: true, 'timeout', or why it failed. */
export async function attach(c: Collector, ms: number): Promise<true | 'timeout' | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); });
  try {
    return await Promise.race([c.ready.then(() => true as const), timeout]);
  } catch (e) {
    return (e as Error).message;
  } finally {
    clearTimeout(timer);
  }
}
