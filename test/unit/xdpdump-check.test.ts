// checks/xdpdump.ts over a fake Exec that answers with what the real tools did on the lab: xdpdump's EPERM
// (recorded), a tcpdump -w capture of g1's egress (recorded pcap) and bpftool prog run's verdict (recorded
// stdout; the output packet is the one the LB really produced, from the healthy exit pcap).
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import xdpdumpCheck, { REPLAY_LIMITS, sizeChanges, verdictCounts } from '../../checks/xdpdump.js';
import { INVENTORY, PREFLIGHT, XDPDUMP, type InventoryFacts, type PreflightFacts, type XdpdumpFacts } from '../../src/plugins/facts.js';
import type { CheckContext, ProbeOutcome } from '../../src/engine/types.js';
import { fakeExec, type Recording } from '../../src/plugins/testing.js';
import { createTools } from '../../src/tools/index.js';
import { readPcap } from '../../src/tools/pcap.js';

const recording = (path: string) => readFileSync(fileURLToPath(new URL(`../recordings/${path}`, import.meta.url)), 'utf8');

const pcapPath = (name: string) => fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url));
const lines = (path: string) => recording(path).split('\n').filter(Boolean);
const LB_OUT = readPcap(readFileSync(pcapPath('healthy-exit-replay.pcap'))).packets[0]!.data; // 94 bytes, XDP_TX

interface Script {
  xdpdump?: 'eperm' | 'attached';
  capture?: string | 'empty' | 'fails';
  retval?: number;
}

/** What the tools did on the lab, as recordings: the collectors attach (or fail) as the real ones did. */
function fakeTools(s: Script) {
  const xdpdump: Recording = s.xdpdump === 'attached'
    ? { argv: (argv) => argv[0] === 'xdpdump', lines: lines('xdpdump/blog-entry-exit.txt'), stderrLines: ['listening on l0, ingress XDP program ID 633 func xdp_prog_func, capture mode entry/exit, capture size 262144 bytes'] }
    : { argv: (argv) => argv[0] === 'xdpdump', exitCode: 1, stderrLines: lines('xdpdump/entry-exit-eperm-stderr.txt') };
  // tcpdump -w FILE: the capture file appears when it is stopped.
  const tcpdump: Recording = s.capture === 'fails'
    ? { argv: (argv) => argv[0] === 'tcpdump', exitCode: 1, stderrLines: ['tcpdump: g1: No such device exists'] }
    : {
      argv: (argv) => argv[0] === 'tcpdump', stderrLines: lines('xdpdump/ingress-capture-tcpdump-stderr.txt'),
      effect: (argv) => {
        const file = argv[argv.indexOf('-w') + 1]!;
        if (s.capture === 'empty') writeFileSync(file, readFileSync(pcapPath('g1-out-syn.pcap')).subarray(0, 24));
        else copyFileSync(pcapPath(s.capture ?? 'g1-out-syn.pcap'), file);
      },
    };
  // bpftool prog run: the verdict on stdout, the output packet in data_out.
  const progRun: Recording = {
    argv: (argv) => argv.slice(0, 3).join(' ') === 'bpftool prog run',
    stdout: s.retval === undefined ? recording('bpftool/prog-run.txt') : `Return value: ${s.retval}, duration: 1000ns\n`,
    effect: (argv) => {
      const input = readFileSync(argv[argv.indexOf('data_in') + 1]!);
      writeFileSync(argv[argv.indexOf('data_out') + 1]!, s.retval === 3 || s.retval === undefined ? LB_OUT : input);
    },
  };
  const exec = fakeExec([xdpdump, tcpdump, progRun]);
  const argvs = (kind: 'run' | 'spawn') => exec.calls.filter((c) => c.kind === kind).map((c) => c.argv);
  return { exec, runs: () => argvs('run'), spawns: () => argvs('spawn') };
}

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'xdpd-ut-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const PRE: PreflightFacts = { root: true, bpffs: true, btf: true, fentry: false, fentryError: 'Operation not permitted', tools: { xdpdump: '1.3.1', tcpdump: '4.99.3' } };
const INV: InventoryFacts = {
  iface: 'l0', ifindex: 2, netns: { kind: 'name', name: 'h4-lb' }, mode: 'native', progId: 633, progName: 'xdp_prog_func', maps: [],
  peer: { ifname: 'g1', ifindex: 3, netns: { kind: 'name', name: 'h4-gw' }, netnsName: 'h4-gw', up: true, xdp: { mode: 'native', progId: 620, progName: 'xdp_pass' } },
};

