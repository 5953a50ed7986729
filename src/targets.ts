// From flags to a Target, checking that what the user named exists, and saying what exists when not.
import type { Hop, NetnsRef, ProbeSpec, Target } from './engine/types.js';
import type { Exec } from './tools/exec.js';
import { createIp } from './tools/ip.js';
import { createBpftool } from './tools/bpftool.js';
import { findVethPeer } from './tools/veth-peer.js';
import { realFiles } from './tools/files.js';
import type { LadderArgs } from './cli-args.js';
import { ContainerError, containerNetns } from './containers.js';
import { netnsRefOf } from './netns-ref.js';
import { sameNetns } from './tools/netns.js';
import { captureFilterOf, flowOfProbe } from './probe-flow.js';

export class TargetError extends Error {}

export { netnsRefOf } from './netns-ref.js';


function probeOf(args: LadderArgs): ProbeSpec | undefined {
  if (!args.probe) return undefined;
  const flow = args.flow ?? flowOfProbe(args.probe);
  return {
    argv: args.probe, netns: args.probeNetns ? netnsRefOf(args.probeNetns) : undefined, timeoutMs: 10_000,
    ...(flow ? { destination: { ip: flow.ip, proto: flow.proto, ...(flow.port ? { port: flow.port } : {}) } } : {}),
  };
}

export async function resolveTarget(exec: Exec, args: LadderArgs, opts: { verify: boolean }): Promise<Target> {
  if (args.lab) {
    const { labTarget, labTargetFor } = await import('./lab/target.js');
    const t = opts.verify ? await labTarget(args.labName) : labTargetFor(args.labName);
    if ('error' in t) throw new TargetError(t.error);
    return { ...t, expect: args.expect, progId: args.progId ?? t.progId, ...(args.probe ? { probe: probeOf(args) } : {}) };
  }
  if (!args.iface) throw new TargetError('no target: give --lab or --iface NAME (see xdp-doctor --help)');

  let netns: NetnsRef | undefined;
  try {
    netns = args.container ? await containerNetns(exec, args.container) : args.netns ? netnsRefOf(args.netns) : undefined;
  } catch (e) {
    if (e instanceof ContainerError) throw new TargetError(e.message);
    throw e;
  }
  const hops: Hop[] = [];
  if (opts.verify) await verifyTarget(exec, args, netns, hops);
  hops.push({ label: `${args.iface} (XDP)`, iface: args.iface, netns, xdp: true });
  const probe = probeOf(args);
  // A probe sent from the XDP side starts there: its requests leave through the XDP interface (the program never
  // sees them) and the replies come back into it. The route runs from the sender.
  if (probe && hops.length > 1 && sameNetns(probe.netns, netns) && !sameNetns(hops[0]!.netns, netns)) hops.reverse();
  // nstat along the route: every namespace the hops and the probe live in (the host's when none is named).
  const nstatNodes = uniqueNamespaces([...hops.map((h) => h.netns), probe?.netns]);
  const flow = args.flow ?? (args.probe ? flowOfProbe(args.probe) : undefined);
  return {
    kind: 'iface', iface: args.iface, netns, progId: args.progId, hops, probe,
    windowMs: args.windowMs, expect: args.expect, nstatNodes,
    // Captures follow the probe's flow only: other traffic on the interface is neither counted nor a load.
    ...(flow ? { flow, captureFilter: captureFilterOf(flow) } : {}),
  };
}

async function verifyTarget(exec: Exec, args: LadderArgs, netns: NetnsRef | undefined, hops: Hop[]): Promise<void> {
  const ip = createIp(exec);
  if (netns?.kind === 'name') {
    const names = await ip.netnsNames();
    if (!names.includes(netns.name)) {
      throw new TargetError(`no network namespace "${netns.name}"; existing: ${names.join(', ') || '(none under /run/netns)'}`);
    }
  }
  let links;
  try {
    links = await ip.links(netns, { details: true });
  } catch (e) {
    throw new TargetError(`cannot list interfaces${netns ? ` in ${args.netns ?? args.container}` : ''}: ${(e as Error).message}`);
  }
  const link = links.find((l) => l.ifname === args.iface);
  if (!link) {
    throw new TargetError(`no interface "${args.iface}"${netns ? ` in ${args.netns ?? args.container}` : ''}; interfaces there: ${links.map((l) => l.ifname).join(', ')}`);
  }
  if (args.progId !== undefined) {
    try {
      await createBpftool(exec).prog(args.progId);
    } catch {
      const xdp = links.filter((l) => l.xdp).map((l) => `${l.xdp!.progId} on ${l.ifname}`);
      throw new TargetError(`no BPF program with id ${args.progId}; XDP programs here: ${xdp.join(', ') || 'none'}`);
    }
  }
  // The veth peer is the hop just before the XDP interface: tcpdump there shows what was sent into it.
  const peer = await findVethPeer(ip, realFiles, link, netns).catch(() => undefined);
  if (peer) hops.push({ label: `${peer.link.ifname} (veth peer${peer.netns?.kind === 'pid' ? `, ${peer.label}` : ''})`, iface: peer.link.ifname, netns: peer.netns });
}

function uniqueNamespaces(refs: (NetnsRef | undefined)[]): { node: string; netns?: NetnsRef }[] {
  const out = new Map<string, { node: string; netns?: NetnsRef }>();
  for (const r of refs) {
    const node = !r ? 'host' : r.kind === 'name' ? r.name : r.kind === 'pid' ? `pid ${r.pid}` : r.path;
    if (!out.has(node)) out.set(node, { node, netns: r });
  }
  return [...out.values()];
}
