// checks/tracepoints.ts: which buckets are errors and how they read (isErrorBucket, describeBucket), and the rung's
// words in each outcome, on recorded bpftrace and ethtool output — the cases mutation testing found unheld by
// tracepoints-check.test.ts: a redirect refused with EOPNOTSUPP followed to its target, no tracepoint on the
// kernel, an attach failure with nothing on stderr, a window where nothing fired.
import { describe, expect, it } from 'vitest';
import { parseBpftraceJson, XDP_TRACEPOINTS, xdpBuckets, type XdpTraceBucket } from '../../src/tools/bpftrace.js';
import tracepoints, { describeBucket, isErrorBucket } from '../../checks/tracepoints.js';
import { TRACEPOINTS, type InventoryFacts, type TracepointFacts } from '../../src/plugins/facts.js';
import { parseMap } from '../../src/tools/bpftool.js';
import { evidence, KERNEL_LISTS, rec, scenario, withMaps } from './helpers/tracepoints-scenario.js';

const buckets = (file: string) => xdpBuckets(parseBpftraceJson(rec(`bpftrace/${file}`)), XDP_TRACEPOINTS);

describe('isErrorBucket and describeBucket', () => {
  const [enxio] = buckets('xdp-veth-peer-enxio.stdout.txt') as [XdpTraceBucket];
  const healthy = buckets('xdp-healthy-xdp-tx.stdout.txt');
  const [redirect] = buckets('xdp-devmap-redirect-eopnotsupp.stdout.txt') as [XdpTraceBucket];

  it('an errno, drops, or a tracepoint that only fires on failure is an error; a clean flush is not', () => {
    expect(isErrorBucket(enxio)).toBe(true);
    expect(healthy.length).toBeGreaterThan(0);
    for (const b of healthy) expect(isErrorBucket(b)).toBe(false);
    const clean = healthy[0]!;
    expect(isErrorBucket({ ...clean, fields: { ...clean.fields, drops: 2 } })).toBe(true);
    expect(isErrorBucket({ ...clean, tracepoint: 'xdp_exception' })).toBe(true);
    expect(isErrorBucket({ ...redirect, errno: 0 })).toBe(true);
  });

  it('reads as the event, the errno by name, the action, the count, then every field', () => {
    expect(describeBucket(enxio)).toBe('xdp_bulk_tx err -6 ENXIO XDP_TX ×3 drops 3 sent 0');
    expect(describeBucket(redirect)).toBe('xdp_redirect_err err -95 EOPNOTSUPP XDP_REDIRECT ×3 to_ifindex 4 prog_id 2620 map_id 1960 map_index 0');
    expect(describeBucket({ ...redirect, event: 'xdp_redirect_map_err' })).toMatch(/^xdp_redirect_map_err err -95/);
    expect(describeBucket(healthy[0]!)).toMatch(/^xdp_bulk_tx err 0 XDP_TX ×\d+ drops 0 sent \d+$/);
  });
});