function context(s: Script, facts: Record<string, unknown> = { [PREFLIGHT]: PRE, [INVENTORY]: INV }) {
  const t = fakeTools(s);
  const store = new Map(Object.entries(facts));
  let windowCalls = 0;
  const ctx: CheckContext = {
    target: { kind: 'lab', iface: 'l0', netns: { kind: 'name', name: 'h4-lb' }, hops: [], windowMs: 3000, expect: [], artifactDir: dir, captureFilter: ['tcp', 'port', '50002'] },
    tools: createTools(t.exec),
    window: { ready: async (): Promise<ProbeOutcome> => { windowCalls++; return { ran: true, ok: false, startedAt: 0, endedAt: 1, exitCode: 1 }; } },
    facts: { get: (k) => store.get(k) as never, set: (k, v) => { store.set(k, v); } },
    signal: new AbortController().signal,
    progress: () => undefined,
    live: () => undefined,
    options: {},
    finished: async () => undefined,
  };
  return { ctx, ...t, store, windowCalls: () => windowCalls };
}

describe('xdpdump rung, fallback (xdpdump cannot attach: EPERM)', () => {
  it("quotes xdpdump's error, replays the captured SYNs through the loaded program: XDP_TX, 74 → 94 bytes", async () => {
    const c = context({});
    const r = await xdpdumpCheck.run(c.ctx);
    expect(r.status).toBe('warn');
    expect(r.findings).toEqual([]);
    expect(r.summary).toMatch(/^2 packet\(s\): XDP_TX ×2, 74 → 94 bytes — replayed through BPF_PROG_TEST_RUN \(xdpdump cannot attach: Can't load eBPF object: Operation not permitted\(-1\)\)/);
    expect(r.degraded).toContain(`xdpdump cannot attach to xdp_prog_func (id 633): "ERROR: Can't load eBPF object: Operation not permitted(-1)"`);
    expect(r.degraded).toContain('(preflight: fentry load Operation not permitted)');
    for (const limit of REPLAY_LIMITS) expect(r.degraded).toContain(limit);
    expect(c.windowCalls()).toBe(1);

    expect(c.spawns()[0]).toEqual(['xdpdump', '-i', 'l0', '--rx-capture', 'entry,exit', '-x']);
    expect(c.spawns()[1]).toEqual(['tcpdump', '-i', 'g1', '-Q', 'out', '-n', '--immediate-mode', '-U', '-Z', 'root', '-s', '262144', '-w', join(dir, 'ingress-capture.pcap'), '-c', '256', 'tcp', 'port', '50002']);
    expect(c.runs().map((a) => a.slice(0, 5))).toEqual([['bpftool', 'prog', 'run', 'id', '633'], ['bpftool', 'prog', 'run', 'id', '633']]);
    expect(c.runs().every((a) => !a.includes('repeat'))).toBe(true);

    const facts = c.store.get(XDPDUMP) as XdpdumpFacts;
    expect(facts).toEqual({
      mode: 'replay', entryPcap: join(dir, 'entry.pcap'), exitPcap: join(dir, 'exit.pcap'),
      verdicts: [1, 2].map((index) => ({ index, inLen: 74, outLen: 94, action: 'XDP_TX', dst: '192.168.10.1', unchanged: false, addressesKept: false, trip: expect.any(Object) })),
    });
    const exit = readPcap(readFileSync(facts.exitPcap!));
    expect(exit.packets.map((p) => p.data.length)).toEqual([94, 94]);
    const entry = readPcap(readFileSync(facts.entryPcap!));
    expect(entry.packets).toEqual(readPcap(readFileSync(pcapPath('g1-out-syn.pcap'))).packets);

    const ev = Object.fromEntries(r.evidence.map((e) => [e.label, e.data]));
    expect(ev.xdpdump).toBe("could not attach: ERROR: Can't load eBPF object: Operation not permitted(-1)");
    expect(ev['verdicts (replayed)']).toContain('#1 74 → 94 bytes XDP_TX  IPv4 10.111.220.11:54338 > 192.168.10.1:50002 TCP [S]  ⇒  IPIP 10.111.221.11 > 10.111.222.11');
    expect(ev['verdict counts']).toEqual({ XDP_TX: 2 });
    // The packet before and after, as data in the result: the LB's IPIP encapsulation and its MAC rewrite.
    expect(r.packets?.source).toBe('replay');
    expect(r.packets?.groups).toHaveLength(1);
    expect(r.packets!.groups[0]!.packets).toEqual([1, 2]);
    expect(r.packets!.groups[0]!.changes.map((c) => c.field)).toEqual(expect.arrayContaining(['encap', 'length']));
    expect(r.packets!.groups[0]!.changes.find((c) => c.field === 'encap')?.after).toBe('IPv4 10.111.221.11 > 10.111.222.11 (IPIP)');
    expect(String(ev['ingress capture'])).toContain('2 packets captured');
  });

  it('XDP_ABORTED verdicts fail the rung with an xdp-aborted finding', async () => {
    const r = await xdpdumpCheck.run(context({ retval: 0 }).ctx);
    expect(r.status).toBe('fail');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ cause: 'xdp-aborted', progId: 633, iface: 'l0' });
    expect(r.findings[0]!.message).toMatch(/^2 of 2 packet\(s\) got XDP_ABORTED/);
  });

  it('XDP_PASS leaves the packet as it was (params unset: 74 → 74)', async () => {
    const c = context({ retval: 2 });
    const r = await xdpdumpCheck.run(c.ctx);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/^2 packet\(s\): XDP_PASS ×2, 74 → 74 bytes/);
  });

  it('skips with the reason when the peer sent nothing during the window', async () => {
    const r = await xdpdumpCheck.run(context({ capture: 'empty' }).ctx);
    expect(r.status).toBe('skip');
    expect(r.summary).toContain('g1 (netns h4-gw) sent nothing to l0 during the window (probe failed): no packet to replay');
    expect(r.degraded).toContain('Operation not permitted');
  });

  it('skips when there is no veth peer to capture on, and when the capture cannot start', async () => {
    const noPeer = await xdpdumpCheck.run(context({}, { [PREFLIGHT]: PRE, [INVENTORY]: { ...INV, peer: undefined } }).ctx);
    expect(noPeer.status).toBe('skip');
    expect(noPeer.summary).toMatch(/no veth peer to capture l0's ingress on/);
    const failing = await xdpdumpCheck.run(context({ capture: 'fails' }).ctx);
    expect(failing.status).toBe('skip');
    expect(JSON.stringify(failing.evidence)).toContain('No such device exists');
  });

  it('skips when inventory found no program', async () => {
    const r = await xdpdumpCheck.run(context({}, { [PREFLIGHT]: PRE, [INVENTORY]: { ...INV, progId: undefined } }).ctx);
    expect(r).toMatchObject({ status: 'skip' });
  });
});

