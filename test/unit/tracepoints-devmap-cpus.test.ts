// checks/tracepoints.ts: a driver's ENXIO at devmap flush (xdp_devmap_xmit) may be a send-queue count below the CPU
// count, so the rung reads the online CPUs for that event alone and names both numbers to the user — and reads
// nothing for any other event.
import { describe, expect, it } from 'vitest';
import tracepoints from '../../checks/tracepoints.js';
import { fakeExec, fakeFiles } from '../../src/plugins/testing.js';
import { createTools } from '../../src/tools/index.js';
import { INVENTORY, PREFLIGHT, type InventoryFacts } from '../../src/plugins/facts.js';
import type { CheckContext, NetnsRef, ProbeOutcome } from '../../src/engine/types.js';
import { recording } from './helpers/recordings.js';

const LB: NetnsRef = { kind: 'name', name: 'h3-lb' };
const CPU_ONLINE = '/sys/devices/system/cpu/online';
const inventory: InventoryFacts = {
  iface: 'l0', ifindex: 2, netns: LB, mode: 'native', progId: 1637, progName: 'xdp_prog_func', maps: [], kind: 'veth', mtu: 1500,
};
// The tracefs directory as the recorded `bpftrace -l` lists it, and the recorded CPU list of a 2-CPU machine.
const files = {
  ...Object.fromEntries(recording('bpftrace/list-xdp.txt').trim().split('\n').map((l) => [`/sys/kernel/tracing/events/xdp/${l.split(':')[2]}/format`, ''])),
  [CPU_ONLINE]: recording('sys/cpu-online.txt'),
};

// Derived bpftrace output: the attach lines of a recorded run with the maps the given events would have filled, in
// the key layout xdpTraceProgram prints (xdp_devmap_xmit: to_ifindex, errno, act, from_ifindex). No recording of
// a refused devmap flush exists: the lab's NICs are veths, whose ENXIO is the peer's (tracepoints-check.test.ts).
const HEALTHY = recording('bpftrace/xdp-healthy-xdp-tx.stdout.txt').split('\n');
const withMaps = (...maps: string[]) => [
  '{"type": "attached_probes", "data": {"probes": 7}}', '{"type": "printf", "data": "xdp-doctor: probes attached\\n"}',
  ...maps, '{"type": "map", "data": {"@xdp_doctor_attached": 1}}', '{"type": "map", "data": {"@zz_xdp_doctor_end": 1}}',
];
const devmapXmit = (key: string, drops: number, sent: number) => [
  `{"type": "map", "data": {"@xdp_devmap_xmit": {"${key}": 1}}}`,
  `{"type": "map", "data": {"@xdp_devmap_xmit__drops": {"${key}": ${drops}}}}`,
  `{"type": "map", "data": {"@xdp_devmap_xmit__sent": {"${key}": ${sent}}}}`,
];
// Frames l0's program (ifindex 2) redirected through a devmap to ifindex 1, refused with ENXIO. In the recorded links
// of h3-lb ifindex 1 is lo: it stands in for a NIC driver here (not a veth, no XDP program, one TX queue), which is
// all the rung's judgement reads of the device.
const REFUSED = devmapXmit('1,6,4,2', 3, 0);
const FLUSHED = devmapXmit('1,0,4,2', 0, 3);

