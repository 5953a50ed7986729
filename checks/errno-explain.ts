// Rung 9: the blog's last and longest step — reading kernel source to learn what errno 6 means on a veth.
// Every errno and XDP signal seen on the way up is explained from src/kb: name, the kernel function that
// produced it in this context (tracepoint + driver), meaning, how to confirm, how to fix.
import { defineCheck } from '../src/plugins/api.js';
import type { Evidence } from '../src/engine/types.js';
import { explainErrno, explanationText } from '../src/kb/explain.js';
import { findSignal } from '../src/kb/signals.js';
import { ETHTOOL, TRACEPOINTS, type EthtoolFacts, type TracepointFacts } from './facts.js';

export default defineCheck({
  id: 'errno-explain',
  title: 'Errno explained (kernel source)',
  question: 'What do the errors the kernel reported mean, and where in the kernel do they come from?',
  rung: 9,
  after: ['tracepoints', 'ethtool-stats'],
  async run(ctx) {
    const tp = ctx.facts.get<TracepointFacts>(TRACEPOINTS);
    const eth = ctx.facts.get<EthtoolFacts>(ETHTOOL);
    const evidence: Evidence[] = [];
    const explained: string[] = [];
    for (const s of tp?.signals ?? []) {
      const where = `xdp:${s.tracepoint} on ${s.ifname ?? `ifindex ${s.ifindex ?? '?'}`}${s.driver ? ` (${s.driver})` : ''} ×${s.count}`;
      if (s.errno) {
        const e = explainErrno({ errno: s.errno, tracepoint: s.tracepoint, driver: s.driver });
        evidence.push({ label: where, data: explanationText(e, { tracepoint: s.tracepoint, driver: s.driver }).trim() });
        explained.push(`${e.errno?.name ?? `E${s.errno}`} from ${s.tracepoint}${s.ifname ? ` on ${s.ifname}` : ''}`);
      } else {
        const row = findSignal({ tracepoint: s.tracepoint, errno: s.errno, driver: s.driver, act: s.act });
        if (row) {
          evidence.push({ label: where, data: `${row.meaning}\nsource: ${row.source}\nfix: ${row.fix}` });
          explained.push(`${s.tracepoint}${s.act !== undefined ? ` act=${s.act}` : ''}`);
        }
      }
    }
    for (const [iface, d] of Object.entries(eth?.deltas ?? {})) {
      if (d.xdp_tx_errors) {
        evidence.push({
          label: `ethtool ${iface} xdp_tx_errors +${d.xdp_tx_errors}`,
          data: 'veth counts every XDP_TX frame the peer refused in rx_queue_N_xdp_tx_errors (= xdp_bulk_tx drops; also in this device\'s tx_dropped and the peer\'s rx_dropped)',
        });
      }
    }
    if (!tp && !eth) return { status: 'skip', summary: 'nothing to explain: the tracepoints and ethtool-stats rungs did not run', evidence, findings: [] };
    if (!evidence.length) return { status: 'pass', summary: 'no errno or XDP error signal was reported during the window', evidence, findings: [] };
    return { status: 'warn', summary: explained.length ? `explained: ${[...new Set(explained)].join('; ')}` : 'explained driver counters', evidence, findings: [] };
  },
});
