// Pure analysis of tcpdump sightings along a route: where requests towards the destination were seen,
// where replies were seen, retransmissions, and a one-line verdict. Tested on recorded captures.
import { type Hop, type HopState, type RouteObservation, type TcpdumpPacket } from '../src/plugins/api.js';

export interface HopSighting { hop: Hop; packets: TcpdumpPacket[]; error?: string }

interface RouteAnalysis {
  perHop: { label: string; requests: number; replies: number; encapsulated: number; xdp: boolean; error?: string }[];
  lastSeen?: string;
  synRetransmissions: number;
  lostAfterXdp: boolean;
  /** The XDP interface is the last hop captured, requests reached it and no reply came back. */
  noReplyFromXdpHop: boolean;
  neverReachedXdp: boolean;
  /** Requests seen at the first hop, and how many of them a reply answered there (ICMP id/seq, TCP SYN → SYN-ACK/RST, UDP port pair). */
  answered: { requests: number; answered: number };
  verdict: string;
  lines: string[];
}

export function analyzeRoute(sightings: HopSighting[], dest?: { ip: string; port?: number }): RouteAnalysis {
  // Neighbour resolution (ARP, IPv6 ND) travels with the flow but is neither a request nor a reply of it.
  const isRequest = (p: TcpdumpPacket) => !p.neighbour && (dest ? p.dst === dest.ip && (dest.port === undefined || p.dport === dest.port) : p.proto === 'IP' || p.proto === 'IP6');
  const isReply = (p: TcpdumpPacket) => !p.neighbour && (dest ? p.src === dest.ip && (dest.port === undefined || p.sport === dest.port) : false);

  const perHop = sightings.map((s) => ({
    label: s.hop.label,
    requests: s.packets.filter(isRequest).length,
    replies: s.packets.filter(isReply).length,
    encapsulated: s.packets.filter((p) => p.outer && isRequest(p)).length,
    xdp: Boolean(s.hop.xdp),
    error: s.error,
  }));

  const first = sightings[0]?.packets.filter((p) => isRequest(p) && p.flags === 'S') ?? [];
  const seqs = new Map<string, number>();
  for (const p of first) { const k = `${p.src}:${p.sport}:${p.seq}`; seqs.set(k, (seqs.get(k) ?? 0) + 1); }
  const synRetransmissions = [...seqs.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);

  const xdpIndex = perHop.findIndex((h) => h.xdp);
  let lastIndex = -1;
  perHop.forEach((h, i) => { if (h.requests > 0) lastIndex = i; });
  const lastSeen = lastIndex >= 0 ? perHop[lastIndex]!.label : undefined;
  const beforeXdp = xdpIndex > 0 ? perHop[xdpIndex - 1] : undefined;
  const afterXdp = perHop.slice(xdpIndex + 1);
  // The XDP hop itself may look silent (tcpdump does not see what XDP consumed): judge it by its neighbours.
  const reachedXdp = xdpIndex >= 0 && (perHop[xdpIndex]!.requests > 0 || (beforeXdp?.requests ?? 0) > 0);
  const pastXdp = afterXdp.some((h) => h.requests > 0);
  // A reply counts when it answers a request of this flow back where the requests started, not when it was merely
  // seen on the way (or when unrelated traffic of the same host passed by).
  const answered = matchReplies(sightings[0]?.packets ?? [], isRequest, isReply);
  const replied = answered.answered > 0;
  // Replies travel back towards the first hop: the hop nearest to it that saw them is where they stopped.
  const repliesLostAt = !replied ? perHop.slice(1).find((h) => h.replies > 0)?.label : undefined;
  const lostAfterXdp = reachedXdp && !pastXdp && xdpIndex >= 0 && afterXdp.length > 0;
  const neverReachedXdp = xdpIndex >= 0 && !reachedXdp && perHop.some((h) => h.requests > 0);
  const noReplyFromXdpHop = reachedXdp && !replied && xdpIndex === perHop.length - 1 && Boolean(dest);

  let verdict: string;
  if (perHop.every((h) => h.requests === 0)) verdict = 'no probe packets were seen on any hop';
  else if (lostAfterXdp) {
    verdict = `the packet reached ${perHop[xdpIndex]!.label} and was not seen after it` +
      (perHop[xdpIndex]!.requests === 0 ? ' (tcpdump on an XDP interface does not see what XDP consumed: silence there is expected)' : '');
  } else if (noReplyFromXdpHop) {
    const x = perHop[xdpIndex]!;
    verdict = `the requests reached ${x.label}${x.requests === 0 && beforeXdp ? ` (seen sent into it on ${beforeXdp.label}; tcpdump there does not see what XDP consumed)` : ''} and no reply came back`;
  } else if (neverReachedXdp) verdict = `the packet was last seen on ${lastSeen} and never reached ${perHop[xdpIndex]!.label}`;
  else if (!replied && repliesLostAt) verdict = `requests went through to ${lastSeen}; replies were last seen on ${repliesLostAt} and did not reach ${perHop[0]!.label}`;
  else if (!replied && dest) verdict = `requests went through to ${lastSeen}; no reply was seen`;
  else verdict = `packets travelled the route${replied ? ` and replies came back (${answered.answered} of ${answered.requests} request(s) answered)` : ''}`;
  if (synRetransmissions) verdict += `; ${synRetransmissions} SYN retransmission(s)`;

  const lines = perHop.map((h) =>
    `${h.xdp ? '◆' : '·'} ${h.label.padEnd(26)} ${h.error ? `not captured: ${h.error}` : `${h.requests} request(s)${h.encapsulated ? ` (${h.encapsulated} encapsulated)` : ''}, ${h.replies} reply(ies)`}` +
    (h.xdp && h.requests === 0 && !h.error ? '  ← native XDP: tcpdump cannot see consumed packets' : ''));
  return { perHop, lastSeen, synRetransmissions, lostAfterXdp, noReplyFromXdpHop, neverReachedXdp, answered, verdict, lines };
}