describe('xdpdump rung, xdpdump attached', () => {
  it("reads verdicts from xdpdump's entry/exit lines", async () => {
    const c = context({ xdpdump: 'attached' }, { [PREFLIGHT]: { ...PRE, fentry: true }, [INVENTORY]: INV });
    const r = await xdpdumpCheck.run(c.ctx);
    expect(r.status).toBe('pass');
    expect(r.degraded).toBeUndefined();
    expect(r.summary).toMatch(/^2 packet\(s\): XDP_TX ×2, 74 → 94 bytes \(xdpdump entry\/exit\)/);
    expect(c.spawns()).toHaveLength(1);
    expect(c.runs()).toEqual([]);
    expect((c.store.get(XDPDUMP) as XdpdumpFacts).mode).toBe('xdpdump');
  });
});

describe('xdpdump rung: verdicts as they happen, for the window', () => {
  it('attached: says it listens for verdicts before the probe, then one verdict per exit line (the blog\'s two XDP_TX)', async () => {
    const c = context({ xdpdump: 'attached' }, { [PREFLIGHT]: { ...PRE, fentry: true }, [INVENTORY]: INV });
    const seen: unknown[] = [];
    c.ctx.window.saw = (x) => { seen.push(x); };
    await xdpdumpCheck.run(c.ctx);
    expect(seen).toEqual([{ kind: 'listening', what: 'verdicts' }, { kind: 'verdict', action: 'XDP_TX' }, { kind: 'verdict', action: 'XDP_TX' }]);
  });
  it('EPERM (the replay fallback): no live verdicts are claimed', async () => {
    const c = context({ xdpdump: 'eperm' }, { [PREFLIGHT]: PRE, [INVENTORY]: INV });
    const seen: unknown[] = [];
    c.ctx.window.saw = (x) => { seen.push(x); };
    await xdpdumpCheck.run(c.ctx);
    expect(seen).toEqual([]);
  });
});

describe('helpers', () => {
  it('counts verdicts and lists size changes', () => {
    const v = [{ action: 'XDP_TX', inLen: 74, outLen: 94 }, { action: 'XDP_TX', inLen: 66, outLen: 86 }, { action: 'XDP_PASS', inLen: 74, outLen: 74 }];
    expect(verdictCounts(v)).toEqual({ XDP_TX: 2, XDP_PASS: 1 });
    expect(sizeChanges(v)).toBe('74 → 94, 66 → 86, 74 → 74 bytes');
  });
});
