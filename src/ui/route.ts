// The picture at the end: the report's route (engine/route.ts) drawn as stops (client → gateway → lb → gateway →
// real for the lab; the hops otherwise). Consecutive hops in one node are one stop (the gateway's g0 and g1); each
// stop shows what its hops saw. Nothing here reads a rung's evidence or decides where packets went: the states
// come from the report.
import type { HopState, RouteReport } from '../engine/types.js';
import { HOP_MARK } from '../report/format.js';

export type StopState = HopState;

interface RouteStop { name: string; hops: string[]; state: StopState; requests: number; xdp: boolean }

interface RoutePicture {
  stops: RouteStop[];
  /** In words, in stop names: where the packets were last seen and where they were lost. */
  verdict: string;
  /** Why there is no per-hop data (from the report): the stops are then all 'unknown'. */
  missing?: string;
}

const NODE_NAMES: Record<string, string> = { client: 'client', gw: 'gateway', lb: 'lb', real: 'real' };

/** A stop is what the best of its hops saw. */
const RANK: StopState[] = ['seen', 'xdp', 'lost', 'unseen', 'unknown'];
const better = (a: StopState, b: StopState): StopState => (RANK.indexOf(a) <= RANK.indexOf(b) ? a : b);

export function routePicture(route: RouteReport | undefined, lab: boolean): RoutePicture | undefined {
  if (!route?.hops.length) return undefined;
  const stops: RouteStop[] = [];
  for (const h of route.hops) {
    const name = lab && h.node ? NODE_NAMES[h.node] ?? h.node : h.node ?? h.iface;
    const last = stops.at(-1);
    if (last && lab && h.node && last.name === name) {
      last.hops.push(h.iface);
      last.requests += h.requests;
      last.xdp ||= h.xdp;
      last.state = better(last.state, h.state);
    } else {
      stops.push({ name, hops: [h.iface], requests: h.requests, xdp: h.xdp, state: h.state });
    }
  }
  if (route.missing) return { stops, verdict: route.missing, missing: route.missing };

  let last = -1;
  stops.forEach((s, i) => { if (s.state === 'seen' || s.state === 'xdp') last = i; });
  const lost = stops.findIndex((s) => s.state === 'lost');
  let verdict: string;
  if (last < 0) verdict = 'no probe packets were seen anywhere on the route';
  else if (last === stops.length - 1) verdict = `the packets travelled the whole route to ${stops[last]!.name}`;
  else {
    const at = stops[last]!;
    const seenAt = at.state === 'xdp' ? `reached the XDP program on ${at.name} (${at.hops.join(', ')})` : `were last seen on ${at.name} (${at.hops.join(', ')})`;
    verdict = lost > last ? `the packets ${seenAt} and were lost before ${stops[lost]!.name}` : `the packets ${seenAt}`;
  }
  return { stops, verdict };
}

export const STOP_MARK: Record<StopState, string> = HOP_MARK;