describe('tracepoints rung: the outcomes in words', () => {
  it('a devmap redirect refused with EOPNOTSUPP on l0: followed to its target ifindex 4, the map slot named', async () => {
    // The recorded event carries the id of the program that redirected (2620): that is the target program here.
    const r = await tracepoints.run(scenario({ stdout: rec('bpftrace/xdp-devmap-redirect-eopnotsupp.stdout.txt'), stderr: rec('bpftrace/xdp-devmap-redirect-eopnotsupp.stderr.txt'), progId: 2620 }));
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('xdp_redirect_err err -95 (EOPNOTSUPP) ×3 on l0 (veth)');
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ signal: 'xdp:xdp_redirect_err', errno: { value: 95, name: 'EOPNOTSUPP' }, progId: 2620 });
    expect(f.message).toMatch(/^xdp:xdp_redirect_err err -95 \(EOPNOTSUPP\) XDP_REDIRECT fired 3× on l0 \(veth\): The target cannot take XDP frames/);
    // l0's namespace has no ifindex 4 (lab-lb-links.json): the redirect's target is named missing.
    expect(f.message).toContain('; redirected to ifindex 4 (map id 1960 slot 0): ifindex 4 is not an interface in this namespace: a redirect target must be');
    const ev = evidence(r);
    expect(ev.bpftrace).toMatch(/^\d+ tracepoint\(s\) attached in \d+ ms, one process for the window; harmless: couldn't set RLIMIT_MEMLOCK \(memcg accounts BPF memory since 5\.11\)$/);
    expect(ev.events).toBe('xdp_redirect_err err -95 EOPNOTSUPP XDP_REDIRECT ×3 to_ifindex 4 prog_id 2620 map_id 1960 map_index 0 → l0 (h3-lb, veth)');
    expect(ev['ifindex resolution']).toBe("ifindexes are resolved in the target's namespace (h3-lb) first, then in the peer's (h3-gw). " +
      'ifindexes repeat across namespaces and the tracepoints are machine-wide, so an error is attributed only when its program id matches or the interface\'s own ethtool counters rose with it.');
  });

  it('the redirect\'s map_id names one of the program\'s maps: its type is the signal\'s, so the errno is read for that map type', async () => {
    // The devmap as bpftool recorded it, under the id the recorded event names.
    const devmap = { ...parseMap(rec('bpftool/map-show-devmap.json')), id: 1960 };
    const ctx = scenario({ stdout: rec('bpftrace/xdp-devmap-redirect-eopnotsupp.stdout.txt'), progId: 2620, maps: [devmap] });
    await tracepoints.run(ctx);
    expect(ctx.facts.get<TracepointFacts>(TRACEPOINTS)!.signals.map((x) => [x.tracepoint, x.errno, x.mapType])).toEqual([['xdp_redirect_err', 95, 'devmap']]);
    // Without the map in the inventory the type stays unknown, and the rows without a map type answer.
    const unknown = scenario({ stdout: rec('bpftrace/xdp-devmap-redirect-eopnotsupp.stdout.txt'), progId: 2620 });
    await tracepoints.run(unknown);
    expect(unknown.facts.get<TracepointFacts>(TRACEPOINTS)!.signals[0]!.mapType).toBeUndefined();
  });

  it('nothing fired in the probe: pass, and the words say so', async () => {
    const r = await tracepoints.run(scenario({ stdout: '{"type": "attached_probes", "data": {"probes": 7}}\n{"type": "printf", "data": "xdp-doctor: probes attached\\n"}\n{"type": "map", "data": {"@xdp_doctor_attached": 1}}\n{"type": "map", "data": {"@zz_xdp_doctor_end": 1}}' }));
    expect(r).toMatchObject({ status: 'pass', summary: 'no xdp:* event fired during the probe', findings: [] });
    expect(evidence(r).events).toBe('(no xdp:* event fired)');
  });

  it('no probe ran (a passive window): the words say window', async () => {
    const r = await tracepoints.run(scenario({ stdout: rec('bpftrace/xdp-healthy-xdp-tx.stdout.txt'), probeRan: false }));
    expect(r.summary).toMatch(/^no XDP error reported for the target during the window \(\d+ event\(s\) without errors\)$/);
  });

  it('the kernel lists none of the tracepoints: skip, naming what it lists', async () => {
    const r = await tracepoints.run(scenario({ listed: ['mem_connect', 'mem_disconnect'] }));
    expect(r).toMatchObject({ status: 'skip', summary: 'no xdp:* error tracepoints on this kernel (/sys/kernel/tracing/events/xdp lists mem_connect, mem_disconnect)' });
  });

  it('a tracepoint the kernel lacks is named in the evidence as absent (an alias is not)', async () => {
    const listed = KERNEL_LISTS.filter((n) => n !== 'xdp_devmap_xmit');
    const r = await tracepoints.run(scenario({ stdout: rec('bpftrace/xdp-healthy-xdp-tx.stdout.txt'), listed }));
    expect(evidence(r).bpftrace).toMatch(/; absent on this kernel: xdp_devmap_xmit$/);
    expect(evidence(r).bpftrace).not.toContain('xdp_redirect_map_err');
  });

  it('an attach failure with nothing on stderr: error, the stderr evidence says (empty)', async () => {
    const r = await tracepoints.run(scenario({ attachFails: true }));
    expect(r.status).toBe('error');
    expect(r.summary).toMatch(/^bpftrace could not attach: /);
    expect(evidence(r).stderr).toBe('(empty)');
    expect(evidence(r).program).toContain('tracepoint:xdp:xdp_bulk_tx');
  });

  it('missing kernel headers: skip, the stderr and the install lines as evidence', async () => {
    const stderr = rec('bpftrace/xdp-5.10-no-headers.stderr.txt');
    const r = await tracepoints.run(scenario({ attachFails: true, stderr, osrelease: '5.10.0-32-cloud-amd64\n' }));
    expect(r.status).toBe('skip');
    expect(r.evidence.map((e) => e.label)).toEqual(['stderr', 'install']);
    expect(r.evidence[0]!.data).toBe(stderr.trim());
    expect(r.evidence[0]!.command?.[0]).toBe('bpftrace');
    expect(r.evidence[1]!.data).toBe('Debian/Ubuntu: apt-get install linux-headers-5.10.0-32-cloud-amd64\nFedora/RHEL: dnf install kernel-devel-5.10.0-32-cloud-amd64');
    expect(r.degraded).toBe("bpftrace needs this kernel's headers for the xdp tracepoints (no BTF it can use for them): install\n" +
      '  Debian/Ubuntu: apt-get install linux-headers-5.10.0-32-cloud-amd64\n  Fedora/RHEL: dnf install kernel-devel-5.10.0-32-cloud-amd64');
  });

  it('a program bpftrace refuses: error with its ERROR line, the program and the stderr as evidence', async () => {
    const stderr = rec('bpftrace/no-redirect-map-err.stderr.txt');
    const r = await tracepoints.run(scenario({ attachFails: true, stderr }));
    // The first ERROR line that is not the harmless RLIMIT_MEMLOCK warning (parseBpftraceStderr sorts them).
    expect(r.summary).toBe('bpftrace could not attach: stdin:1:1-36: ERROR: tracepoint not found: xdp:xdp_redirect_map_err');
    expect(r.evidence.map((e) => e.label)).toEqual(['program', 'stderr']);
    expect(r.evidence[1]!.data).toBe(stderr.trim());
    expect(r.findings).toEqual([]);
  });

  it('bpftrace ended before printing its maps: error, its stderr as the evidence', async () => {
    const head = rec('bpftrace/xdp-veth-peer-enxio.stdout.txt').split('\n').slice(0, 2).join('\n');
    const r = await tracepoints.run(scenario({ stdout: head, stderr: rec('bpftrace/xdp-veth-peer-enxio.stderr.txt') }));
    expect(r.summary).toBe('bpftrace ended without printing its maps (exit 0): the counts are lost');
    expect(r.evidence).toEqual([{ label: 'stderr', data: rec('bpftrace/xdp-veth-peer-enxio.stderr.txt').trim(), command: expect.arrayContaining(['bpftrace']) }]);
    expect(r.findings).toEqual([]);
  });

  it('output that cannot be read: error, the excerpt and the program as evidence', async () => {
    const full = rec('bpftrace/xdp-veth-peer-enxio.stdout.txt');
    const r = await tracepoints.run(scenario({ stdout: full.slice(0, full.indexOf('"2,6,3"') + 4) }));
    expect(r.status).toBe('error');
    expect(r.evidence.map((e) => e.label)).toEqual(['stdout excerpt', 'program']);
    expect(String(r.evidence[0]!.data)).toContain('"2,');
    expect(String(r.evidence[1]!.data)).toContain('tracepoint:xdp:xdp_bulk_tx');
  });

  it('ENXIO on l0 whose peer runs an XDP program but is down, or up and refused them: the peer\'s state in the message', async () => {
    const run = (peer: Partial<NonNullable<InventoryFacts['peer']>>) => tracepoints.run(scenario({
      stdout: rec('bpftrace/xdp-veth-peer-enxio.stdout.txt'), l0After: 'veth-l0-after-probe-enxio.txt', peer,
    }));
    const down = await run({ xdp: { progId: 77, mode: 'native' } as never, up: false });
    expect(down.findings[0]!.message).toMatch(/: the veth peer g1 \(netns h3-gw\) is DOWN, so its queue has no NAPI and refuses XDP_TX frames$/);
    const up = await run({ xdp: { progId: 77, mode: 'native' } as never, up: true });
    expect(up.findings[0]!.message).toMatch(/: the veth peer g1 \(netns h3-gw\) runs an XDP program \(id 77\) but refused the frames, so its queue/);
    expect(up.findings[0]).toMatchObject({ cause: 'veth-peer-no-xdp', iface: 'l0', errno: { value: 6, name: 'ENXIO' }, signal: 'xdp:xdp_bulk_tx', progId: 1637 });
    expect(up.evidence.find((e) => e.label === 'xdp_bulk_tx on l0')?.data).toMatch(/^attributed: /);
  });
});

