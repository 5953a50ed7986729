// Precondition (veth, native): the peer's MTU against the largest veth_xdp_set() accepts for this program, computed
// from this host's page size (veth-limits.ts). The fix carries the numbers: the limit and the command that sets it.
import { arch } from 'node:os';
import type { Check, CheckResult, Fix } from '../engine/types.js';
import { isFragsSection } from '../tools/bpf-elf.js';
import { effectiveMode, facts, FACT, requestOf } from './context.js';
import { ETH_MAX_MTU, netIpAlign, vethMtuLimit } from './veth-limits.js';
import { attachArgv } from './request.js';

export const mtuRung: Check = {
  id: 'mtu', title: 'MTU', rung: 3, after: ['object', 'device'], question: "Does the veth peer's MTU fit native XDP for this program?",
  async run(ctx): Promise<CheckResult> {
    const req = requestOf(ctx);
    const dev = facts.device(ctx);
    const chosen = facts.object(ctx).chosen;
    if (dev.link?.kind !== 'veth' || !dev.peer) return skip(dev.link ? `${req.iface} is not a veth${dev.driver === 'virtio_net' ? ' (virtio_net\'s own limit: the virtio_net rung)' : ''}` : 'no device');
    if (effectiveMode(req, dev) === 'generic') return skip('generic mode has no MTU limit of its own');
    const r = await ctx.tools.exec.run(['getconf', 'PAGESIZE'], { timeoutMs: 5000 });
    const pageSize = Number(r.stdout.trim()) || (ctx.tools.dryRun ? 4096 : NaN);
    if (!Number.isFinite(pageSize)) return skip(`page size unknown (getconf PAGESIZE: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`})`);
    const frags = chosen ? isFragsSection(chosen.section) : false;
    const lim = vethMtuLimit(pageSize, frags, netIpAlign(arch()));
    const peerMtu = dev.peer.link.mtu ?? 1500;
    ctx.facts.set(FACT.mtu, { ...lim, peerMtu });
    const evidence = [{ label: 'limit', data: `${lim.limit} = ${lim.formula} (drivers/net/veth.c veth_xdp_set())`, command: r.argv }];
    const peerName = dev.peer.link.ifname;
    if (peerMtu <= lim.limit) {
      return { status: 'pass', evidence, findings: [], summary: `peer ${peerName} MTU ${peerMtu} ≤ ${Math.min(lim.limit, ETH_MAX_MTU)}, the limit for a program ${frags ? 'with' : 'without'} frags` };
    }
    return {
      status: ctx.tools.dryRun ? 'fail' : 'warn', evidence,
      summary: `peer ${peerName} MTU ${peerMtu} > ${lim.limit}: veth will refuse native XDP for a program without frags (ERANGE)`,
      findings: [{ cause: 'attach-veth-peer-mtu', risk: true, iface: req.iface, message: `peer ${peerName} has MTU ${peerMtu}, above ${lim.limit}, the largest veth accepts for native XDP without frags on this host (${lim.formula})`, fixes: vethMtuFixes(ctx, lim.limit, peerMtu) }],
    };
  },
};

export function vethMtuFixes(ctx: Parameters<Check['run']>[0], limit: number, peerMtu: number): Fix[] {
  const req = requestOf(ctx);
  const dev = facts.device(ctx);
  const peer = dev.peer!;
  const fragsLimit = vethMtuLimit(facts.mtu(ctx)?.pageSize ?? 4096, true, netIpAlign(arch())).limit;
  return [
    {
      title: `lower the MTU of the peer ${peer.link.ifname} to ${limit} (from ${peerMtu})`,
      commands: [['ip', 'link', 'set', 'dev', peer.link.ifname, 'mtu', String(limit)]],
      undo: [['ip', 'link', 'set', 'dev', peer.link.ifname, 'mtu', String(peerMtu)]],
      netns: peer.netns,
    },
    { title: `build the program frags-aware, SEC("xdp.frags") (it must then handle multi-buffer packets, bpf_xdp_load_bytes()): the limit becomes ${Math.min(fragsLimit, ETH_MAX_MTU)}`, commands: [] },
    { title: `attach in generic mode, which has no page limit (slower)`, commands: [attachArgv(req, 'generic', facts.object(ctx).chosen?.section)], netns: req.netns },
  ];
}

const skip = (summary: string): CheckResult => ({ status: 'skip', summary, evidence: [], findings: [] });
