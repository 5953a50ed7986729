// Where a redirect went, for xdp_redirect_err and xdp_devmap_xmit: the device behind to_ifindex (and the map
// slot that named it), checked the way the target is — up, and for a veth whether its peer can take XDP frames
// (the peer needs an XDP program for its queue to have NAPI). The fix then names that device. Pure over the
// interfaces of the namespace the redirect happened in.
import { kb, type Fix, type LinkInfo, type NetnsRef } from '../src/plugins/api.js';

interface RedirectTarget {
  ifindex: number;
  ifname?: string;
  /** What is wrong with it, in words, when something is. */
  problem?: string;
  fixes: Fix[];
}

/** bpf_redirect() (no map) reports map_id INT_MAX; a real map id and index name the slot. */
export function slotText(mapId?: number, mapIndex?: number, mapName?: string): string {
  if (mapId === undefined || mapId === 0 || mapId === 2147483647) return mapId === 2147483647 ? ' (bpf_redirect, no map)' : '';
  return ` (${mapName ?? `map id ${mapId}`} slot ${mapIndex ?? '?'})`;
}

/**
 * A driver's ENXIO on xdp_devmap_xmit (not a veth's): it takes redirected frames only while it runs an XDP program
 * itself (virtio_net, i40e), or picks its XDP send queue by CPU number and has fewer queues than CPUs (i40e, mlx5).
 * `cpus` is this host's CPU count, the highest CPU a redirect can run on plus one.
 */
function refusedByDriver(dev: LinkInfo, name: string, netns: NetnsRef | undefined, cpus?: number): RedirectTarget {
  const why: string[] = [];
  const fixes: Fix[] = [];
  if (!dev.xdp) {
    why.push('it runs no XDP program, and drivers such as virtio_net and i40e take redirected frames only while they run one');
    fixes.push(kb.xdpPassFix(dev.ifname, netns));
  }
  if (cpus !== undefined && dev.numTxQueues !== undefined && dev.numTxQueues < cpus) {
    why.push(`it has ${dev.numTxQueues} TX queue(s) for ${cpus} CPUs, and drivers such as i40e and mlx5 pick the XDP send queue by CPU number, refusing frames redirected on a CPU at or above the queue count`);
    fixes.push({ title: `give ${dev.ifname} one combined channel per CPU (ethtool -L ${dev.ifname} combined ${cpus}), or pin the receive side's IRQs to CPUs below ${dev.numTxQueues}`, commands: [] });
  }
  if (!why.length) why.push('its driver refused the batch (ndo_xdp_xmit returned ENXIO); compare its channels (ethtool -l) with the CPU count and check that it runs an XDP program');
  return { ifindex: dev.ifindex, ifname: dev.ifname, problem: `${name} refused the redirected frames (ENXIO): ${why.join('; ')}`, fixes };
}

export function redirectTarget(toIfindex: number, links: LinkInfo[], netns?: NetnsRef, refused?: { errno: number; cpus?: number }): RedirectTarget {
  const dev = links.find((l) => l.ifindex === toIfindex);
  if (!dev) return { ifindex: toIfindex, problem: `ifindex ${toIfindex} is not an interface in this namespace: a redirect target must be`, fixes: [] };
  const name = `${dev.ifname} (ifindex ${toIfindex}${dev.kind ? `, ${dev.kind}` : ''})`;
  if (!dev.up) {
    return {
      ifindex: toIfindex, ifname: dev.ifname, problem: `${name} is DOWN`,
      fixes: [{ title: `bring ${dev.ifname} up`, commands: [['ip', 'link', 'set', 'dev', dev.ifname, 'up']], undo: [['ip', 'link', 'set', 'dev', dev.ifname, 'down']], netns, verify: 'probe' }],
    };
  }
  if (dev.kind === 'veth' && (dev.linkIndex !== undefined || dev.linkName)) {
    if (dev.linkNetnsid !== undefined) {
      return { ifindex: toIfindex, ifname: dev.ifname, problem: `${name} is a veth whose peer lives in another namespace (nsid ${dev.linkNetnsid}); that peer needs an XDP program to take XDP frames`, fixes: [] };
    }
    const peer = links.find((l) => (dev.linkName ? l.ifname === dev.linkName : l.ifindex === dev.linkIndex));
    if (peer && !peer.xdp) {
      return {
        ifindex: toIfindex, ifname: dev.ifname,
        problem: `${name} is a veth whose peer ${peer.ifname} has no XDP program: its queue has no NAPI, so ${dev.ifname} cannot take XDP frames`,
        fixes: kb.vethPeerFixes({ iface: dev.ifname, netns, peer: { ifname: peer.ifname, netns } }),
      };
    }
    if (peer && !peer.up) return { ifindex: toIfindex, ifname: dev.ifname, problem: `${name} is a veth whose peer ${peer.ifname} is DOWN`, fixes: [] };
  }
  if (refused?.errno === 6 && dev.kind !== 'veth') return refusedByDriver(dev, name, netns, refused.cpus);
  return { ifindex: toIfindex, ifname: dev.ifname, fixes: [] };
}
