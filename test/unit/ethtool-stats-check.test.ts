// checks/ethtool-stats.ts over ethtool output recorded on the lab (l0 before and after a probe with the
// veth-peer fault, g1 without XDP, lo without statistics): fail, pass and skip without root or kernel.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CheckContext, NetnsRef, ProbeOutcome } from '../../src/engine/types.js';
import { fakeExec, type Recording } from '../../src/plugins/testing.js';
import { createTools } from '../../src/tools/index.js';
import ethtoolStats from '../../checks/ethtool-stats.js';
import { ETHTOOL, INVENTORY, type EthtoolFacts, type InventoryFacts } from '../../src/plugins/facts.js';

const rec = (path: string) => readFileSync(fileURLToPath(new URL(`../recordings/ethtool/${path}`, import.meta.url)), 'utf8');
const LB: NetnsRef = { kind: 'name', name: 'h3-lb' };
const GW: NetnsRef = { kind: 'name', name: 'h3-gw' };

/** Each command's answers in order (the last one repeats): ethtool -S l0 is sampled before and after the probe. */
function context(inv: InventoryFacts | undefined, answers: Record<string, Omit<Recording, 'argv'>[]>) {
  const exec = fakeExec(Object.entries(answers).flatMap(([cmd, queue]) =>
    queue.map((a, i): Recording => ({ argv: cmd.split(' '), ...a, ...(i < queue.length - 1 ? { times: 1 } : {}) }))));
  const facts = new Map<string, unknown>(inv ? [[INVENTORY, inv]] : []);
  const ctx: CheckContext = {
    target: { kind: 'iface', iface: inv?.iface ?? 'lo', netns: inv?.netns, hops: [], windowMs: 1000, expect: [] },
    tools: createTools(exec),
    window: { ready: async (): Promise<ProbeOutcome> => ({ ran: true, ok: false, startedAt: 0, endedAt: 1 }) },
    facts: { get: <T>(k: string) => facts.get(k) as T | undefined, set: (k, v) => { facts.set(k, v); } },
    signal: new AbortController().signal, progress: () => undefined, live: () => undefined, options: {},
    finished: async () => undefined,
  };
  return { ctx, facts };
}

const lab = (peerXdp: boolean): InventoryFacts => ({
  iface: 'l0', ifindex: 2, netns: LB, mode: 'native', progId: 1637, maps: [], kind: 'veth',
  peer: { ifname: 'g1', ifindex: 3, netns: GW, netnsName: 'h3-gw', up: true, ...(peerXdp ? { xdp: { mode: 'native', progId: 676, progName: 'xdp_pass' } } : {}) },
});

describe('ethtool-stats rung', () => {
  it('fails with veth-peer-no-xdp naming g1 when l0\'s xdp_tx_errors rose', async () => {
    const { ctx, facts } = context(lab(false), {
      'ethtool -i l0': [{ stdout: rec('driver-veth-l0.txt') }],
      'ethtool -i g1': [{ stdout: rec('driver-veth-l0.txt') }],
      'ethtool -S l0': [{ stdout: rec('veth-l0-before-probe.txt') }, { stdout: rec('veth-l0-after-probe-enxio.txt') }],
      'ethtool -S g1': [{ stdout: rec('veth-g1-peer-no-xdp.txt') }],
    });
    const r = await ethtoolStats.run(ctx);
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('xdp_tx_errors +3 on l0: XDP_TX frames were refused');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ cause: 'veth-peer-no-xdp', iface: 'l0' });
    expect(r.findings[0]!.message).toContain('its veth peer g1 (netns h3-gw) has no XDP program');
    expect(r.findings[0]!.fixes).toHaveLength(3);
    expect(facts.get(ETHTOOL) as EthtoolFacts).toEqual({
      deltas: { l0: { xdp_packets: 3, xdp_bytes: 180, xdp_tx_errors: 3 }, g1: {} },
      drivers: { l0: 'veth', g1: 'veth' },
    });
  });

  it('calls it xdp-tx-error when the peer does run XDP', async () => {
    const { ctx } = context(lab(true), {
      'ethtool -i l0': [{ stdout: rec('driver-veth-l0.txt') }],
      'ethtool -i g1': [{ stdout: rec('driver-veth-l0.txt') }],
      'ethtool -S l0': [{ stdout: rec('veth-l0-before-probe.txt') }, { stdout: rec('veth-l0-after-probe-enxio.txt') }],
      'ethtool -S g1': [{ stdout: rec('veth-g1-peer-xdp-pass.txt') }],
    });
    const r = await ethtoolStats.run(ctx);
    expect(r.status).toBe('fail');
    expect(r.findings[0]!.cause).toBe('xdp-tx-error');
  });

  it('passes when nothing rose', async () => {
    const { ctx } = context(lab(true), {
      'ethtool -i l0': [{ stdout: rec('driver-veth-l0.txt') }],
      'ethtool -i g1': [{ stdout: rec('driver-veth-l0.txt') }],
      'ethtool -S l0': [{ stdout: rec('veth-l0-healthy-xdp-tx.txt') }],
      'ethtool -S g1': [{ stdout: rec('veth-g1-peer-xdp-pass.txt') }],
    });
    const r = await ethtoolStats.run(ctx);
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([]);
  });

  it('skips with a note on a device without statistics (lo)', async () => {
    const { ctx, facts } = context(undefined, {
      'ethtool -i lo': [{ exitCode: 71, stderr: rec('driver-lo-stderr.txt') }],
      'ethtool -S lo': [{ exitCode: 94, stderr: rec('lo-no-stats-stderr.txt') }],
    });
    const r = await ethtoolStats.run(ctx);
    expect(r.status).toBe('skip');
    expect(r.summary).toMatch(/lo reports no XDP counters/);
    expect(String(r.evidence[0]!.data)).toContain('no stats available');
    expect(facts.get(ETHTOOL)).toBeUndefined();
  });
});
