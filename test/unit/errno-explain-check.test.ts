// checks/errno-explain.ts run() through the check tester. Its input is what the tracepoints and ethtool-stats rungs
// published; the veth-peer facts below are those the tracepoints rung publishes on the recorded lab run
// (tracepoints-check.test.ts asserts them from bpftrace's and ethtool's recorded output).
import { describe, expect, it } from 'vitest';
import errnoExplain from '../../checks/errno-explain.js';
import { runCheck } from '../../src/plugins/testing.js';
import { ETHTOOL, TRACEPOINTS, type EthtoolFacts, type TracepointFacts } from '../../src/plugins/facts.js';

const ENXIO_ON_L0 = { tracepoint: 'xdp_bulk_tx', errno: 6, act: 3, ifindex: 2, ifname: 'l0', driver: 'veth', count: 3, fields: { drops: 3, sent: 0 } };
const run = (tp?: TracepointFacts, eth?: EthtoolFacts) =>
  runCheck(errnoExplain, { facts: { ...(tp ? { [TRACEPOINTS]: tp } : {}), ...(eth ? { [ETHTOOL]: eth } : {}) } }).then((r) => r.result);

describe('errno-explain rung', () => {
  it('ENXIO from xdp_bulk_tx on a veth: the veth source line, the peer fix, warn (the explanation, not a verdict)', async () => {
    const r = await run({ signals: [ENXIO_ON_L0] });
    expect(r.status).toBe('warn');
    expect(r.summary).toBe('explained: ENXIO from xdp_bulk_tx on l0');
    expect(r.findings).toEqual([]);
    expect(r.evidence.map((e) => e.label)).toEqual(['xdp:xdp_bulk_tx on l0 (veth) ×3']);
    const text = String(r.evidence[0]!.data);
    expect(text).toMatch(/^ENXIO \(errno 6, reported as -6\): No such device or address\n/);
    expect(text).toContain('In xdp:xdp_bulk_tx on veth');
    expect(text).toContain('drivers/net/veth.c veth_xdp_flush_bq() → veth_xdp_xmit()');
    expect(text).toContain('attach a dummy XDP_PASS program to the peer');
  });

  it('a signal without errno is explained by its kb row (action), and one with no row says nothing', async () => {
    const r = await run({ signals: [{ tracepoint: 'xdp_exception', act: 0, ifindex: 7, count: 2 }, { tracepoint: 'xdp_cpumap_kthread', count: 1 }] });
    expect(r.summary).toBe('explained: xdp_exception act=0');
    expect(r.evidence).toEqual([{
      label: 'xdp:xdp_exception on ifindex 7 ×2',
      data: "The program returned XDP_ABORTED (0), or a bpf_redirect_map() lookup failed with flags 0.\nsource: drivers' XDP_ABORTED case → trace_xdp_exception()\nfix: fix the program; pass a fallback action in the redirect_map flags",
    }]);
  });

  it('an errno with no interface: "ifindex ?", the generic row; repeated explanations are listed once', async () => {
    const einval = { tracepoint: 'xdp_redirect_err', errno: 22, count: 1 };
    const r = await run({ signals: [einval, { ...einval, count: 4 }] });
    expect(r.summary).toBe('explained: EINVAL from xdp_redirect_err');
    expect(r.evidence.map((e) => e.label)).toEqual(['xdp:xdp_redirect_err on ifindex ? ×1', 'xdp:xdp_redirect_err on ifindex ? ×4']);
    expect(String(r.evidence[0]!.data)).toContain('net/core/filter.c __xdp_do_redirect_frame()');
  });

  it('driver counters: only those that rose and that the kb knows, on the driver of that interface', async () => {
    const r = await run(undefined, { deltas: { l0: { xdp_tx_errors: 3, xdp_tx: 5, rx_packets: 9 }, g1: { xdp_tx_errors: 0 } }, drivers: { l0: 'veth' } });
    expect(r.status).toBe('warn');
    expect(r.summary).toBe('explained driver counters');
    expect(r.evidence.map((e) => e.label)).toEqual(['ethtool l0 xdp_tx_errors +3']);
    expect(String(r.evidence[0]!.data)).toMatch(/^veth counts every XDP_TX frame the peer refused in rx_queue_N_xdp_tx_errors/);
  });

  it('the errno and the counter together: the summary names the errno', async () => {
    const r = await run({ signals: [ENXIO_ON_L0] }, { deltas: { l0: { xdp_tx_errors: 3 } }, drivers: { l0: 'veth' } });
    expect(r.summary).toBe('explained: ENXIO from xdp_bulk_tx on l0');
    expect(r.evidence.map((e) => e.label)).toEqual(['xdp:xdp_bulk_tx on l0 (veth) ×3', 'ethtool l0 xdp_tx_errors +3']);
  });

  it('rungs ran and saw nothing to explain: pass', async () => {
    const r = await run({ signals: [] }, { deltas: { l0: { xdp_tx: 4 } }, drivers: { l0: 'veth' } });
    expect(r).toMatchObject({ status: 'pass', summary: 'no errno or XDP error signal was reported during the window', evidence: [] });
    expect((await run({ signals: [] })).status).toBe('pass');
    expect((await run(undefined, { deltas: {}, drivers: {} })).status).toBe('pass');
  });

  it('neither rung ran: skip, saying why', async () => {
    expect(await run()).toMatchObject({ status: 'skip', summary: 'nothing to explain: the tracepoints and ethtool-stats rungs did not run' });
  });
});