async function run(stdout: string[]) {
  const fs = fakeFiles(files);
  const exec = fakeExec([
    { argv: ['ip', '-j', '-d', 'link', 'show'], netns: 'h3-lb', stdout: recording('ip/lab-lb-links.json') },
    { argv: ['ethtool', '-i', /.+/], stdout: recording('ethtool/driver-veth-l0.txt') },
    { argv: ['ethtool', '-S', 'l0'], times: 1, stdout: recording('ethtool/veth-l0-before-probe.txt') },
    { argv: ['ethtool', '-S', 'l0'], stdout: recording('ethtool/veth-l0-after-probe-enxio.txt') },
    { argv: (a) => a[0] === 'bpftrace', lines: stdout },
  ]);
  const facts = new Map<string, unknown>([[INVENTORY, inventory], [PREFLIGHT, { tracefs: '/sys/kernel/tracing' }]]);
  const ctx: CheckContext = {
    target: { kind: 'lab', iface: 'l0', netns: LB, hops: [], windowMs: 1000, expect: [] },
    tools: createTools(exec, { files: fs }),
    window: { ready: async (): Promise<ProbeOutcome> => ({ ran: true, ok: false, startedAt: 0, endedAt: 1 }) },
    facts: { get: <T>(k: string) => facts.get(k) as T | undefined, set: (k, v) => { facts.set(k, v); } },
    signal: new AbortController().signal, progress: () => undefined, live: () => undefined, options: {},
    finished: async () => undefined,
  };
  const result = await tracepoints.run(ctx);
  return { result, readCpus: fs.reads.includes(CPU_ONLINE) };
}

describe('tracepoints: ENXIO at devmap flush and the CPU count', () => {
  it('a device with one TX queue on a 2-CPU machine: both counts named, with the fix that gives it a queue per CPU', async () => {
    const { result, readCpus } = await run(withMaps(...REFUSED));
    expect(readCpus).toBe(true);
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('xdp_devmap_xmit err -6 (ENXIO) ×1 on lo');
    // lo has no driver name (ethtool -i is asked for the target's l0 only): none is written after it.
    expect(result.evidence.find((e) => e.label === 'events')!.data).toBe('xdp_devmap_xmit err -6 ENXIO XDP_REDIRECT ×1 drops 3 sent 0 from_ifindex 2 → lo (h3-lb)');
    const f = result.findings[0]!;
    expect(f.message).toMatch(/^xdp:xdp_devmap_xmit err -6 \(ENXIO\) XDP_REDIRECT fired 1× on lo, 3 frame\(s\) dropped: /);
    expect(f.iface).toBe('lo');
    expect(f.message).toContain('; redirected to lo: lo (ifindex 1) refused the redirected frames (ENXIO): it runs no XDP program, ' +
      'and drivers such as virtio_net and i40e take redirected frames only while they run one; it has 1 TX queue(s) for 2 CPUs, ' +
      'and drivers such as i40e and mlx5 pick the XDP send queue by CPU number');
    expect(f.fixes.map((x) => x.title)).toContain('give lo one combined channel per CPU (ethtool -L lo combined 2), or pin the receive side\'s IRQs to CPUs below 1');
  });

  it('the refused flush among healthy XDP_TX flushes: still read, still named', async () => {
    const healthyMaps = HEALTHY.filter((l) => l.includes('"@xdp_bulk_tx'));
    expect(healthyMaps.length).toBeGreaterThan(0);
    const { result, readCpus } = await run(withMaps(...healthyMaps, ...REFUSED));
    expect(readCpus).toBe(true);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.message).toContain('it has 1 TX queue(s) for 2 CPUs');
  });

  it('a flush where the driver took only some frames (err 0, drops): no kb row to quote, the redirect still followed', async () => {
    const { result, readCpus } = await run(withMaps(...devmapXmit('1,0,4,2', 2, 1)));
    expect(readCpus).toBe(false);
    expect(result.summary).toBe('xdp_devmap_xmit ×1 on lo');
    expect(result.findings[0]!.message).toBe('xdp:xdp_devmap_xmit XDP_REDIRECT fired 1× on lo, 2 frame(s) dropped; redirected to lo');
  });

  it('a devmap flush without an error, or an ENXIO of another tracepoint: the CPU list is not read', async () => {
    const flushed = await run(withMaps(...FLUSHED));
    expect(flushed.result.status).toBe('pass');
    expect(flushed.readCpus).toBe(false);
    const bulk = await run(recording('bpftrace/xdp-veth-peer-enxio.stdout.txt').split('\n'));
    expect(bulk.result.summary).toBe('xdp_bulk_tx err -6 (ENXIO) ×3 on l0 (veth)');
    expect(bulk.readCpus).toBe(false);
  });
});
