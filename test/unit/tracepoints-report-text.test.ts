// checks/tracepoints.ts: the words of the rung's report when there is more than one of something — two error
// buckets of the target, two of other programs, several stderr lines — and when a fact or a line is missing:
// no preflight fact, a compiler diagnostic before bpftrace's ERROR line, a bpftrace that exited 1 before printing.
import { describe, expect, it } from 'vitest';
import tracepoints from '../../checks/tracepoints.js';
import { evidence, KERNEL_LISTS, rec, scenario, withMaps } from './helpers/tracepoints-scenario.js';

const ENXIO = rec('bpftrace/xdp-veth-peer-enxio.stdout.txt');
const ENXIO_MAPS = ENXIO.split('\n').filter((l) => l.includes('"@xdp_bulk_tx'));
const exception = (key: string, count: number) => `{"type": "map", "data": {"@xdp_exception": {"${key}": ${count}}}}`;

describe('tracepoints: more than one of something', () => {
  it('two error buckets of the target: both in the summary, one finding each', async () => {
    // Derived: the recorded ENXIO flush of l0 and an XDP_ABORTED of its program (id 1637) in one window.
    const r = await tracepoints.run(scenario({ stdout: withMaps(...ENXIO_MAPS, exception('2,0,0,1637', 2)), l0After: 'veth-l0-after-probe-enxio.txt' }));
    expect(r.summary).toBe('xdp_bulk_tx err -6 (ENXIO) ×3 on l0 (veth); xdp_exception ×2 on l0 (veth)');
    expect(r.findings.map((f) => f.signal)).toEqual(['xdp:xdp_bulk_tx', 'xdp:xdp_exception']);
    // XDP_ABORTED is no redirect: nothing followed, nothing to run.
    const aborted = r.findings[1]!;
    expect(aborted.message).toMatch(/^xdp:xdp_exception XDP_ABORTED fired 2× on l0 \(veth\): /);
    expect(aborted.message).not.toContain('redirected to');
    expect(aborted.fixes).toEqual([]);
  });

  it('two error buckets of other programs: each on its own line aside, and counted in the pass', async () => {
    // Derived: one map line with two keys, as bpftrace prints a map; buckets read largest count first.
    const stdout = withMaps('{"type": "map", "data": {"@xdp_exception": {"2,0,0,998": 1, "2,0,0,999": 4}}}');
    const r = await tracepoints.run(scenario({ stdout }));
    expect(r.summary).toBe('no XDP error reported for the target during the probe (0 event(s) without errors; 2 error bucket(s) from other namespaces or programs not attributed)');
    expect(evidence(r)['not attributed (other namespaces or programs)']).toBe(
      'xdp_exception err 0 XDP_ABORTED ×4 prog_id 999: program id 999 is not the target\'s program (1637)\n' +
      'xdp_exception err 0 XDP_ABORTED ×1 prog_id 998: program id 998 is not the target\'s program (1637)');
  });

  it('several harmless warnings are joined with "; ", and of many stderr errors the first ten are kept, one a line', async () => {
    // Derived stderr: the recorded RLIMIT_MEMLOCK complaint, a bpftrace WARNING and twelve error lines.
    const errors = Array.from({ length: 12 }, (_, i) => `ERROR: complaint ${i + 1}`);
    const stderr = [rec('bpftrace/xdp-veth-peer-enxio.stderr.txt').trim(), 'WARNING: something harmless', ...errors].join('\n');
    const r = await tracepoints.run(scenario({ stdout: rec('bpftrace/xdp-healthy-xdp-tx.stdout.txt'), stderr }));
    const ev = evidence(r);
    expect(ev.bpftrace).toMatch(/; harmless: couldn't set RLIMIT_MEMLOCK \(memcg accounts BPF memory since 5\.11\); WARNING: something harmless$/);
    expect(ev['bpftrace stderr']).toBe(errors.slice(0, 10).join('\n'));
  });

  it('an event of the peer in the host namespace: "host" where a namespace name would be', async () => {
    // Derived maps as in tracepoints-redirects.test.ts (ENXIO flushing towards g2 from g1's xdp_pass), with the peer's
    // links those recorded in h3-gw, read here as the host's.
    const stdout = withMaps('{"type": "map", "data": {"@xdp_devmap_xmit": {"4,6,4,3": 1}}}');
    const r = await tracepoints.run(scenario({ stdout, gwLinks: 'lab-gw-links-peer-xdp-pass.json', peer: { netns: undefined, netnsName: undefined, xdp: { progId: 676, mode: 'native' } } }));
    const ev = evidence(r);
    expect(ev.events).toBe('xdp_devmap_xmit err -6 ENXIO XDP_REDIRECT ×1 from_ifindex 3 → g2 (host, veth)');
    expect(ev['ifindex resolution']).toMatch(/^ifindexes are resolved in the target's namespace \(h3-lb\) first, then in the peer's \(host\)\. /);
  });
});

describe('tracepoints: a fact or a line missing', () => {
  it('no preflight fact: the tracepoints are listed with bpftrace -l, and the run goes on', async () => {
    const r = await tracepoints.run(scenario({ stdout: rec('bpftrace/xdp-healthy-xdp-tx.stdout.txt'), noPreflight: true }));
    expect(r.status).toBe('pass');
    expect(r.summary).toBe('no XDP error reported for the target during the probe (6 event(s) without errors)');
  });

  it('no tracepoint listed: skip with no evidence and no finding', async () => {
    const r = await tracepoints.run(scenario({ listed: KERNEL_LISTS.filter((n) => !n.startsWith('xdp_')) }));
    expect(r).toEqual({
      status: 'skip', evidence: [], findings: [],
      summary: 'no xdp:* error tracepoints on this kernel (/sys/kernel/tracing/events/xdp lists bpf_xdp_link_attach_failed, mem_connect, mem_disconnect)',
    });
  });

  it('a compiler diagnostic before bpftrace\'s ERROR line: the summary quotes the ERROR line', async () => {
    // Derived stderr: the recorded 5.10 compile errors come before bpftrace's own ERROR line; here that line is
    // the recorded "tracepoint not found" instead of the missing-headers one (which the rung skips on).
    const clang = rec('bpftrace/xdp-5.10-no-headers.stderr.txt').split('\n').filter((l) => l.startsWith('definitions.h'));
    const refused = rec('bpftrace/no-redirect-map-err.stderr.txt').split('\n').find((l) => l.startsWith('stdin:'))!;
    const r = await tracepoints.run(scenario({ attachFails: true, stderr: [...clang, refused].join('\n') }));
    expect(r.summary).toBe('bpftrace could not attach: stdin:1:1-36: ERROR: tracepoint not found: xdp:xdp_redirect_map_err');
  });

  it('bpftrace attached, then exited 1 before printing its maps: the exit code is named', async () => {
    const head = ENXIO.split('\n').slice(0, 2).join('\n');
    const r = await tracepoints.run(scenario({ stdout: head, attachFails: true }));
    expect(r.summary).toBe('bpftrace ended without printing its maps (exit 1): the counts are lost');
  });

  it('output that cannot be read: error, with no finding', async () => {
    const r = await tracepoints.run(scenario({ stdout: ENXIO.slice(0, ENXIO.indexOf('"2,6,3"') + 4) }));
    expect(r.status).toBe('error');
    expect(r.findings).toEqual([]);
  });
});
