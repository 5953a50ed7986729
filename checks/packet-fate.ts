// Rung 8¾: what became of the packets the program changed. The verdict rung compared each packet before and
// after the program (its `trip`); the drop-reasons rung saw where the kernel dropped the flow and why. A
// kernel drop is the program's own only when the kernel says so; every other one is joined here to the change
// that explains it: a VLAN tag nobody configured (OTHERHOST), a port nothing listens on (NO_SOCKET), an outer
// source the receiver owns (IP_LOCAL_SOURCE), an encapsulation nothing takes apart (IP_NOPROTO). And before any
// of that: a flow whose neighbour resolution (ARP, IPv6 neighbour discovery) the program drops never sends a
// packet at all. Observes nothing itself; judges what the observing rungs published.
import {
  defineCheck, describeChange, DROPS, followedFlow, INVENTORY, PROBE_OUTCOME, XDPDUMP, type CheckContext, type DropFacts,
  type Evidence, type Finding, type FlowDrop, type InventoryFacts, type PacketChange, type ProbeOutcomeFacts, type XdpdumpFacts,
} from '../src/plugins/api.js';
import { isNeighbourFrame, type Verdict } from './xdpdump-verdicts.js';
import { tagBesideFinding, tagBesideFrame } from './vlan-beside.js';

const LEAVES = new Set(['XDP_PASS', 'XDP_TX', 'XDP_REDIRECT']);
const DROPPED = new Set(['XDP_DROP', 'XDP_ABORTED']);

/**
 * A kernel drop joined to the change that explains it: why, in words, and what to do; `malformed` when the change
 * made a packet no receiver accepts (the drop then joins malformed-packet, the program's bug, not the receiver's setup).
 */
interface ChangeVerdict { change: PacketChange; why: string; fix: string; malformed?: boolean }

/**
 * Which of the program's changes explains a kernel drop with this reason, or undefined when none does. Reasons
 * are the kernel's names (include/net/dropreason-core.h), read from this kernel's tracepoint format. `arrival`: the
 * drop happened where the changed packet arrives (the XDP interface after XDP_PASS, the veth peer after XDP_TX);
 * a drop elsewhere on the route (a reply on its way back) is explained by a change only as a reply to it.
 */
