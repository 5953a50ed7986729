// Which interface an xdp:* tracepoint bucket belongs to. Tracepoints are global to the machine and ifindexes
// repeat across namespaces, so a bucket is the target's only when its program id (or cpumap id) matches, or its
// ifindex resolves in the target's (then the peer's) namespace and — where the driver counts the same thing —
// that interface's own ethtool counters rose with it.
import {
  nsLabel, type CheckContext, type InventoryFacts, type LinkInfo, type NetnsRef, type XdpTraceBucket,
} from '../src/plugins/api.js';

/** Tracepoints whose ifindex is the device the XDP program ran on (xdp_devmap_xmit's is the redirect target). */
const RUNS_ON_PROGRAM_DEVICE = new Set(['xdp_bulk_tx', 'xdp_exception', 'xdp_redirect_err']);

export interface Side {
  role: 'target' | 'peer';
  iface: string;
  netns?: NetnsRef;
  where: string;
  /** XDP mode on this side: driver counters only count native XDP. */
  mode?: string;
  progId?: number;
  /** libxdp's dispatcher in front of progId: the kernel's xdp:* events name the program on the link, i.e. this one. */
  dispatcherId?: number;
  links: LinkInfo[];
  delta?: Record<string, number>;
  driver?: string;
}

export interface Attribution {
  side?: Side;
  ifname?: string;
  driver?: string;
  /** How we know: program id, map id, ifindex in a namespace, corroborated by counters. */
  how: string;
  /** Not ours: why. */
  elsewhere?: string;
}

export function attribute(b: XdpTraceBucket, sides: Side[], inv: InventoryFacts | undefined, check: boolean): Attribution {
  const byIfindex = (s: Side) => (b.ifindex !== undefined ? s.links.find((l) => l.ifindex === b.ifindex) : undefined);
  // Program ids and map ids are global: they settle attribution without the ifindex ambiguity.
  const progId = b.extra.prog_id;
  if (progId !== undefined && progId > 0) {
    const side = sides.find((s) => s.progId === progId || s.dispatcherId === progId);
    if (side) {
      const link = byIfindex(side);
      const whose = side.dispatcherId === progId ? `libxdp dispatcher in front of the ${side.role}'s program` : `${side.role}'s program`;
      return { side, ifname: link?.ifname ?? side.iface, driver: side.driver ?? link?.kind, how: `program id ${progId} is the ${whose}` };
    }
    if (check && sides.some((s) => s.progId !== undefined)) {
      return { how: '', ifname: undefined, elsewhere: `program id ${progId} is not the target's program (${sides.map((s) => s.progId).filter(Boolean).join(', ')})` };
    }
  }
  const mapId = b.extra.map_id;
  if (b.ifindex === undefined && mapId !== undefined) {
    if (inv?.maps.some((m) => m.id === mapId)) return { side: sides[0], ifname: sides[0]?.iface, driver: sides[0]?.driver, how: `cpumap id ${mapId} belongs to the target's program` };
    return { how: '', elsewhere: `cpumap id ${mapId} is not one of the target program's maps` };
  }
  const refuted: string[] = [];
  for (const side of sides) {
    const link = byIfindex(side);
    if (!link) continue;
    const driver = link.ifname === side.iface ? side.driver ?? link.kind : link.kind;
    const sampled = link.ifname === side.iface ? side : undefined;
    // These fire for the device whose XDP program ran: an interface without one cannot have emitted them.
    if (check && RUNS_ON_PROGRAM_DEVICE.has(b.tracepoint) && !link.xdp) {
      refuted.push(`${link.ifname} in ${side.where || 'host'} runs no XDP program`);
      continue;
    }
    const verdict = check ? corroborate(b, sampled) : { v: 'unknown' as const, why: '' };
    if (verdict.v === 'no') { refuted.push(`${link.ifname} in ${side.where || 'host'}: ${verdict.why}`); continue; }
    return {
      side, ifname: link.ifname, driver,
      how: `ifindex ${b.ifindex} is ${link.ifname} in the ${side.role}'s namespace ${side.where || '(host)'}` +
        (verdict.v === 'yes' ? `; ${verdict.why}` : '; no driver counter to corroborate it (another namespace may have the same ifindex)'),
    };
  }
  if (refuted.length) return { how: '', elsewhere: `ifindex ${b.ifindex} matches ${refuted.join('; ')}` };
  return { how: '', elsewhere: `ifindex ${b.ifindex} is not an interface in the target's or peer's namespace` };
}

/** Does the interface's own ethtool delta show the same event? Driver counters only count native XDP. */
function corroborate(b: XdpTraceBucket, side: Side | undefined): { v: 'yes' | 'no' | 'unknown'; why: string } {
  const d = side?.delta;
  if (!side || !d || side.mode !== 'native') return { v: 'unknown', why: '' };
  const rose = (names: string[]) => names.filter((n) => (d[n] ?? 0) > 0).map((n) => `${n} +${d[n]}`);
  if (b.tracepoint === 'xdp_bulk_tx' && side.driver === 'veth') {
    const r = rose(['xdp_tx_errors']);
    if (!r.length) return { v: 'no', why: 'its xdp_tx_errors did not rise during the window' };
    const more = (b.fields.drops ?? 0) - (d.xdp_tx_errors ?? 0);
    return {
      v: 'yes',
      why: `its ethtool counters agree (${r.join(', ')})` +
        (more > 0 ? `; the other ${more} dropped frame(s) counted under ifindex ${b.ifindex} likely came from another namespace (or just outside the counter samples)` : ''),
    };
  }
  if (b.tracepoint === 'xdp_exception' || b.tracepoint === 'xdp_redirect_err') {
    const r = rose(['xdp_drops', 'drops', 'xdp_tx_errors']);
    if (r.length) return { v: 'yes', why: `its ethtool counters agree (${r.join(', ')})` };
    return (d.xdp_packets ?? 0) > 0 ? { v: 'unknown', why: '' } : { v: 'no', why: 'its XDP program ran on no frame during the window' };
  }
  return { v: 'unknown', why: '' };
}

export async function describeSides(ctx: CheckContext, inv: InventoryFacts | undefined): Promise<Side[]> {
  const netns = inv?.netns ?? ctx.target.netns;
  const sides: Side[] = [{
    role: 'target', iface: inv?.iface ?? ctx.target.iface, netns, where: nsLabel(netns), mode: inv?.mode, progId: inv?.progId, dispatcherId: inv?.dispatcher?.progId, links: [],
  }];
  if (inv?.peer) {
    sides.push({
      role: 'peer', iface: inv.peer.ifname, netns: inv.peer.netns, where: nsLabel(inv.peer.netns),
      mode: inv.peer.xdp?.mode, progId: inv.peer.xdp?.progId, links: [],
    });
  }
  await Promise.all(sides.map(async (s) => {
    s.links = await ctx.tools.ip.links(s.netns, { details: true }).catch(() => []);
    const info = await ctx.tools.ethtool.driver(s.iface, s.netns).catch(() => undefined);
    s.driver = info?.driver ?? s.links.find((l) => l.ifname === s.iface)?.kind;
  }));
  return sides;
}

