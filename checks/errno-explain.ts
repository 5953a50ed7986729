// Rung 9: the blog's last and longest step — reading kernel source to learn what errno 6 means on a veth.
// Every errno and XDP signal seen on the way up is explained from src/kb: name, the kernel function that
// produced it in this context (tracepoint + driver), meaning, how to confirm, how to fix.
import {
  defineCheck, ETHTOOL, kb, TRACEPOINTS, type EthtoolFacts, type Evidence, type TracepointFacts,
} from '../src/plugins/api.js';

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
        const e = kb.explainErrno({ errno: s.errno, tracepoint: s.tracepoint, driver: s.driver, mapType: s.mapType });
        evidence.push({ label: where, data: kb.explanationText(e, { tracepoint: s.tracepoint, driver: s.driver }).trim() });
        explained.push(`${e.errno?.name ?? `E${s.errno}`} from ${s.tracepoint}${s.ifname ? ` on ${s.ifname}` : ''}`);
      } else {
        const row = kb.findSignal({ tracepoint: s.tracepoint, errno: s.errno, driver: s.driver, act: s.act, mapType: s.mapType });
        if (row) {
          evidence.push({ label: where, data: `${row.meaning}\nsource: ${row.source}\nfix: ${row.fix}` });
          explained.push(`${s.tracepoint}${s.act !== undefined ? ` act=${s.act}` : ''}`);
        }
      }
    }
    for (const [iface, d] of Object.entries(eth?.deltas ?? {})) {
      for (const [counter, delta] of Object.entries(d)) {
        const meaning = delta > 0 ? kb.counterMeaning(counter, eth?.drivers[iface]) : undefined;
        if (meaning) evidence.push({ label: `ethtool ${iface} ${counter} +${delta}`, data: meaning });
      }
    }
    if (!tp && !eth) return { status: 'skip', summary: 'nothing to explain: the tracepoints and ethtool-stats rungs did not run', evidence, findings: [] };
    if (!evidence.length) return { status: 'pass', summary: 'no errno or XDP error signal was reported during the window', evidence, findings: [] };
    return { status: 'warn', summary: explained.length ? `explained: ${[...new Set(explained)].join('; ')}` : 'explained driver counters', evidence, findings: [] };
  },
});
