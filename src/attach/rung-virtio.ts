// Precondition (virtio_net, native): what virtnet_xdp_set() checks before it takes a program. Without
// VIRTIO_NET_F_CTRL_GUEST_OFFLOADS the guest cannot turn the host's receive offloads off, and while the host
// negotiated them (guest TSO/ECN/UFO/USO show as rx-gro-hw, guest CSUM as rx-checksumming) XDP is refused with
// EOPNOTSUPP. ethtool -k shows it: rx-gro-hw "[fixed]" means no control of guest offloads. With the control the
// kernel turns them off itself at attach. The MTU must fit one page for a program without frags (max_sz = PAGE_SIZE
// - SKB_DATA_ALIGN(VIRTIO_XDP_HEADROOM + sizeof(struct skb_shared_info)) - ETH_HLEN: 3506 with 4 KiB pages on x86-64).
import type { Check, CheckResult, Finding } from '../engine/types.js';
import { parseEthtoolFeatures } from '../tools/ethtool-features.js';
import { isFragsSection } from '../tools/bpf-elf.js';
import { effectiveMode, facts, requestOf } from './context.js';
import { attachArgv } from './request.js';
import { ETH_HLEN, SKB_SHARED_INFO_ALIGNED, XDP_PACKET_HEADROOM } from './veth-limits.js';

export const virtioRung: Check = {
  id: 'virtio', title: 'virtio_net', rung: 5, after: ['object', 'device'], question: 'Does the virtio device let XDP in (guest offloads, MTU)?',
  async run(ctx): Promise<CheckResult> {
    const req = requestOf(ctx);
    const dev = facts.device(ctx);
    if (dev.driver !== 'virtio_net') return skip(dev.link ? `${req.iface} is not virtio_net` : 'no device');
    if (effectiveMode(req, dev) === 'generic') return skip('generic mode does not go through virtnet_xdp_set()');
    const r = await ctx.tools.exec.run(['ethtool', '-k', req.iface], { netns: req.netns, timeoutMs: 5000 });
    const f = parseEthtoolFeatures(r.stdout);
    const groHw = f.get('rx-gro-hw');
    const csum = f.get('rx-checksumming');
    const evidence = [{ label: 'offloads', data: `rx-gro-hw ${show(groHw)}, rx-checksumming ${show(csum)}`, command: r.argv }];
    const findings: Finding[] = [];
    const generic = { title: `attach in generic mode on ${req.iface}`, commands: [attachArgv(req, 'generic', facts.object(ctx).chosen?.section)], netns: req.netns };
    // No control of guest offloads (the feature is fixed) while the host uses them: the guest cannot turn them off.
    if (groHw?.fixed && (groHw.on || csum?.on)) {
      findings.push({
        cause: 'attach-virtio-offloads', risk: true, iface: req.iface,
        message: `${req.iface}: the host negotiated receive offloads (rx-gro-hw ${show(groHw)}, rx-checksumming ${show(csum)}) without letting the guest turn them off (no VIRTIO_NET_F_CTRL_GUEST_OFFLOADS): virtio_net refuses native XDP (EOPNOTSUPP)`,
        fixes: [generic, { title: 'have the hypervisor offer ctrl_guest_offloads, or turn the guest offloads off in the VM (QEMU: virtio-net-pci,guest_tso4=off,guest_tso6=off,guest_ecn=off,guest_ufo=off,guest_csum=off)', commands: [] }],
      });
    }
    const pageSize = Number((await ctx.tools.exec.run(['getconf', 'PAGESIZE'], { timeoutMs: 5000 })).stdout.trim()) || 4096;
    const maxSz = pageSize - (XDP_PACKET_HEADROOM + SKB_SHARED_INFO_ALIGNED) - ETH_HLEN;
    const frags = facts.object(ctx).chosen ? isFragsSection(facts.object(ctx).chosen!.section) : false;
    const mtu = dev.link?.mtu ?? 1500;
    evidence.push({ label: 'MTU limit', data: `${maxSz} without frags = ${pageSize} - (${XDP_PACKET_HEADROOM} + ${SKB_SHARED_INFO_ALIGNED}) - ${ETH_HLEN}; MTU ${mtu}`, command: ['getconf', 'PAGESIZE'] });
    if (!frags && mtu > maxSz) {
      findings.push({
        cause: 'attach-virtio-mtu', risk: true, iface: req.iface,
        message: `${req.iface} has MTU ${mtu}, above ${maxSz}, the largest virtio_net takes for XDP without frags on this host`,
        fixes: [{ title: `lower the MTU of ${req.iface} to ${maxSz}`, commands: [['ip', 'link', 'set', 'dev', req.iface, 'mtu', String(maxSz)]], undo: [['ip', 'link', 'set', 'dev', req.iface, 'mtu', String(mtu)]], netns: req.netns }, generic],
      });
    }
    return {
      status: findings.length ? (ctx.tools.dryRun ? 'fail' : 'warn') : 'pass', evidence, findings,
      summary: findings.length ? findings.map((x) => x.message.replace(/^[^:]+: /, '')).join('; ') : `guest offloads can be turned off by the kernel at attach; MTU ${mtu} ≤ ${maxSz}`,
    };
  },
};

const show = (f?: { on: boolean; fixed: boolean }) => (f ? `${f.on ? 'on' : 'off'}${f.fixed ? ' [fixed]' : ''}` : 'absent');
const skip = (summary: string): CheckResult => ({ status: 'skip', summary, evidence: [], findings: [] });