export function explainDrop(d: Pick<FlowDrop, 'reason' | 'where'> & { location?: string }, changes: PacketChange[], iface: string, arrival: boolean): ChangeVerdict | undefined {
  const find = (...fields: PacketChange['field'][]) => changes.find((c) => fields.includes(c.field));
  if (!arrival && d.reason !== 'NO_SOCKET') return undefined;
  switch (d.reason) {
    case 'IP_INHDR': {
      // The forwarding paths drop an expired TTL as a header error; anywhere else IP_INHDR is a broken header.
      const ttl = find('ip.ttl');
      if (!ttl || !/^ip6?_forward\b/.test(d.location ?? '') || Number(ttl.after) >= Number(ttl.before)) return undefined;
      return {
        change: ttl,
        why: 'the stack forwards the packet and needs a TTL above 1 to do so; it decrements the TTL itself, so the program\'s decrement is a second one and the packets expire a hop early (the sender gets ICMP time exceeded)',
        fix: 'leave the TTL to the stack when returning XDP_PASS; decrement it only when the program forwards the packet itself (XDP_TX, bpf_redirect)',
      };
    }
    case 'OTHERHOST': {
      const tag = find('vlan.push', 'vlan.id');
      if (tag) {
        const vid = tag.after;
        return {
          change: tag,
          why: `no VLAN ${vid} device is configured on ${iface}, so the stack keeps the tag, marks the frame for another host and drops it`,
          fix: `push the tag only where a VLAN ${vid} device takes it (ip link add link ${iface} name ${iface}.${vid} type vlan id ${vid}, with the address moved there), or stop pushing it before XDP_PASS`,
        };
      }
      const mac = find('eth.dst');
      if (mac) return { change: mac, why: `${mac.after} is not the receiving interface's MAC address, so the stack drops the frame as addressed to another host`, fix: 'write the next hop\'s (or this interface\'s) MAC as the destination' };
      return undefined;
    }
    case 'NO_SOCKET': {
      const port = find('l4.dport');
      // Where the drop happened tells which half of the story it is: on the program's side nothing listens on the
      // new port; on the other side the reply comes back from the new port, which the client's connection does not know.
      if (port && arrival) return { change: port, why: `nothing listens on port ${port.after} there; the stack drops the packets (and answers a TCP SYN with a RST from ${port.after}, which the client does not recognize)`, fix: `listen on ${port.after}, or rewrite to the port the service listens on` };
      if (port) return { change: port, why: `the replies come back from port ${port.after}, which the client's connection to ${port.before} does not recognize: the program rewrites one direction only`, fix: `rewrite the replies' source port back (${port.after} → ${port.before}) on their way out (tc egress, or an XDP program on the return path), or do not rewrite the port` };
      const dst = find('ip.dst');
      if (dst && arrival) return { change: dst, why: `nothing listens at ${dst.after} for this port`, fix: 'rewrite to an address where the service listens' };
      // A UDP tunnel (VXLAN, GUE, Geneve) needs a socket on its port to be taken apart: a tunnel device or fou.
      const udp = find('encap');
      const tunnelPort = udp && arrival ? /\(UDP (\d+)/.exec(udp.after ?? '')?.[1] : undefined;
      // Over IPv6 a zero UDP checksum takes __udp6_lib_rcv's checksum-error path even with nothing listening
      // (Udp6InCsumErrors, no ICMP port unreachable); the reason stays NO_SOCKET, set before the check.
      if (udp && tunnelPort && /^IPv6 .*, checksum 0\)/.test(udp.after ?? '')) {
        return {
          change: udp, malformed: true,
          why: `its outer UDP checksum is 0, which IPv6 does not allow (RFC 8200 §8.1): the receiver counts a checksum error (Udp6InCsumErrors) and drops it without an ICMP port unreachable — a tunnel endpoint on UDP ${tunnelPort} would refuse it too unless it opted in to zero checksums (RFC 6936: udp6zerocsumrx); nor does anything listen on that port there`,
          fix: 'compute the outer UDP checksum over IPv6 (the pseudo-header and the whole datagram, e.g. with bpf_csum_diff), and add the tunnel endpoint on the receiver',
        };
      }
      if (udp && tunnelPort) {
        return {
          change: udp,
          why: `nothing on the receiver listens on UDP port ${tunnelPort} to decapsulate it (no tunnel device or fou port there; the stack answers ICMP port unreachable)`,
          fix: `add the tunnel endpoint on the receiver (a VXLAN/Geneve device on port ${tunnelPort}, or \`ip fou add port ${tunnelPort} gue\`), or decapsulate there with XDP/tc`,
        };
      }
      return undefined;
    }
    case 'IP_LOCAL_SOURCE':
    case 'IP_INVALID_SOURCE':
    case 'IP_RPFILTER': {
      const outer = find('encap');
      const src = find('ip.src');
      const change = outer ?? src;
      if (!change) return undefined;
      const addr = outer ? /IPv[46] (\S+) >/.exec(outer.after ?? '')?.[1] : src!.after;
      const what = d.reason === 'IP_LOCAL_SOURCE' ? `${addr} is an address of the receiving host itself (accept_local=0)`
        : d.reason === 'IP_RPFILTER' ? `the route back to ${addr} does not leave through the interface it came in on (strict rp_filter)`
          : `${addr} cannot be a source address (martian)`;
      return { change, why: `the source it wrote is refused: ${what}`, fix: `write a source address the receiver accepts (not its own: the sender's or the encapsulator's address)${d.reason === 'IP_RPFILTER' ? ', or loose rp_filter (2) on that interface' : ''}` };
    }
    case 'IP_NOPROTO':
    case 'UNHANDLED_PROTO': {
      const outer = find('encap');
      if (outer) return { change: outer, why: 'nothing on the receiver decapsulates it (no tunnel device or decap program for that protocol)', fix: 'add the tunnel on the receiver, or decapsulate it there with XDP/tc' };
      return undefined;
    }
    default: {
      const ttl = find('ip.ttl');
      if (ttl && Number(ttl.after) <= 1) return { change: ttl, why: `a TTL/hop limit of ${ttl.after} does not survive the next hop`, fix: 'decrement the TTL only when forwarding, and drop (or answer ICMP time exceeded) at 1' };
      const grown = find('length');
      if (grown && Number(grown.after) > Number(grown.before) && /TOO_BIG|MTU/.test(d.reason)) {
        return { change: grown, why: 'the grown frame no longer fits the next hop\'s MTU', fix: 'raise the MTU along the path, or lower the inner MTU/MSS' };
      }
      return undefined;
    }
  }
}

