// Precondition: the device exists, what it is (link kind, driver), whether its driver has native XDP, and (veth)
// where its peer is. A native attach on a driver without ndo_bpf is named here, before the kernel refuses it.
import type { Check, CheckResult, Evidence, Finding } from '../engine/types.js';
import { driverXdp } from '../kb/xdp-drivers.js';
import { nsLabel } from '../tools/netns.js';
import { FACT, requestOf, type DeviceFacts } from './context.js';
import { attachArgv } from './request.js';

export const deviceRung: Check = {
  id: 'device', title: 'Device', rung: 2, question: 'Does the device exist, and does its driver run XDP natively?',
  async run(ctx): Promise<CheckResult> {
    const req = requestOf(ctx);
    const where = req.netns ? ` in ${nsLabel(req.netns)}` : '';
    let links;
    try {
      links = await ctx.tools.ip.links(req.netns, { details: true, iface: req.iface });
    } catch (e) {
      const error = `no device ${req.iface}${where}: ${(e as Error).message}`;
      ctx.facts.set(FACT.device, { error } satisfies DeviceFacts);
      return { status: 'fail', summary: error, evidence: [], findings: [] };
    }
    const link = links[0]!;
    const driver = (await ctx.tools.ethtool.driver(req.iface, req.netns))?.driver;
    const xdp = driverXdp(driver, link.kind, link.ifname);
    const peer = await ctx.tools.vethPeer(link, req.netns);
    const dev: DeviceFacts = { link, driver, xdp, ...(peer ? { peer: { link: peer.link, netns: peer.netns, label: peer.label } } : {}) };
    ctx.facts.set(FACT.device, dev);
    const evidence: Evidence[] = [
      { label: 'device', data: { ifname: link.ifname, kind: link.kind ?? null, driver: driver ?? null, mtu: link.mtu ?? null, up: link.up } },
      { label: 'native XDP', data: xdp ? `${xdp.native ? 'yes' : 'no'} (${xdp.source})` : `not known for driver ${driver ?? link.kind ?? '(none)'}: the attach will tell` },
      ...(peer ? [{ label: 'veth peer', data: `${peer.link.ifname}${peer.label ? ` in ${peer.label}` : ''} (MTU ${peer.link.mtu ?? '?'})` }] : []),
    ];
    const findings: Finding[] = [];
    if (req.mode === 'native' && xdp && !xdp.native) {
      findings.push({
        cause: 'attach-native-unsupported', risk: true, iface: req.iface,
        message: `${req.iface} is ${driver ?? link.kind ?? 'a device'}, whose driver has no native XDP (${xdp.source}): native mode will be refused; generic mode works`,
        fixes: [{ title: `attach in generic mode on ${req.iface}`, commands: [attachArgv(req, 'generic', undefined)], netns: req.netns }],
      });
    }
    const kind = `${link.kind ?? 'device'}${driver && driver !== link.kind ? ` (driver ${driver})` : ''}`;
    return {
      status: findings.length ? (ctx.tools.dryRun ? 'fail' : 'warn') : 'pass', evidence, findings,
      summary: `${req.iface}${where}: ${kind}, MTU ${link.mtu ?? '?'}, native XDP ${xdp ? (xdp.native ? 'yes' : 'no') : 'not known'}${peer ? `, veth peer ${peer.link.ifname}${peer.label ? ` in ${peer.label}` : ''}` : ''}`,
    };
  },
};
