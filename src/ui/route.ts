// The picture at the end: the report's route (engine/route.ts) drawn as stops. Consecutive hops in one namespace
// (the same `node` label, which the target gives its hops: the lab's gateway holds g0 and g1) are one stop; a hop
// without a node is a stop named by its interface. The states and the verdict are the report's: this file only
// groups hops for drawing, so the picture cannot tell a story the text and JSON reports do not.
import type { HopState, RouteReport } from '../engine/types.js';
import { HOP_MARK } from '../report/format.js';

export type StopState = HopState;

interface RouteStop { name: string; hops: string[]; state: StopState; requests: number; xdp: boolean }

interface RoutePicture {
  stops: RouteStop[];
  /** The report's verdict, word for word. */
  verdict: string;
  /** Why there is no per-hop data (from the report): the stops are then all 'unknown'. */
  missing?: string;
}

/** A stop is what the best of its hops saw. */
const RANK: StopState[] = ['seen', 'xdp', 'lost', 'unseen', 'unknown'];
const better = (a: StopState, b: StopState): StopState => (RANK.indexOf(a) <= RANK.indexOf(b) ? a : b);

export function routePicture(route: RouteReport | undefined): RoutePicture | undefined {
  if (!route?.hops.length) return undefined;
  const stops: (RouteStop & { node?: string })[] = [];
  for (const h of route.hops) {
    const last = stops.at(-1);
    if (last && h.node && last.node === h.node) {
      last.hops.push(h.iface);
      last.requests += h.requests;
      last.xdp ||= h.xdp;
      last.state = better(last.state, h.state);
    } else {
      stops.push({ name: h.node ?? h.iface, ...(h.node ? { node: h.node } : {}), hops: [h.iface], requests: h.requests, xdp: h.xdp, state: h.state });
    }
  }
  return {
    stops: stops.map(({ node: _node, ...s }) => s),
    verdict: route.verdict,
    ...(route.missing ? { missing: route.missing } : {}),
  };
}

export const STOP_MARK: Record<StopState, string> = HOP_MARK;
