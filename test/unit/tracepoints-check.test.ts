// checks/tracepoints.ts over recorded lab output (bpftrace 0.17 -f json, ip -j -d link, ethtool -S before and
// after a probe): attribution of machine-wide xdp:* events to the target, the veth-peer finding, and the
// error paths (truncated bpftrace output, a program bpftrace refuses) — no root, no kernel.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CheckContext, CheckResult, NetnsRef, ProbeOutcome } from '../../src/engine/types.js';
import { fakeExec, fakeFiles } from '../../src/plugins/testing.js';
import type { Files } from '../../src/tools/files.js';
import { createTools } from '../../src/tools/index.js';
import tracepoints from '../../checks/tracepoints.js';
import { INVENTORY, PREFLIGHT, TRACEPOINTS, type InventoryFacts, type TracepointFacts } from '../../src/plugins/facts.js';

const rec = (path: string) => readFileSync(fileURLToPath(new URL(`../recordings/${path}`, import.meta.url)), 'utf8');
const LB: NetnsRef = { kind: 'name', name: 'h3-lb' };
const GW: NetnsRef = { kind: 'name', name: 'h3-gw' };

const inventory: InventoryFacts = {
  iface: 'l0', ifindex: 2, netns: LB, mode: 'native', progId: 1637, progName: 'xdp_prog_func', maps: [], kind: 'veth', mtu: 1500,
  peer: { ifname: 'g1', ifindex: 3, netns: GW, netnsName: 'h3-gw', up: true, gro: false, mtu: 1500 },
};

interface Scenario {
  /** ethtool -S l0: [before, after]. */
  l0: [string, string];
  bpftraceStdout?: string;
  bpftraceStderr?: string;
  attachFails?: boolean;
}

function scenario(s: Scenario) {
  const [before, after] = s.l0;
  const exec = fakeExec([
    { argv: ['ip', '-j', '-d', 'link', 'show'], netns: 'h3-lb', stdout: rec('ip/lab-lb-links.json') },
    { argv: ['ip', '-j', '-d', 'link', 'show'], stdout: rec('ip/lab-gw-links-peer-no-xdp.json') },
    { argv: ['ethtool', '-i', /.+/], stdout: rec('ethtool/driver-veth-l0.txt') },
    { argv: ['ethtool', '-S', 'l0'], times: 1, stdout: rec(`ethtool/${before}`) },
    { argv: ['ethtool', '-S', 'l0'], stdout: rec(`ethtool/${after}`) },
    { argv: ['ethtool', '-S', 'g1'], stdout: rec('ethtool/veth-g1-peer-no-xdp.txt') },
    {
      argv: (argv) => argv[0] === 'bpftrace', exitCode: s.attachFails ? 1 : 0,
      lines: s.bpftraceStdout?.split('\n') ?? [], stderrLines: s.bpftraceStderr?.split('\n') ?? [],
    },
  ]);
  const files: Files = {
    ...fakeFiles(), exists: async () => true,
    list: async (dir) => (dir === '/sys/kernel/tracing/events/xdp' ? rec('bpftrace/list-xdp.txt').trim().split('\n').map((l) => l.split(':')[2]!) : []),
  };
  const facts = new Map<string, unknown>([[INVENTORY, inventory], [PREFLIGHT, { tracefs: '/sys/kernel/tracing' }]]);
  let windowCalls = 0;
  const ctx: CheckContext = {
    target: { kind: 'lab', iface: 'l0', netns: LB, hops: [], windowMs: 1000, expect: [] },
    tools: createTools(exec, { files }),
    window: { ready: async (): Promise<ProbeOutcome> => { windowCalls++; return { ran: true, ok: false, startedAt: 0, endedAt: 1 }; } },
    facts: { get: <T>(k: string) => facts.get(k) as T | undefined, set: (k, v) => { facts.set(k, v); } },
    signal: new AbortController().signal,
    progress: () => undefined, live: () => undefined, options: {},
    finished: async () => undefined,
  };
  return { ctx, facts, windowCalls: () => windowCalls };
}

describe('tracepoints rung: the first error, live, for the window', () => {
  it('the recorded first ENXIO on ifindex 2 is told to the window as l0\'s (the program\'s device in the target\'s namespace)', async () => {
    const s = scenario({
      l0: ['veth-l0-before-probe.txt', 'veth-l0-after-probe-enxio.txt'],
      bpftraceStdout: rec('bpftrace/xdp-veth-peer-first-error.stdout.txt'),
    });
    const seen: unknown[] = [];
    s.ctx.window.saw = (x) => { seen.push(x); };
    const r = await tracepoints.run(s.ctx);
    expect(seen).toEqual([{ kind: 'signal', source: 'xdp-error', what: 'xdp:xdp_bulk_tx err -6 on l0' }]);
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('xdp_bulk_tx err -6 (ENXIO) ×1 on l0 (veth)');
  });

  it('a window that takes no sightings (no live story): the first error is not told, the rung fails on the counts as before', async () => {
    const s = scenario({
      l0: ['veth-l0-before-probe.txt', 'veth-l0-after-probe-enxio.txt'],
      bpftraceStdout: rec('bpftrace/xdp-veth-peer-first-error.stdout.txt'),
    });
    expect(s.ctx.window.saw).toBeUndefined();
    const r = await tracepoints.run(s.ctx);
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('xdp_bulk_tx err -6 (ENXIO) ×1 on l0 (veth)');
  });
});