export default defineCheck({
  id: 'packet-fate',
  title: 'Packet fate (the changed packet followed)',
  question: 'What did the program change in the packets it passed on, and did the kernel drop them for it? Did it drop the flow\'s ARP or neighbour discovery?',
  rung: 8.75,
  after: ['xdpdump', 'drop-reasons'],
  timeoutMs: 15_000,
  async run(ctx) {
    const xd = ctx.facts.get<XdpdumpFacts>(XDPDUMP);
    const dr = ctx.facts.get<DropFacts>(DROPS);
    const outcome = ctx.facts.get<ProbeOutcomeFacts>(PROBE_OUTCOME);
    const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
    const iface = inv?.iface ?? ctx.target.iface;
    if (!xd?.verdicts.some((v) => v.trip)) {
      return { status: 'skip', summary: 'no packet seen before and after the program (the verdict rung captured none, or without packet bytes): nothing to follow', evidence: [], findings: [] };
    }
    const trouble = dr?.trouble ?? (outcome ? outcome.ran && !outcome.ok : false);
    const dest = followedFlow(ctx.target)?.ip;
    const flowPackets = xd.verdicts.filter((v) => v.trip && !isNeighbourFrame(v) && (!dest || v.dst === dest));
    const neighbourFrames = xd.verdicts.filter((v) => isNeighbourFrame(v));
    const evidence: Evidence[] = [];
    const findings: Finding[] = [];

    // The probe side's neighbour table, read once and only when a judgement needs it.
    let table: ReturnType<typeof unresolvedNeighbours> | undefined;
    const neighbours = () => (table ??= unresolvedNeighbours(ctx, dest));
    const neighbour = await neighbourFinding(neighbours, neighbourFrames, flowPackets, iface, dest);
    if (neighbour) {
      evidence.push(...neighbour.evidence);
      if (trouble && neighbour.finding) findings.push(neighbour.finding);
    }

    // A tag that rode beside the frames: the program could not have popped, matched or kept it. Neighbour frames
    // count too: with the tag beside them they go unanswered, and the flow never starts.
    const tagRule = tagBesideFrame(inv);
    const tagged = [...flowPackets, ...neighbourFrames].filter((v) => v.tagBeside !== undefined);
    if (tagRule && tagged.length && trouble) {
      const stuck = (await neighbours()).filter(stillResolving);
      const beside = tagBesideFinding(tagRule, tagged, dr?.drops ?? [], iface, stuck.map(describeNeighbour));
      if (beside) findings.push(beside);
    }

    const changed = flowPackets.filter((v) => LEAVES.has(v.action) && v.trip!.changes.length);
    // Drops on the program's own interface first: they are where the changed packet arrives.
    const kernelDrops = (dr?.drops ?? []).filter((d) => !d.byProgram && !d.routine && d.l3 !== 'ARP').sort((a, b) => Number(b.onXdpIface) - Number(a.onXdpIface));
    const joined: { d: FlowDrop; v: Verdict; e: ChangeVerdict }[] = [];
    for (const d of kernelDrops) {
      for (const v of changed) {
        const e = explainDrop(d, v.trip!.changes, d.ifname ?? iface, arrivesAt(d, v.action, inv));
        if (e) { joined.push({ d, v, e }); break; }
      }
    }
    if (changed.length) {
      evidence.push({ label: 'changed packets', data: changed.slice(0, 8).map((v) => ({ packet: v.index, action: v.action, changes: v.trip!.changes })) });
    }
    if (joined.length && trouble) {
      // One finding per change that explains drops: the change named first, the kernel's word after it.
      const byChange = new Map<string, typeof joined>();
      for (const j of joined) {
        const key = describeChange(j.e.change);
        byChange.set(key, [...(byChange.get(key) ?? []), j]);
      }
      for (const [change, js] of byChange) {
        const total = js.reduce((n, j) => n + j.d.count, 0);
        const where = [...new Set(js.map((j) => `${j.d.reason} ×${j.d.count} at ${j.d.where}${j.d.onXdpIface ? ' (the XDP interface itself)' : ''} in ${j.d.location || '?'}`))].join('; ');
        const action = js[0]!.v.action;
        findings.push({
          cause: js[0]!.e.malformed ? 'malformed-packet' : 'xdp-change-dropped', iface, signal: `skb:kfree_skb ${[...new Set(js.map((j) => j.d.reason))].join(', ')}`,
          message: `the program ${changeVerb(js[0]!.e.change, change)} and returns ${action}; the kernel dropped ${total} packet(s) of the flow for it: ` +
            `${js[0]!.e.why} (${where})`,
          fixes: [{ title: js[0]!.e.fix, commands: [] }],
        });
      }
    }

    const changes = [...new Set(changed.map((v) => v.trip!.changes.map(describeChange).join(', ')))];
    const unchanged = flowPackets.filter((v) => LEAVES.has(v.action) && !v.trip!.changes.length).length;
    const parts = [
      changes.length ? `the program changed ${changed.length} packet(s) it passed on: ${changes.slice(0, 3).join('; ')}` : '',
      unchanged ? `${unchanged} passed on unchanged` : '',
      neighbour ? neighbour.summary : '',
      joined.length ? `the kernel dropped them for it (${[...new Set(joined.map((j) => j.d.reason))].join(', ')})` : kernelDrops.length ? `kernel drops not explained by a change: ${kernelDrops.map((d) => d.reason).join(', ')}` : '',
      !dr ? 'drop reasons not read (see the drop-reasons rung)' : '',
    ].filter(Boolean);
    const summary = parts.join('; ') || `${flowPackets.length} packet(s) of the flow, none passed on`;
    return { status: findings.length ? 'fail' : 'pass', summary, evidence, findings };
  },
});

