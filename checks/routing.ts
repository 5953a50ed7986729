// Rung 2: tcpdump on every known hop during the probe: where was the packet last seen? The blog's first
// step. tcpdump on an interface running native XDP does not see what XDP consumed (XDP_TX/DROP/REDIRECT
// happen before the capture tap), so silence there is expected, not a loss. Per-namespace nstat deltas
// (TcpInCsumErrors, IpInHdrErrors) say why a hop dropped what it received.
import {
  PROBE_OUTCOME, counterDeltas, defineCheck, followedFlow, INVENTORY, kb, parseTcpdumpOutput, sameNetns, type CheckContext, type Collector,
  type Counters, type Evidence, type Finding, type Hop, type InventoryFacts, type NetnsRef, type TcpdumpPacket,
} from '../src/plugins/api.js';
import { analyzeRoute, routeObservation, type HopSighting } from './routing-analysis.js';

/** nstat counters that explain a drop on a hop (any rise is evidence); ethtool's XDP drop counters are DROP_COUNTERS. */
const STACK_DROP_COUNTERS = [
  'TcpInCsumErrors', 'IpInHdrErrors', 'IpInAddrErrors', 'IpInTruncatedPkts', 'IpInCsumErrors', 'IpInDiscards',
  'IpOutNoRoutes', 'IpExtInCsumErrors', 'TcpExtTCPSynRetrans', 'IpInNoRoutes', 'IpExtInNoRoutes', 'IpExtInTruncatedPkts', 'IpExtInCsumErrors',
];

/** Causes that say why packets vanished at or after the XDP program: the route's sighting supports each. */
const AFTER_XDP_CAUSES = [
  'xdp-drop-verdict', 'xdp-aborted', 'xdp-redirect-error', 'xdp-tx-error', 'devmap-xmit-error', 'veth-peer-no-xdp',
  'malformed-packet', 'tx-checksum-partial', 'map-params-unset', 'xdp-tx-addresses-unchanged', 'drop-otherhost',
  'l4-checksum-drop', 'ip-rpfilter', 'fib-forwarding-disabled', 'fib-no-neighbour', 'xdp-passed-unchanged', 'no-socket', 'netfilter-drop', 'ip-noproto', 'neigh-failed', 'stack-drop',
  'xdp-change-dropped', 'neighbour-dropped', 'ip-local-source',
];

