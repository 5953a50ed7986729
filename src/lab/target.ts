// The lab as a Target for the engine (`xdp-doctor --lab`): the LB interface, every hop in route order, nstat in
// all four namespaces, and the same probe `lab probe` sends.
import type { Hop, Target } from '../engine/types.js';
import { realExec } from '../tools/exec.js';
import { createIp } from '../tools/ip.js';
import { labProbeSpec } from './probe.js';
import { readState } from './state.js';
import { LB_IFACE, NODES, VIP_PORT, allNamespaces, nsRef, validLabName, type LabNode } from './topology.js';

const LAB_WINDOW_MS = 3000;

/**
 * The probe's flow on every hop: plain TCP to the VIP port, or the LB's IPIP-encapsulated copy (whose outer
 * protocol is 4, so `tcp port` alone would miss it between the LB and the real).
 */
const LAB_CAPTURE_FILTER = ['tcp', 'port', String(VIP_PORT), 'or', 'ip', 'proto', '4'];
/** `lab up --ipv6`: the LB's copy is IPv6-in-IPv6 (next header 41) between the LB and the real. */
const LAB_CAPTURE_FILTER6 = [...LAB_CAPTURE_FILTER, 'or', 'ip6', 'proto', '41'];

/**
 * What every view calls each namespace on the route (the wizard's picture groups hops by it): its namespace is
 * named `gw`, but people read "gateway".
 */
const NODE_LABEL: Record<LabNode, string> = { client: 'client', gw: 'gateway', lb: 'lb', real: 'real' };

function labHops(prefix: string): Hop[] {
  const hop = (label: string, node: LabNode, iface: string, xdp?: boolean): Hop => ({
    label, iface, netns: nsRef(prefix, node), node: NODE_LABEL[node], ...(xdp ? { xdp } : {}),
  });
  return [
    hop('client c0', 'client', 'c0'),
    hop('gw g0 (from client)', 'gw', 'g0'),
    hop('gw g1 (towards lb, peer of l0)', 'gw', 'g1'),
    hop('lb l0 (XDP load balancer)', 'lb', 'l0', true),
    hop('gw g2 (towards real)', 'gw', 'g2'),
    hop('real r0 (decap)', 'real', 'r0'),
  ];
}

/** The lab's probe family comes from its state file: a lab built with `lab up --ipv6` is probed over IPv6. */
export function labTargetFor(prefix: string, ipv6 = readState(prefix)?.ipv6 === true): Target {
  return {
    kind: 'lab',
    iface: LB_IFACE,
    netns: nsRef(prefix, 'lb'),
    labName: prefix,
    hops: labHops(prefix),
    probe: labProbeSpec(prefix, undefined, ipv6),
    windowMs: LAB_WINDOW_MS,
    expect: [],
    nstatNodes: NODES.map((node) => ({ node, netns: nsRef(prefix, node) })),
    captureFilter: ipv6 ? LAB_CAPTURE_FILTER6 : LAB_CAPTURE_FILTER,
  };
}

/** The Target of a running lab, or why there is none (bad name, not up, half built). */
export async function labTarget(prefix: string): Promise<Target | { error: string }> {
  if (!validLabName(prefix)) return { error: `invalid lab name "${prefix}": use 1-10 characters from a-z, 0-9 and -` };
  const state = readState(prefix);
  let present: string[];
  try {
    const all = new Set(await createIp(realExec).netnsNames({ strict: true }));
    present = allNamespaces(prefix).filter((n) => all.has(n));
  } catch (e) {
    return { error: `cannot list network namespaces: ${(e as Error).message}` };
  }
  if (present.length === 0) return { error: `lab ${prefix} is not up: run \`xdp-doctor lab up --lab-name ${prefix}\`` };
  if (present.length < NODES.length || state?.phase !== 'up') {
    return { error: `lab ${prefix} is only partly built: run \`xdp-doctor lab down --lab-name ${prefix}\` and \`lab up\` again` };
  }
  return labTargetFor(prefix, state.ipv6 === true);
}