/** Whether a drop happened where a packet sent on with this action arrives next. */
function arrivesAt(d: FlowDrop, action: string, inv: InventoryFacts | undefined): boolean {
  if (action === 'XDP_PASS') return d.onXdpIface;
  if (action === 'XDP_TX') return !d.onXdpIface && d.ifname !== undefined && d.ifname === inv?.peer?.ifname;
  return !d.onXdpIface; // XDP_REDIRECT: the target is not known here; any other place on the route
}

function changeVerb(c: PacketChange, said: string): string {
  if (c.field === 'vlan.push') return `pushes an 802.1Q tag, VLAN ${c.after}, onto the frames`;
  if (c.field === 'encap') return `encapsulates the packets (${said})`;
  if (c.field === 'l4.dport') return `rewrites the destination port ${c.before} → ${c.after}`;
  if (c.field === 'l4.sport') return `rewrites the source port ${c.before} → ${c.after}`;
  if (c.field === 'ip.dst') return `rewrites the destination address ${c.before} → ${c.after}`;
  if (c.field === 'ip.src') return `rewrites the source address ${c.before} → ${c.after}`;
  if (c.field === 'eth.dst') return `rewrites the destination MAC ${c.before} → ${c.after}`;
  if (c.field === 'ip.ttl') return `sets the TTL ${c.before} → ${c.after}`;
  return `changes the packets (${said})`;
}

/**
 * The program's verdicts on the flow's ARP or neighbour discovery. Dropping them means the client never learns
 * the server's MAC: the probe's own packets are never sent, and no verdict can be claimed for them. Passing
 * neighbour discovery with its hop limit changed is the same in effect: the kernel ignores ND whose hop limit is
 * not 255 (RFC 4861 7.1.1; IPV6_NDISC_HOP_LIMIT).
 */
