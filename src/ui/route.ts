// The picture at the end: the route as stops (client → gateway → lb → gateway → real for the lab; the target's
// hops otherwise), each marked with what the routing rung saw there. Read from the rung's 'route' evidence
// (one line per hop: "· LABEL  N request(s)…" or "not captured"), so it needs nothing but the CheckRecord.
import type { CheckRecord, Hop, Target } from '../engine/types.js';

export type StopState = 'seen' | 'xdp' | 'lost' | 'unseen' | 'unknown';

export interface RouteStop { name: string; hops: string[]; state: StopState; requests: number; xdp: boolean }

export interface RoutePicture {
  stops: RouteStop[];
  /** In words: where the packets were last seen and where they were lost. */
  verdict: string;
  /** Why there is no per-hop data (routing skipped, not run): the stops are then all 'unknown'. */
  missing?: string;
}

const NODE_NAMES: Record<string, string> = { client: 'client', gw: 'gateway', lb: 'lb', real: 'real' };

/** Requests seen on one hop, from the route evidence; undefined when the hop was not captured or not listed. */
export function hopRequests(routeText: string, label: string): number | undefined {
  for (const line of routeText.split('\n')) {
    const body = line.replace(/^\S\s/, '');
    if (!body.startsWith(label)) continue;
    const rest = body.slice(label.length);
    if (/not captured/.test(rest)) return undefined;
    const m = /^\s+(\d+) request/.exec(rest);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function stopName(h: Hop, lab: boolean): string {
  if (lab && h.node) return NODE_NAMES[h.node] ?? h.node;
  return h.node ?? h.iface;
}

export function routePicture(target: Target, records: CheckRecord[]): RoutePicture | undefined {
  const hops = target.hops;
  if (!hops.length) return undefined;
  const lab = target.kind === 'lab';
  const routing = records.find((r) => r.id === 'routing');
  const ev = routing?.evidence.find((e) => e.label === 'route');
  const text = typeof ev?.data === 'string' ? ev.data : undefined;

  // Consecutive hops in one node are one stop (the gateway's g0 and g1).
  const stops: RouteStop[] = [];
  for (const h of hops) {
    const n = hopRequests(text ?? '', h.label);
    const last = stops.at(-1);
    const name = stopName(h, lab);
    const known = text !== undefined && n !== undefined;
    if (last && last.name === name && (lab ? Boolean(h.node) : false)) {
      last.hops.push(h.iface);
      last.requests += n ?? 0;
      last.xdp ||= Boolean(h.xdp);
      if (known && last.state === 'unknown') last.state = 'unseen';
    } else {
      stops.push({ name, hops: [h.iface], requests: n ?? 0, xdp: Boolean(h.xdp), state: known ? 'unseen' : 'unknown' });
    }
  }
  if (!text || !routing) {
    const why = !routing ? 'the routing rung did not run' : `the routing rung did not capture (${routing.status}: ${routing.summary})`;
    return { stops, verdict: why, missing: why };
  }

  for (const s of stops) if (s.requests > 0) s.state = 'seen';
  // An XDP hop is silent to tcpdump for what XDP consumed: the stop before it having the packets means it got them.
  stops.forEach((s, i) => {
    if (s.xdp && s.state !== 'seen' && s.state !== 'unknown' && i > 0 && stops[i - 1]!.state === 'seen') s.state = 'xdp';
  });
  let last = -1;
  stops.forEach((s, i) => { if (s.state === 'seen' || s.state === 'xdp') last = i; });
  const failed = routing.status === 'fail';
  if (failed && last >= 0 && last < stops.length - 1 && stops[last + 1]!.state !== 'unknown') stops[last + 1]!.state = 'lost';

  let verdict: string;
  if (last < 0) verdict = 'no probe packets were seen anywhere on the route';
  else if (last === stops.length - 1) verdict = `the packets travelled the whole route to ${stops[last]!.name}`;
  else {
    const at = stops[last]!;
    const seenAt = at.state === 'xdp' ? `reached the XDP program on ${at.name} (${at.hops.join(', ')})` : `were last seen on ${at.name} (${at.hops.join(', ')})`;
    verdict = failed ? `the packets ${seenAt} and were lost before ${stops[last + 1]!.name}` : `the packets ${seenAt}`;
  }
  return { stops, verdict };
}

export const STOP_MARK: Record<StopState, string> = { seen: '✓', xdp: '◆', lost: '✗', unseen: '·', unknown: '?' };
