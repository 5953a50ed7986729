// Rung 7: the driver's own XDP counters (ethtool -S) on the target and its veth peer, sampled before and after
// the probe window; the deltas under common names (xdp_tx_errors, xdp_drops, …) whatever the driver calls them.
// veth counts every XDP_TX frame its peer refused in rx_queue_N_xdp_tx_errors (the blog's ENXIO, seen as a
// counter): a rise on the target is a failure.
import {
  COMMON_COUNTERS, defineCheck, DROP_COUNTERS, ETHTOOL, flowTrouble, INVENTORY, kb, nsLabel, peerWhere, statsDelta,
  type EthtoolFacts, type Evidence, type Finding, type InventoryFacts,
  type NetnsRef,
} from '../src/plugins/api.js';

interface Side { role: 'target' | 'peer'; iface: string; netns?: NetnsRef; where: string }

export default defineCheck({
  id: 'ethtool-stats',
  title: 'Driver XDP counters (ethtool -S)',
  question: 'Do the driver\'s XDP counters on the interface and its peer show frames dropped or refused?',
  rung: 7,
  needs: ['ethtool'],
  after: ['inventory'],
  observes: true,
  timeoutMs: 30_000,
  async run(ctx) {
    const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
    const sides: Side[] = [{
      role: 'target', iface: inv?.iface ?? ctx.target.iface, netns: inv?.netns ?? ctx.target.netns,
      where: nsLabel(inv?.netns ?? ctx.target.netns),
    }];
    if (inv?.peer) sides.push({ role: 'peer', iface: inv.peer.ifname, netns: inv.peer.netns, where: nsLabel(inv.peer.netns) });

    ctx.progress(`sampling ethtool -S on ${sides.map((s) => s.iface).join(' and ')}`);
    const drivers = await Promise.all(sides.map((s) => ctx.tools.ethtool.driver(s.iface, s.netns).catch(() => undefined)));
    const before = await ctx.tools.ethtool.statsOfAll(sides);

    const outcome = await ctx.window.ready();

    const after = await ctx.tools.ethtool.statsOfAll(sides);
    if (ctx.tools.dryRun) return { status: 'skip', summary: 'dry run: ethtool -S listed, not sampled', evidence: [], findings: [] };

    const evidence: Evidence[] = [];
    const findings: Finding[] = [];
    const facts: EthtoolFacts = { deltas: {}, drivers: {} };
    const keyOf = (s: Side) => (sides.filter((o) => o.iface === s.iface).length > 1 ? `${s.iface}@${s.where}` : s.iface);
    const rising: string[] = [];
    let targetHasCounters = false;
    let targetTxErrors = 0;

    sides.forEach((side, i) => {
      const b = before[i]!;
      const a = after[i]!;
      const key = keyOf(side);
      const driver = drivers[i]?.driver ?? (side.role === 'target' ? inv?.kind : 'veth');
      if (driver) facts.drivers[key] = driver;
      const label = `${side.role} ${side.iface}${side.where ? ` (${side.where})` : ''}${driver ? ` ${driver}` : ''}`;
      const failed = b.error ?? a.error;
      if (failed || !b.xdp || !a.xdp) {
        evidence.push({ label, data: b.unsupported || a.unsupported ? `the driver reports no statistics (${failed})` : `ethtool -S failed: ${failed ?? 'no output'}`, command: b.argv });
        return;
      }
      if (!Object.keys(a.xdp).length) {
        evidence.push({ label, data: `no XDP counters among the driver's ${Object.keys(a.raw ?? {}).length} statistics`, command: b.argv });
        return;
      }
      if (side.role === 'target') targetHasCounters = true;
      const delta = statsDelta(b.xdp, a.xdp);
      facts.deltas[key] = delta;
      const rawDelta = statsDelta(b.raw ?? {}, a.raw ?? {});
      evidence.push({
        label: `${label} deltas`,
        data: Object.keys(delta).length ? delta : '(no XDP counter changed)',
        command: b.argv,
      });
      const rawXdp = Object.fromEntries(Object.entries(rawDelta).filter(([k]) => /xdp|drop/.test(k)));
      if (Object.keys(rawXdp).length) evidence.push({ label: `${side.iface} driver counters that changed`, data: rawXdp });
      for (const c of DROP_COUNTERS) {
        const d = delta[c] ?? 0;
        if (d <= 0) continue;
        if (side.role === 'target' && c === 'xdp_tx_errors') { targetTxErrors = d; continue; }
        rising.push(`${c} +${d} on ${side.iface} (${COMMON_COUNTERS[c]})`);
      }
    });
    if (Object.keys(facts.deltas).length || Object.keys(facts.drivers).length) ctx.facts.set(ETHTOOL, facts);

    const target = sides[0]!;
    if (targetTxErrors > 0) {
      const peer = inv?.peer;
      const isVeth = (facts.drivers[keyOf(target)] ?? inv?.kind) === 'veth';
      if (isVeth && peer && !peer.xdp) {
        findings.push({
          cause: 'veth-peer-no-xdp', iface: target.iface, progId: inv?.progId, signal: 'ethtool:xdp_tx_errors',
          message: `${target.iface} counted ${targetTxErrors} XDP_TX frame(s) in rx_queue_N_xdp_tx_errors during the probe: ` +
            `its veth peer ${peer.ifname}${peerWhere(peer)} has no XDP program, so the peer refuses them (ENXIO)`,
          fixes: kb.vethPeerFixes({ iface: target.iface, netns: target.netns, progId: inv?.progId, linkOwned: Boolean(inv?.link), peer: { ifname: peer.ifname, netns: peer.netns } }),
        });
      } else {
        const why = isVeth && peer
          ? `${peer.ifname} ${peer.up ? 'runs' : 'is DOWN with'} an XDP program; frames larger than its MTU or a full 256-slot ring are refused too`
          : 'the driver could not transmit frames the program bounced with XDP_TX';
        findings.push({
          cause: 'xdp-tx-error', iface: target.iface, progId: inv?.progId, signal: 'ethtool:xdp_tx_errors',
          message: `${target.iface} counted ${targetTxErrors} XDP_TX transmit error(s) during the probe: ${why}`,
          fixes: [],
        });
      }
      return {
        status: 'fail',
        summary: `xdp_tx_errors +${targetTxErrors} on ${target.iface}: XDP_TX frames were refused${rising.length ? `; also ${rising.join('; ')}` : ''}`,
        evidence, findings,
      };
    }
    const drops = facts.deltas[keyOf(target)]?.xdp_drops ?? 0;
    if (drops > 0 && flowTrouble(outcome, ctx.target)) {
      // Observed: the driver counted the program's drops while the probe failed. The verdicts say whether they
      // were XDP_DROP or XDP_ABORTED; this count joins whichever they saw.
      findings.push({
        cause: 'xdp-drop-verdict', iface: target.iface, progId: inv?.progId, signal: 'ethtool:xdp_drops',
        message: `${target.iface} counted xdp_drops +${drops} during the failed probe: its XDP program dropped frames (XDP_DROP, XDP_ABORTED or an invalid verdict)`,
        fixes: [], explains: ['xdp-aborted', 'neighbour-dropped'],
      });
      return { status: 'fail', summary: `drop counters rose during the failed probe: ${rising.join('; ')}`, evidence, findings };
    }
    if (rising.length) {
      return { status: 'warn', summary: `drop counters rose during the probe: ${rising.join('; ')}`, evidence, findings };
    }
    if (inv?.mode === 'generic') {
      // Generic XDP runs in the stack (do_xdp_generic), after the driver: the driver's XDP counters never see it.
      return {
        status: 'skip', evidence, findings,
        summary: `${target.iface} runs its program in generic (SKB) mode: the driver's XDP counters count native XDP only, ` +
          'so they cannot show this program\'s verdicts (the verdict, tracepoint and drop-reason rungs see them)',
      };
    }
    if (!targetHasCounters) {
      const driver = facts.drivers[keyOf(target)];
      return {
        status: 'skip',
        summary: `${target.iface}${driver ? ` (${driver})` : ''} reports no XDP counters in ethtool -S (veth, virtio_net and mlx5 do): nothing to compare`,
        evidence, findings,
      };
    }
    const t = facts.deltas[keyOf(target)] ?? {};
    const activity = ['xdp_packets', 'xdp_tx', 'xdp_redirect', 'xdp_xmit'].filter((c) => t[c]).map((c) => `${c} +${t[c]}`);
    return {
      status: 'pass',
      summary: `no XDP drop or error counter rose on ${sides.map((s) => s.iface).join(' or ')}` +
        (activity.length ? ` (${target.iface}: ${activity.join(', ')})` : outcome.ran ? ` (no XDP frames counted on ${target.iface} during the probe)` : ''),
      evidence, findings,
    };
  },
});

