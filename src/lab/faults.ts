// The blog's bugs (and the one found reproducing it) as data: what each fault is, what it does to the probe on
// this kernel, and the exact argv lists that break and fix it. `lab up --fault`, `lab break/fix` and a later
// "apply fix" flow all read these, so there is one definition of each.
import type { Fix, NetnsRef } from '../engine/types.js';
import type { LabObjects } from './paths.js';
import { ZERO_PARAMS, ZERO_PARAMS6, writeParams6Argv, writeParams6Step, writeParamsArgv, writeParamsStep } from './params.js';
import { attachNative, detachNative, loadLbReusingMap, unpin } from './programs.js';
import type { Step } from './steps.js';
import { CLIENT_IFACE, LB_IFACE, PEER_IFACE, type LabNode, nsRef, pins } from './topology.js';

export const FAULT_IDS = ['params-unset', 'bad-iphdr', 'veth-peer', 'csum-offload'] as const;
export type FaultId = (typeof FAULT_IDS)[number];

/** What a fault's commands need to know about one running lab. */
export interface LabContext {
  prefix: string;
  /** MAC of gw g1, the LB's next hop (params.dst_mac). */
  g1Mac: string;
  objects: LabObjects;
  /** A `lab up --ipv6` lab: the probe goes to the IPv6 VIP, so the faults that depend on the family break that path. */
  ipv6: boolean;
}

interface LabFault {
  id: FaultId;
  title: string;
  description: string;
  /** How the probe fails while the fault is active (seen on kernel 6.18). */
  symptom: string;
  /** Namespace whose state the fault changes; all its commands run there. */
  node: LabNode;
  break(ctx: LabContext): Fix;
  /** A Fix with `undo` = the break commands and `verify: 'probe'`. */
  fix(ctx: LabContext): Fix;
}

function asFix(title: string, netns: NetnsRef, steps: Step[], undo?: Step[]): Fix {
  return {
    title,
    commands: steps.map((s) => s.argv),
    ...(undo ? { undo: undo.map((s) => s.argv), verify: 'probe' as const } : {}),
    netns,
  };
}

function define(f: Omit<LabFault, 'break' | 'fix'> & {
  breakSteps(ctx: LabContext): Step[];
  fixSteps(ctx: LabContext): Step[];
  fixTitle: string | ((ctx: LabContext) => string);
}): LabFault {
  const { breakSteps, fixSteps, fixTitle, ...rest } = f;
  return {
    ...rest,
    break: (ctx) => asFix(`Break: ${f.title}`, nsRef(ctx.prefix, f.node), breakSteps(ctx)),
    fix: (ctx) => asFix(typeof fixTitle === 'string' ? fixTitle : fixTitle(ctx), nsRef(ctx.prefix, f.node), fixSteps(ctx), breakSteps(ctx)),
  };
}

