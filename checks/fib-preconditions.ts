// What bpf_fib_lookup() needs from this host, judged from what was read (pure, so the judgement is tested on
// recorded sysctl, `ip -j route get` and `ip -j neigh` output): forwarding on the ingress device (else the lookup
// answers FWD_DISABLED), and for the followed flow a next hop with a valid neighbour entry (else NO_NEIGH; XDP
// cannot send ARP). Either way the program usually falls back to XDP_PASS. A failed precondition is a risk until
// the run saw its effect: the kernel dropping the flow with the reason that precondition produces.
import { forwardingKey, neighbourValid, type Finding, type FlowDrop, type Neighbour, type NetnsRef, type RouteGet } from '../src/plugins/api.js';

export interface FibReadings {
  iface: string;
  netns?: NetnsRef;
  progId?: number;
  /** Forwarding switch of the ingress device per family, as read (undefined: could not be read). */
  forwarding: { family: 4 | 6; value?: number }[];
  /** The followed flow's destination, its route from the XDP namespace, and that namespace's neighbours. */
  flow?: { dst: string; route?: RouteGet; neighbours: Neighbour[] };
  /** Drops of the followed flow during the window (the drop-reasons rung), when it ran. */
  drops?: FlowDrop[];
}

interface FibJudgement {
  findings: Finding[];
  /** What was checked, in words, for the evidence. */
  lines: string[];
}

const familyOf = (ip: string): 4 | 6 => (ip.includes(':') ? 6 : 4);

export function judgeFib(r: FibReadings): FibJudgement {
  const findings: Finding[] = [];
  const lines: string[] = [];
  const wanted = r.flow ? [familyOf(r.flow.dst)] : [4, 6];
  const drops = (r.drops ?? []).filter((d) => !d.routine && !d.byProgram);

  for (const f of r.forwarding.filter((x) => wanted.includes(x.family))) {
    const key = forwardingKey(f.family, r.iface);
    if (f.value === undefined) { lines.push(`${key}: could not be read`); continue; }
    lines.push(`${key} = ${f.value}`);
    if (f.value !== 0) continue;
    // IPv4: the stack that gets the passed packet does not forward on that device either and drops it in
    // ip_error() with IP_INADDRERRORS, on the XDP device itself (seen here, see shared/reference/xdp-signals.md).
    const seen = f.family === 4 ? drops.filter((d) => d.reason === 'IP_INADDRERRORS' && d.onXdpIface && d.l3 === 'IPv4') : [];
    const effect = seen.length ? `; the kernel dropped ${seen.reduce((n, d) => n + d.count, 0)} packet(s) of the flow on ${r.iface} with IP_INADDRERRORS (${seen[0]!.location})` : '';
    findings.push({
      cause: 'fib-forwarding-disabled', iface: r.iface, progId: r.progId,
      ...(seen.length ? { signal: 'skb:kfree_skb IP_INADDRERRORS' } : { risk: true }),
      message: `the program calls bpf_fib_lookup() and forwarding is off on its ingress device ${r.iface} (${key} = 0): ` +
        `the lookup answers FWD_DISABLED for IPv${f.family} and the program falls back to its other path (XDP_PASS in most)${effect}`,
      // As a risk it is context for what was seen (the program passing, the stack dropping); once its own effect is
      // seen it is the cause those findings join (they name it in their explains), not one that joins them.
      ...(seen.length ? {} : { explains: ['stack-drop', 'xdp-passed-unchanged'] }),
      fixes: [{
        title: `turn IPv${f.family} forwarding on for ${r.iface} (${key} 0 → 1)`,
        commands: [['sysctl', '-w', `${key}=1`]], undo: [['sysctl', '-w', `${key}=0`]], netns: r.netns, verify: 'probe',
      }],
    });
  }

  if (r.flow) {
    const { dst, route, neighbours } = r.flow;
    if (!route) lines.push(`no route to ${dst} from the program's namespace: bpf_fib_lookup answers NOT_FWDED (or UNREACHABLE)`);
    else if (route.type === 'local') lines.push(`${dst} is local here: bpf_fib_lookup answers NOT_FWDED and the program passes it up, as meant for local traffic`);
    else {
      const hop = route.gateway ?? route.dst;
      const entry = neighbours.find((n) => n.dst === hop && n.dev === route.dev);
      const state = entry ? entry.state.join(',') || 'no state' : 'no entry';
      lines.push(`${dst} leaves by ${route.dev}${route.gateway ? ` via ${route.gateway}` : ''}; neighbour ${hop} on ${route.dev}: ${state}`);
      if (!entry || !neighbourValid(entry)) {
        const seen = drops.filter((d) => d.reason === 'NEIGH_FAILED');
        findings.push({
          cause: 'fib-no-neighbour', iface: route.dev, progId: r.progId,
          ...(seen.length ? { signal: 'skb:kfree_skb NEIGH_FAILED' } : { risk: true }),
          message: `the next hop ${hop} of ${dst} has ${entry ? `a neighbour entry in state ${state}` : 'no neighbour entry'} on ${route.dev}: ` +
            'bpf_fib_lookup() answers NO_NEIGH (XDP cannot resolve it) and the program hands the packets to the stack' +
            (seen.length ? `, which could not resolve it either: ${seen.reduce((n, d) => n + d.count, 0)} packet(s) dropped with NEIGH_FAILED` : ''),
          ...(seen.length ? {} : { explains: ['neigh-failed', 'xdp-passed-unchanged'] }),
          fixes: [{
            title: `resolve ${hop} from the program's namespace (ping it once), and check that it answers ARP/ND on ${route.dev}`,
            commands: [['ping', '-c', '1', '-W', '1', hop]], netns: r.netns,
          }],
        });
      }
    }
  }
  return { findings, lines };
}
