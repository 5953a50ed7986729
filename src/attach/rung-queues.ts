// Precondition (veth, native): an RX queue here for every TX queue of the peer (veth_xdp_set()), from `ethtool -l`
// on both ends, the counts veth compares (real_num_rx_queues, real_num_tx_queues).
import type { Check, CheckContext, CheckResult, Fix } from '../engine/types.js';
import { parseEthtoolChannels, type ChannelReport } from '../tools/ethtool-channels.js';
import { effectiveMode, facts, FACT, requestOf, type QueueFacts } from './context.js';

export const queuesRung: Check = {
  id: 'queues', title: 'Queues', rung: 4, after: ['device'], question: 'Does the veth have an RX queue for each of its peer\'s TX queues?',
  async run(ctx): Promise<CheckResult> {
    const req = requestOf(ctx);
    const dev = facts.device(ctx);
    if (dev.link?.kind !== 'veth' || !dev.peer) return skip(dev.link ? `${req.iface} is not a veth` : 'no device');
    if (effectiveMode(req, dev) === 'generic') return skip('generic mode does not need the peer\'s queues');
    const read = async (iface: string, netns?: CheckContext['target']['netns']) => {
      const r = await ctx.tools.exec.run(['ethtool', '-l', iface], { netns, timeoutMs: 5000 });
      return { argv: r.argv, report: r.ok ? parseEthtoolChannels(r.stdout) : undefined };
    };
    const [mine, peers] = await Promise.all([read(req.iface, req.netns), read(dev.peer.link.ifname, dev.peer.netns)]);
    const rx = mine.report?.current.rx ?? dev.link.numRxQueues;
    const peerTx = peers.report?.current.tx ?? dev.peer.link.numTxQueues;
    const q: QueueFacts = { rx, peerTx, mine: mine.report, peers: peers.report };
    ctx.facts.set(FACT.queues, q);
    const evidence = [
      { label: `${req.iface} channels`, data: channelText(mine.report), command: mine.argv },
      { label: `${dev.peer.link.ifname} channels`, data: channelText(peers.report), command: peers.argv },
    ];
    if (rx === undefined || peerTx === undefined) return { status: 'skip', summary: 'queue counts could not be read', evidence, findings: [] };
    if (rx >= peerTx) return { status: 'pass', evidence, findings: [], summary: `${rx} RX queue(s) here ≥ ${peerTx} TX queue(s) on the peer ${dev.peer.link.ifname}` };
    return {
      status: ctx.tools.dryRun ? 'fail' : 'warn', evidence,
      summary: `${rx} RX queue(s) here < ${peerTx} TX queue(s) on the peer ${dev.peer.link.ifname}: veth will refuse native XDP (ENOSPC)`,
      findings: [{ cause: 'attach-veth-queues', risk: true, iface: req.iface, message: `${req.iface} has ${rx} RX queue(s) and its peer ${dev.peer.link.ifname} ${peerTx} TX queue(s); veth needs at least as many RX queues here`, fixes: queueFixes(ctx) }],
    };
  },
};

export function queueFixes(ctx: CheckContext): Fix[] {
  const req = requestOf(ctx);
  const dev = facts.device(ctx);
  const q = facts.queues(ctx);
  if (!dev.peer || q.rx === undefined || q.peerTx === undefined) return [];
  const maxRx = q.mine?.max.rx;
  return [
    {
      title: `lower the TX queues of the peer ${dev.peer.link.ifname} to ${q.rx} (from ${q.peerTx})`,
      commands: [['ethtool', '-L', dev.peer.link.ifname, 'tx', String(q.rx)]],
      undo: [['ethtool', '-L', dev.peer.link.ifname, 'tx', String(q.peerTx)]],
      netns: dev.peer.netns,
    },
    ...(maxRx !== undefined && maxRx >= q.peerTx ? [{
      title: `raise the RX queues of ${req.iface} to ${q.peerTx}`,
      commands: [['ethtool', '-L', req.iface, 'rx', String(q.peerTx)]], undo: [['ethtool', '-L', req.iface, 'rx', String(q.rx)]], netns: req.netns,
    }] : [{
      title: `or recreate the pair with ${q.peerTx} RX queues on ${req.iface} (ip link add ${req.iface} numrxqueues ${q.peerTx} type veth peer …): its maximum is ${maxRx ?? q.rx}, set when it was made`,
      commands: [],
    }]),
  ];
}

function channelText(c?: ChannelReport): string {
  if (!c) return 'not readable';
  const f = (x: ChannelReport['current']) => `RX ${x.rx ?? '-'} TX ${x.tx ?? '-'}${x.combined !== undefined ? ` combined ${x.combined}` : ''}`;
  return `now ${f(c.current)} (at most ${f(c.max)})`;
}

const skip = (summary: string): CheckResult => ({ status: 'skip', summary, evidence: [], findings: [] });