export default defineCheck({
  id: 'routing',
  title: 'Route (tcpdump along the path)',
  question: 'Does the packet travel the route towards the XDP program, and where is it last seen?',
  rung: 2,
  needs: ['tcpdump'],
  after: ['inventory'],
  observes: true,
  timeoutMs: 30_000,
  async run(ctx) {
    const hops = ctx.target.hops.length ? ctx.target.hops : [{ label: ctx.target.iface, iface: ctx.target.iface, netns: ctx.target.netns, xdp: true }];
    // Never an unfiltered capture on someone's interface: without a flow there is nothing to follow.
    if (!ctx.target.captureFilter?.length) return noFlow('the route');
    const filter = ctx.target.captureFilter;
    ctx.progress(`starting tcpdump on ${hops.length} hop(s)`);
    // The sender's own hop tells the window each probe packet that leaves and each reply that comes back.
    const sender = senderHop(ctx);
    const flow = followedFlow(ctx.target);
    const captures: { hop: Hop; collector: Collector }[] = hops.map((hop) => ({
      hop,
      collector: ctx.tools.tcpdump.capture({
        iface: hop.iface, netns: hop.netns, filter,
        onPacket: (p) => {
          ctx.live(`${hop.label}: ${p.raw.replace(/^\d+\.\d+\s+/, '')}`);
          if (hop === sender && flow) reportSenderPacket(ctx, p, flow.ip);
        },
      }),
    }));
    const attach = await Promise.allSettled(captures.map((c) => c.collector.ready));
    const senderIndex = sender ? hops.indexOf(sender) : -1;
    if (senderIndex >= 0 && attach[senderIndex]!.status === 'fulfilled') ctx.window.saw?.({ kind: 'listening', what: 'sent' });
    const nodes = ctx.target.nstatNodes ?? [];
    const before = await sampleAll(ctx, nodes);

    const outcome = await ctx.window.ready();
    ctx.facts.set(PROBE_OUTCOME, { ran: outcome.ran, ok: outcome.ok });

    const after = await sampleAll(ctx, nodes);
    const results = await Promise.all(captures.map((c) => c.collector.stop()));
    const evidence: Evidence[] = [];
    const sightings: HopSighting[] = captures.map((c, i) => {
      const failed = attach[i]!.status === 'rejected' ? String((attach[i] as PromiseRejectedResult).reason?.message ?? 'failed') : undefined;
      const packets: TcpdumpPacket[] = failed ? [] : parseTcpdumpOutput(results[i]!.stdout);
      return { hop: c.hop, packets, error: failed };
    });
    const nstat: Record<string, Counters> = {};
    for (const n of nodes) {
      const d = before[n.node] && after[n.node] ? counterDeltas(before[n.node]!, after[n.node]!) : {};
      const relevant = Object.fromEntries(Object.entries(d).filter(([k]) => STACK_DROP_COUNTERS.includes(k)));
      if (Object.keys(relevant).length) nstat[n.node] = relevant;
    }

    const route = analyzeRoute(sightings, followedFlow(ctx.target));
    for (const s of sightings) {
      evidence.push({
        label: `tcpdump ${s.hop.label}`,
        detail: true,
        data: s.error ? `could not attach: ${s.error}` : s.packets.length ? s.packets.slice(0, 12).map((p) => p.raw).join('\n') : '(nothing)',
        command: captures.find((c) => c.hop === s.hop)?.collector.argv,
      });
    }
    if (Object.keys(nstat).length) evidence.push({ label: 'nstat deltas', data: nstat });
    // The per-hop route as data (the report's `route`), and the same in words for the text views.
    const observed = routeObservation(sightings, route, outcome.ran && !outcome.ok);
    evidence.push({ label: 'route', data: route.lines.join('\n') });
    evidence.push({ label: 'probe', data: outcome.ran ? `${outcome.ok ? 'passed' : 'FAILED'}${outcome.note ? ` (${outcome.note})` : ''}` : outcome.note ?? 'no probe' });

    const findings: Finding[] = [];
    const csum = nstat[ctx.target.nstatNodes?.at(-1)?.node ?? '']?.TcpInCsumErrors ?? Object.values(nstat).find((c) => c.TcpInCsumErrors)?.TcpInCsumErrors;
    if (csum) {
      const where = Object.entries(nstat).find(([, c]) => c.TcpInCsumErrors)?.[0] ?? '?';
      findings.push({
        cause: 'tx-checksum-partial',
        message: `${where} counted ${csum} TcpInCsumErrors during the probe: TCP segments arrived with bad checksums`,
        fixes: kb.txChecksumFixes(senderHop(ctx), xdpContext(ctx)),
      });
    }
    if ((route.lostAfterXdp || route.noReplyFromXdpHop) && !outcome.ok) {
      // Where the packets vanished; the rungs that saw why (verdicts, counters, tracepoints) name the cause,
      // and this sighting joins theirs.
      findings.push({
        cause: 'packets-lost-after-xdp', iface: ctx.target.iface,
        message: route.verdict, fixes: [], explains: AFTER_XDP_CAUSES,
      });
    } else if (route.neverReachedXdp && outcome.ran && !outcome.ok) {
      findings.push({ cause: 'packets-not-reaching-xdp', message: route.verdict, fixes: [], explains: ['neighbour-dropped'] });
    }

    const unattached = sightings.filter((s) => s.error);
    if (outcome.ran && !outcome.ok) return { status: 'fail', summary: route.verdict, evidence, findings, route: observed };
    if (unattached.length) {
      return { status: 'warn', summary: `${route.verdict}; tcpdump could not attach on ${unattached.map((s) => s.hop.label).join(', ')}`, evidence, findings, route: observed };
    }
    return { status: findings.length ? 'warn' : 'pass', summary: route.verdict, evidence, findings, route: observed };
  },
});

/** A request of the flow (towards its address) or a reply (from it), seen on the sender's hop. */
function reportSenderPacket(ctx: Pick<CheckContext, 'window'>, p: TcpdumpPacket, ip: string): void {
  if (p.neighbour || !ctx.window.saw) return;
  if (p.dst === ip) ctx.window.saw({ kind: 'sent' });
  else if (p.src === ip) ctx.window.saw({ kind: 'reply' });
}

async function sampleAll(ctx: CheckContext, nodes: { node: string; netns?: NetnsRef }[]): Promise<Record<string, Counters>> {
  const out: Record<string, Counters> = {};
  await Promise.all(nodes.map(async (n) => {
    try { out[n.node] = await ctx.tools.nstat.sample(n.netns); } catch { /* nstat missing or failing: counters are optional evidence */ }
  }));
  return out;
}

/** The first hop is the sender when the probe runs in its namespace (the lab's client c0). */
function senderHop(ctx: CheckContext): Hop | undefined {
  const first = ctx.target.hops[0];
  return first && ctx.target.probe && sameNetns(first.netns, ctx.target.probe.netns) ? first : undefined;
}

function xdpContext(ctx: CheckContext): kb.VethContext | undefined {
  const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
  if (!inv?.peer) return undefined;
  return { iface: inv.iface, netns: inv.netns, progId: inv.progId, linkOwned: Boolean(inv.link), peer: { ifname: inv.peer.ifname, netns: inv.peer.netns } };
}

/** What a rung that captures says when no flow is known. */
function noFlow(what: string) {
  return {
    status: 'skip' as const, evidence: [], findings: [],
    summary: `${what} not captured: no flow to follow (the probe's destination could not be read from its command; give --flow PROTO:ADDR[:PORT])`,
  };
}