describe('tracepoints rung: the rarer paths', () => {
  it('tracefs lists nothing and neither does bpftrace -l: "lists nothing", naming the last source asked', async () => {
    const r = await tracepoints.run(scenario({ listed: [] }));
    expect(r.summary).toBe('no xdp:* error tracepoints on this kernel (bpftrace -l \'tracepoint:xdp:*\' lists nothing)');
  });

  it('missing headers where the release cannot be read: the install lines say RELEASE', async () => {
    const r = await tracepoints.run(scenario({ attachFails: true, stderr: rec('bpftrace/xdp-5.10-no-headers.stderr.txt') }));
    expect(r.summary).toBe('bpftrace cannot read the xdp tracepoints\' arguments on RELEASE without the kernel\'s headers');
  });

  it('dry run: bpftrace listed, not run, its program the evidence', async () => {
    const r = await tracepoints.run(scenario({ dryRun: true, stdout: withMaps() }));
    expect(r).toEqual({ status: 'skip', summary: 'dry run: bpftrace listed, not run', evidence: [{ label: 'program', data: expect.stringContaining('tracepoint:xdp:xdp_bulk_tx') }], findings: [] });
  });

  it('XDP_ABORTED of the target\'s program (by program id), events lost, a stderr error: all said', async () => {
    const stdout = withMaps('{"type": "map", "data": {"@xdp_exception": {"2,0,0,1637": 2}}}', '{"type": "lost_events", "data": {"events": 5}}');
    const r = await tracepoints.run(scenario({ stdout, stderr: 'WARNING: something harmless\nERROR: a real complaint' }));
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('xdp_exception ×2 on l0 (veth)');
    expect(r.findings[0]!.message).toMatch(/^xdp:xdp_exception XDP_ABORTED fired 2× on l0 \(veth\): /);
    expect(r.findings[0]!.errno).toBeUndefined();
    const ev = evidence(r);
    expect(ev.bpftrace).toMatch(/; harmless: WARNING: something harmless; 5 event\(s\) lost$/);
    expect(ev['bpftrace stderr']).toBe('ERROR: a real complaint');
    expect(ev['xdp_exception on l0']).toBe('attributed: program id 1637 is the target\'s program');
  });

  it('an error of another program: not attributed, listed aside, and the pass says so', async () => {
    const r = await tracepoints.run(scenario({ stdout: withMaps('{"type": "map", "data": {"@xdp_exception": {"2,0,0,999": 1}}}') }));
    expect(r).toMatchObject({ status: 'pass', findings: [], summary: 'no XDP error reported for the target during the probe (0 event(s) without errors; 1 error bucket(s) from other namespaces or programs not attributed)' });
    const ev = evidence(r);
    expect(ev.events).toBe('xdp_exception err 0 XDP_ABORTED ×1 prog_id 999 → ifindex 2 [not ours]');
    expect(ev['not attributed (other namespaces or programs)']).toBe('xdp_exception err 0 XDP_ABORTED ×1 prog_id 999: program id 999 is not the target\'s program (1637)');
  });

  it('a cpumap enqueue that dropped frames, by a map of the target\'s program: "no interface" never, drops counted', async () => {
    const stdout = withMaps('{"type": "map", "data": {"@xdp_cpumap_enqueue": {"0,0,4,55": 4}}}', '{"type": "map", "data": {"@xdp_cpumap_enqueue__drops": {"0,0,4,55": 3}}}',
      '{"type": "map", "data": {"@xdp_cpumap_enqueue__processed": {"0,0,4,55": 1}}}');
    const ctx = scenario({ stdout, maps: [{ id: 55, name: 'cpu_map', type: 'cpumap' } as never] });
    const ours = await tracepoints.run(ctx);
    // A map's kind is read for redirect events only: the cpumap id here does not make the signal a cpumap redirect.
    expect(ctx.facts.get<TracepointFacts>(TRACEPOINTS)!.signals[0]!.mapType).toBeUndefined();
    expect(ours.status).toBe('fail');
    expect(ours.findings[0]!.message).toMatch(/^xdp:xdp_cpumap_enqueue XDP_REDIRECT fired 4× on l0 \(veth\), 3 frame\(s\) dropped/);
    const theirs = await tracepoints.run(scenario({ stdout }));
    expect(evidence(theirs).events).toBe('xdp_cpumap_enqueue err 0 XDP_REDIRECT ×4 drops 3 processed 1 map_id 55 → no interface [not ours]');
  });

  it('a redirect refused through a map of the target\'s program: the map named by its name', async () => {
    const r = await tracepoints.run(scenario({ stdout: rec('bpftrace/xdp-devmap-redirect-eopnotsupp.stdout.txt'), progId: 2620, maps: [{ id: 1960, name: 'tx_port', type: 'devmap' } as never] }));
    expect(r.findings[0]!.message).toContain('; redirected to ifindex 4 (tx_port');
  });

  it('no veth peer: ifindexes resolved in the target\'s namespace only', async () => {
    const r = await tracepoints.run(scenario({ stdout: rec('bpftrace/xdp-healthy-xdp-tx.stdout.txt'), peer: null }));
    expect(evidence(r)['ifindex resolution']).toMatch(/^ifindexes are resolved in the target's namespace \(h3-lb\) first\. /);
  });

  it('an ordinary run in words: progress and live lines, attach time, every event on its own line, nothing aside', async () => {
    const ctx = scenario({ stdout: rec('bpftrace/xdp-veth-peer-enxio.stdout.txt'), l0After: 'veth-l0-after-probe-enxio.txt' });
    const said: string[] = [];
    ctx.progress = (m) => { said.push(m); };
    ctx.live = (l) => { said.push(l); };
    const r = await tracepoints.run(ctx);
    expect(said[0]).toBe('compiling and attaching bpftrace to 6 xdp tracepoints');
    expect(said[1]).toMatch(/^bpftrace: 6 xdp tracepoints attached in \d{1,5} ms$/);
    const ev = evidence(r);
    expect(ev.bpftrace).toMatch(/^6 tracepoint\(s\) attached in \d{1,5} ms, one process for the window$/);
    expect(ev.events!.split('\n')).toHaveLength(2);
    expect(Object.keys(ev)).not.toContain('bpftrace stderr');
    expect(Object.keys(ev)).not.toContain('not attributed (other namespaces or programs)');
  });

  it('two tracepoints absent, named with commas; nothing fired in a passive window', async () => {
    const listed = KERNEL_LISTS.filter((n) => n !== 'xdp_devmap_xmit' && n !== 'xdp_cpumap_kthread');
    const r = await tracepoints.run(scenario({ stdout: withMaps(), listed, probeRan: false }));
    expect(evidence(r).bpftrace).toMatch(/; absent on this kernel: xdp_devmap_xmit, xdp_cpumap_kthread$/);
    expect(r.summary).toBe('no xdp:* event fired during the window');
  });

  it('maps never printed and nothing on stderr: the evidence says (empty)', async () => {
    const head = rec('bpftrace/xdp-veth-peer-enxio.stdout.txt').split('\n').slice(0, 2).join('\n');
    const r = await tracepoints.run(scenario({ stdout: head }));
    expect(evidence(r).stderr).toBe('(empty)');
  });
});
