// The route in the report: the per-hop sightings a rung published as data (CheckResult.route — the routing rung
// does), found by that data and not by a rung's id. With none, the target's hops are listed as 'unknown' and the
// report says why, so every view shows the same stops and the same gap.
import type { CheckRecord, RouteReport, Target } from './types.js';

export function concludeRoute(target: Target, records: CheckRecord[]): RouteReport | undefined {
  const carrier = records.find((r) => r.route && r.route.hops.length > 0);
  if (carrier?.route) return { ...carrier.route, check: carrier.id };
  if (!target.hops.length) return undefined;
  const missing = 'no rung recorded the route in this run (the routing rung was skipped, failed or did not run)';
  return {
    hops: target.hops.map((h) => ({
      label: h.label, iface: h.iface, ...(h.netns ? { netns: h.netns } : {}), ...(h.node ? { node: h.node } : {}),
      xdp: Boolean(h.xdp), requests: 0, replies: 0, encapsulated: 0, state: 'unknown' as const,
    })),
    verdict: missing,
    synRetransmissions: 0,
    missing,
  };
}