describe('tracepoints rung', () => {
  it('fails with veth-peer-no-xdp (ENXIO, peer g1, three fixes) when l0\'s own counters rose with the events', async () => {
    const s = scenario({
      l0: ['veth-l0-before-probe.txt', 'veth-l0-after-probe-enxio.txt'],
      bpftraceStdout: rec('bpftrace/xdp-veth-peer-enxio.stdout.txt'), bpftraceStderr: rec('bpftrace/xdp-veth-peer-enxio.stderr.txt'),
    });
    const r: CheckResult = await tracepoints.run(s.ctx);
    expect(s.windowCalls()).toBe(1);
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('xdp_bulk_tx err -6 (ENXIO) ×3 on l0 (veth)');
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ cause: 'veth-peer-no-xdp', errno: { value: 6, name: 'ENXIO' }, iface: 'l0', signal: 'xdp:xdp_bulk_tx', progId: 1637 });
    expect(f.message).toContain('veth peer g1 (netns h3-gw) has no XDP program');
    expect(f.fixes).toHaveLength(3);
    expect(f.fixes[0]!.netns).toEqual(GW);
    const facts = s.facts.get(TRACEPOINTS) as TracepointFacts;
    expect(facts.signals).toEqual([{
      tracepoint: 'xdp_bulk_tx', errno: 6, act: 3, ifindex: 2, ifname: 'l0', driver: 'veth', count: 3, fields: { drops: 3, sent: 0 },
    }]);
    const ev = Object.fromEntries(r.evidence.map((e) => [e.label, String(e.data)]));
    expect(ev['xdp_bulk_tx on l0']).toContain('xdp_tx_errors +3');
    expect(ev.bpftrace).toContain("couldn't set RLIMIT_MEMLOCK");
    expect(ev['ifindex resolution']).toContain('ifindexes repeat across namespaces');
  });

  it('does not blame l0 for ENXIO from another namespace\'s ifindex 2 when l0\'s counters did not move', async () => {
    const s = scenario({
      l0: ['veth-l0-after-probe-enxio.txt', 'veth-l0-after-probe-enxio.txt'],
      bpftraceStdout: rec('bpftrace/xdp-veth-peer-enxio.stdout.txt'),
    });
    const r = await tracepoints.run(s.ctx);
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([]);
    expect((s.facts.get(TRACEPOINTS) as TracepointFacts).signals).toEqual([]);
    const ev = Object.fromEntries(r.evidence.map((e) => [e.label, String(e.data)]));
    // The gw namespace has an ifindex 2 too (g0), but it runs no XDP program.
    expect(ev['not attributed (other namespaces or programs)']).toMatch(/l0 in h3-lb: its xdp_tx_errors did not rise.*g0 in h3-gw runs no XDP program/);
  });

  it('passes when only healthy XDP_TX flushes fired', async () => {
    const s = scenario({ l0: ['veth-l0-before-probe.txt', 'veth-l0-before-probe.txt'], bpftraceStdout: rec('bpftrace/xdp-healthy-xdp-tx.stdout.txt') });
    const r = await tracepoints.run(s.ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toContain('6 event(s) without errors');
  });

  it('reports truncated bpftrace output as error with the excerpt, not a crash', async () => {
    const full = rec('bpftrace/xdp-veth-peer-enxio.stdout.txt');
    const s = scenario({ l0: ['veth-l0-before-probe.txt', 'veth-l0-before-probe.txt'], bpftraceStdout: full.slice(0, full.indexOf('"2,6,3"') + 4) });
    const r = await tracepoints.run(s.ctx);
    expect(r.status).toBe('error');
    expect(r.summary).toMatch(/^bpftrace output could not be read: bpftrace: unexpected output/);
  });

  it('reports a bpftrace killed before it printed its maps as error, not as "nothing fired"', async () => {
    const head = rec('bpftrace/xdp-veth-peer-enxio.stdout.txt').split('\n').slice(0, 2).join('\n');
    const s = scenario({ l0: ['veth-l0-before-probe.txt', 'veth-l0-before-probe.txt'], bpftraceStdout: head });
    const r = await tracepoints.run(s.ctx);
    expect(r.status).toBe('error');
    expect(r.summary).toMatch(/without printing its maps/);
  });

  it('reports a program bpftrace refuses as error with its message, without joining the window', async () => {
    const s = scenario({ l0: ['veth-l0-before-probe.txt', 'veth-l0-before-probe.txt'], attachFails: true, bpftraceStderr: rec('bpftrace/no-redirect-map-err.stderr.txt') });
    const r = await tracepoints.run(s.ctx);
    expect(r.status).toBe('error');
    expect(r.summary).toContain('ERROR: tracepoint not found: xdp:xdp_redirect_map_err');
    expect(s.windowCalls()).toBe(0);
  });

  it('skips with the install lines when bpftrace needs the kernel headers (recorded on 5.10 without them)', async () => {
    const s = scenario({ l0: ['veth-l0-before-probe.txt', 'veth-l0-before-probe.txt'], attachFails: true, bpftraceStderr: rec('bpftrace/xdp-5.10-no-headers.stderr.txt') });
    s.ctx.tools.files.read = async (p) => (p === '/proc/sys/kernel/osrelease' ? '5.10.0-32-cloud-amd64\n' : undefined);
    const r = await tracepoints.run(s.ctx);
    expect(r.status).toBe('skip');
    expect(r.summary).toBe("bpftrace cannot read the xdp tracepoints' arguments on 5.10.0-32-cloud-amd64 without the kernel's headers");
    expect(r.degraded).toContain('Debian/Ubuntu: apt-get install linux-headers-5.10.0-32-cloud-amd64');
    expect(r.degraded).toContain('Fedora/RHEL: dnf install kernel-devel-5.10.0-32-cloud-amd64');
    expect(r.findings).toEqual([]);
    expect(s.windowCalls()).toBe(0);
  });
});
