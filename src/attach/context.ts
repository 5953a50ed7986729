// What the precondition rungs learn and the attach rung reads: the object's programs, the device, its peer, the
// hook's current owner. Published as facts (engine/facts.ts) so each rung stays small and the attach rung can
// explain a refusal with this host's numbers.
import type { CheckContext, NetnsRef } from '../engine/types.js';
import type { LinkInfo } from '../tools/ip.js';
import type { BpfObjectInfo, BpfProgramSymbol, LineRecord } from '../tools/bpf-elf.js';
import type { DriverXdp } from '../kb/xdp-drivers.js';
import type { AttachRequest } from './request.js';
import type { ChannelReport } from '../tools/ethtool-channels.js';
import type { VethMtuLimit } from './veth-limits.js';
import type { BpfLink, LinkHolder } from '../tools/bpf-links.js';

export interface ObjectFacts {
  info?: BpfObjectInfo; chosen?: BpfProgramSymbol; error?: string;
  /** The object's BTF line info: where a verifier rejection's source line is when the kernel prints only its text. */
  lines?: LineRecord[];
}
interface PeerFacts { link: LinkInfo; netns?: NetnsRef; label?: string }
export interface DeviceFacts { link?: LinkInfo; driver?: string; xdp?: DriverXdp; peer?: PeerFacts; error?: string }
export interface QueueFacts { rx?: number; peerTx?: number; mine?: ChannelReport; peers?: ChannelReport }
export interface HookFacts { link?: BpfLink; holders: LinkHolder[]; /** libxdp's dispatcher's components, when it is on the hook. */ components?: string[] }

export const FACT = {
  object: 'attach.object', predicted: 'attach.predicted', device: 'attach.device', mtu: 'attach.mtu', queues: 'attach.queues', hook: 'attach.hook',
} as const;

export function requestOf(ctx: CheckContext): AttachRequest {
  const r = ctx.options.request as AttachRequest | undefined;
  if (!r) throw new Error('attach rung run without a request (options.request)');
  return r;
}

export const facts = {
  object: (ctx: CheckContext) => ctx.facts.get<ObjectFacts>(FACT.object) ?? {},
  device: (ctx: CheckContext) => ctx.facts.get<DeviceFacts>(FACT.device) ?? {},
  mtu: (ctx: CheckContext) => ctx.facts.get<VethMtuLimit & { peerMtu: number }>(FACT.mtu),
  queues: (ctx: CheckContext) => ctx.facts.get<QueueFacts>(FACT.queues) ?? {},
  hook: (ctx: CheckContext) => ctx.facts.get<HookFacts>(FACT.hook) ?? { holders: [] },
};

/** The mode the kernel will use: auto is native where the driver has ndo_bpf (dev_xdp_mode()), generic where not. */
export function effectiveMode(req: AttachRequest, dev: DeviceFacts): 'native' | 'generic' | undefined {
  if (req.mode !== 'auto') return req.mode;
  return dev.xdp ? (dev.xdp.native ? 'native' : 'generic') : undefined;
}