/**
 * The route as data for the report: each hop with its counts and what it saw. A hop with requests was 'seen'; the
 * XDP hop is silent to tcpdump for what XDP consumed, so it is 'xdp' when the hop before it saw the requests; when
 * the probe failed, the first captured hop after the last sighting is where the packets were 'lost'.
 */
export function routeObservation(sightings: HopSighting[], route: RouteAnalysis, probeFailed: boolean): RouteObservation {
  const states: HopState[] = route.perHop.map((h) => (h.error ? 'unknown' : h.requests > 0 ? 'seen' : 'unseen'));
  states.forEach((s, i) => { if (route.perHop[i]!.xdp && s === 'unseen' && i > 0 && states[i - 1] === 'seen') states[i] = 'xdp'; });
  let last = -1;
  states.forEach((s, i) => { if (s === 'seen' || s === 'xdp') last = i; });
  let lostAt: string | undefined;
  if (probeFailed && last >= 0 && last < states.length - 1 && states[last + 1] !== 'unknown') {
    states[last + 1] = 'lost';
    lostAt = route.perHop[last + 1]!.label;
  }
  return {
    hops: route.perHop.map((h, i) => {
      const hop = sightings[i]!.hop;
      return {
        label: h.label, iface: hop.iface, ...(hop.netns ? { netns: hop.netns } : {}), ...(hop.node ? { node: hop.node } : {}),
        xdp: h.xdp, requests: h.requests, replies: h.replies, encapsulated: h.encapsulated,
        ...(h.error ? { error: h.error } : {}), state: states[i]!,
      };
    }),
    verdict: route.verdict,
    ...(route.lastSeen ? { lastSeen: route.lastSeen } : {}),
    ...(lostAt ? { lostAt } : {}),
    synRetransmissions: route.synRetransmissions,
  };
}

/** The key that pairs a request with its reply: ICMP echo id/seq; TCP and UDP the client's port (SYN → SYN-ACK or RST). */
function pairKey(p: TcpdumpPacket, reply: boolean): string | undefined {
  if (p.echo) return p.echo.reply === reply ? `icmp ${p.echo.id}:${p.echo.seq}` : undefined;
  const port = reply ? p.dport : p.sport;
  if (port === undefined) return undefined;
  if (p.flags !== undefined) {
    // A TCP request is a SYN; its answer a SYN-ACK or a reset.
    if (!reply) return p.flags === 'S' ? `tcp ${port}` : undefined;
    return /S\.|R/.test(p.flags) ? `tcp ${port}` : undefined;
  }
  return `udp ${port}`;
}

function matchReplies(packets: TcpdumpPacket[], isRequest: (p: TcpdumpPacket) => boolean, isReply: (p: TcpdumpPacket) => boolean): { requests: number; answered: number } {
  const asked = new Set<string>();
  let requests = 0;
  for (const p of packets) {
    if (!isRequest(p)) continue;
    requests++;
    const k = pairKey(p, false);
    if (k) asked.add(k);
  }
  const got = new Set<string>();
  for (const p of packets) {
    const k = isReply(p) ? pairKey(p, true) : undefined;
    if (k && asked.has(k)) got.add(k);
  }
  return { requests, answered: got.size };
}