export const LAB_FAULTS: Readonly<Record<FaultId, LabFault>> = {
  'params-unset': define({
    id: 'params-unset',
    title: 'LB params map never written (vip 0, daddr 0)',
    description:
      "The blog's first bug: the loader wrote key 0 as 8 bytes into a map whose key is a 4-byte __u32, so the " +
      'update never reached xdp_params_array and the entry stayed all zero. With vip 0 the program matches ' +
      'nothing and returns XDP_PASS.',
    symptom: 'SYNs reach lb l0 and go up the LB\'s own stack, which does not forward: lost at lb l0.',
    node: 'lb',
    // Over IPv6 the probe's path reads xdp_params6_array, so that is the map left unwritten.
    breakSteps: (ctx) => [{ argv: ctx.ipv6 ? writeParams6Argv(ctx.prefix, ZERO_PARAMS6) : writeParamsArgv(ctx.prefix, ZERO_PARAMS) }],
    fixSteps: (ctx) => [ctx.ipv6 ? writeParams6Step(ctx.prefix, ctx.g1Mac) : writeParamsStep(ctx.prefix, ctx.g1Mac)],
    fixTitle: (ctx) => `Write ${ctx.ipv6 ? 'xdp_params6_array' : 'xdp_params_array'}[0] with a 4-byte key (dst_mac of gw g1, real, LB and VIP addresses)`,
  }),
  'bad-iphdr': define({
    id: 'bad-iphdr',
    title: 'Outer IPv4 tot_len written without htons',
    description:
      "The blog's second bug: the encapsulating header's tot_len is stored in host byte order (0x5000 instead of " +
      '0x0050), so the gateway sees a datagram longer than the frame and drops it as truncated.',
    symptom: 'Encapsulated SYNs come back to gw g1 and die in its IP input (IpExtInTruncatedPkts): lost at gw g1.',
    node: 'lb',
    breakSteps: (ctx) => {
      const p = pins(ctx.prefix);
      return [
        unpin(p.lbBadProg),
        loadLbReusingMap(ctx.prefix, ctx.objects.lbBadhdr, p.lbBadProg),
        attachNative(ctx.prefix, p.lbBadProg, LB_IFACE, true),
      ];
    },
    fixSteps: (ctx) => {
      const p = pins(ctx.prefix);
      return [
        unpin(p.lbProg),
        loadLbReusingMap(ctx.prefix, ctx.objects.lb, p.lbProg),
        attachNative(ctx.prefix, p.lbProg, LB_IFACE, true),
        unpin(p.lbBadProg),
      ];
    },
    fixTitle: 'Load the LB built with htons(tot_len) again and attach it over the broken one',
  }),
  'veth-peer': define({
    id: 'veth-peer',
    title: 'XDP_TX on a veth whose peer has no XDP program',
    description:
      "The blog's third bug: on veth, XDP_TX hands the frame to the peer's NAPI queue, which exists only while " +
      'the peer has an XDP program (or GRO). Without one veth_xdp_xmit fails with ENXIO (xdp_bulk_tx err -6) ' +
      'and the frame is dropped.',
    symptom: 'lb l0 receives the SYNs, gw g1 never sees them again; ethtool -S l0 rx_queue_0_xdp_tx_errors rises.',
    node: 'gw',
    breakSteps: (ctx) => [
      detachNative(ctx.prefix, PEER_IFACE),
      { argv: ['ethtool', '-K', PEER_IFACE, 'gro', 'off'], netns: nsRef(ctx.prefix, 'gw') },
    ],
    fixSteps: (ctx) => [attachNative(ctx.prefix, pins(ctx.prefix).passProg, PEER_IFACE, true)],
    fixTitle: 'Attach a dummy XDP_PASS program (native) on gw g1, the peer of the LB interface',
  }),
  'csum-offload': define({
    id: 'csum-offload',
    title: 'Client TX checksum offload left on',
    description:
      'With checksum offload the client sends TCP segments whose checksum is still partial (CHECKSUM_PARTIAL); ' +
      'native XDP on veth turns them into frames and the metadata is lost, so the real server receives a ' +
      'wrong checksum and drops the segment.',
    symptom: 'SYNs reach real r0 and are dropped by TCP: nstat on the real counts TcpInCsumErrors.',
    node: 'client',
    breakSteps: (ctx) => [{ argv: ['ethtool', '-K', CLIENT_IFACE, 'tx', 'on'], netns: nsRef(ctx.prefix, 'client') }],
    fixSteps: (ctx) => [{ argv: ['ethtool', '-K', CLIENT_IFACE, 'tx', 'off'], netns: nsRef(ctx.prefix, 'client') }],
    fixTitle: 'Turn TX checksum offload off on the client (ethtool -K c0 tx off)',
  }),
};

export function isFaultId(s: string): s is FaultId {
  return (FAULT_IDS as readonly string[]).includes(s);
}

/** The break or fix of one fault as runnable steps (each already carries its namespace). */
export function faultSteps(id: FaultId, which: 'break' | 'fix', ctx: LabContext): Step[] {
  const fix = which === 'break' ? LAB_FAULTS[id].break(ctx) : LAB_FAULTS[id].fix(ctx);
  return fix.commands.map((argv) => ({ argv, netns: fix.netns }));
}