async function neighbourFinding(
  neighbours: () => ReturnType<typeof unresolvedNeighbours>, frames: Verdict[], flowPackets: Verdict[], iface: string, dest?: string,
): Promise<{ summary: string; evidence: Evidence[]; finding?: Finding } | undefined> {
  if (!frames.length) return undefined;
  const dropped = frames.filter((v) => DROPPED.has(v.action));
  const spoiled = frames.filter((v) => v.action === 'XDP_PASS' && v.trip?.changes.some((c) => c.field === 'ip.ttl' && c.after !== '255'));
  const kind = frames.some((v) => v.trip?.before.kind === 'arp') ? 'ARP' : 'IPv6 neighbour discovery';
  if (!dropped.length && !spoiled.length) return { summary: `${frames.length} ${kind} frame(s) passed`, evidence: [] as Evidence[] };
  const unresolved = await neighbours();
  const state = unresolved.map(describeNeighbour);
  const bad = dropped.length ? dropped : spoiled;
  const evidence: Evidence[] = [{ label: `${kind} verdicts`, data: bad.slice(0, 8).map((v) => ({ packet: v.index, action: v.action, frame: v.trip?.before, changes: v.trip?.changes })) }];
  if (state.length) evidence.push({ label: 'neighbour entry on the probe\'s side (ip neigh)', data: state.join('\n') });
  const sent = flowPackets.length
    ? `${flowPackets.length} packet(s) of the flow reached the program anyway`
    : 'no packet of the probe itself reached the program: it was never sent';
  const whom = unresolved[0]?.dst ?? dest;
  const never = `${whom ? `: the client never resolved ${whom}` : ''}${state.length ? ` (its neighbour entry: ${state.join('; ')})` : ''}; ${sent}`;
  if (!dropped.length) {
    const hop = spoiled[0]!.trip!.changes.find((c) => c.field === 'ip.ttl')!;
    return {
      summary: `the program changed the hop limit of ${spoiled.length} ${kind} frame(s) (${hop.before} → ${hop.after}): the kernel ignores them`,
      evidence,
      finding: {
        cause: 'neighbour-dropped', iface, signal: 'XDP_PASS with the hop limit changed',
        message: `the program changes the hop limit of ${spoiled.length} of ${frames.length} ${kind} frame(s) on ${iface} (${hop.before} → ${hop.after}) and returns XDP_PASS; ` +
          `the kernel ignores neighbour discovery whose hop limit is not 255 (RFC 4861; IPV6_NDISC_HOP_LIMIT)${never}`,
        fixes: [{ title: 'leave ICMPv6 neighbour discovery (types 133-137) untouched: pass it before the hop-limit change, or change the hop limit only of packets the program forwards itself', commands: [] }],
      },
    };
  }
  const finding: Finding = {
    cause: 'neighbour-dropped', iface, signal: dropped[0]!.action,
    message: `the program returns ${dropped[0]!.action} for ${dropped.length} of ${frames.length} ${kind} frame(s) on ${iface}${never}`,
    fixes: [{ title: kind === 'ARP' ? 'let ARP (EtherType 0x0806) through the program before its IP policy' : 'let ICMPv6 neighbour solicitations and advertisements (types 135, 136) through the program', commands: [] }],
  };
  return { summary: `the program dropped ${dropped.length} ${kind} frame(s)`, evidence, finding };
}

/** An entry the kernel is still asking for (INCOMPLETE) or gave up on (FAILED). */
const stillResolving = (n: { state: string[] }) => n.state.some((st) => st === 'INCOMPLETE' || st === 'FAILED');

const describeNeighbour = (n: { dst: string; state: string[]; dev: string; lladdr?: string }) =>
  `${n.dst} ${n.state.join(',') || '?'} on ${n.dev}${n.lladdr ? ` (${n.lladdr})` : ''}`;

/**
 * The probe side's neighbour entries the flow is stuck on: the destination's, or, when the client resolves a
 * gateway instead (a routed flow), any entry of the destination's family still INCOMPLETE or FAILED.
 */
async function unresolvedNeighbours(ctx: CheckContext, dest?: string) {
  if (!dest) return [];
  const table = await ctx.tools.ip.neighbours(ctx.target.probe?.netns);
  const own = table.filter((n) => n.dst === dest);
  if (own.length) return own;
  const v6 = dest.includes(':');
  return table.filter((n) => n.dst.includes(':') === v6 && stillResolving(n));
}
