// src/tools/ethtool.ts: `ethtool -S` / `ethtool -i` parsers and the cross-driver normalizer, on output recorded
// on this machine (veth ends of the lab's l0/g1, the VM's virtio_net eth0, lo without statistics).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fakeExec } from '../../src/plugins/testing.js';
import {
  createEthtool, normalizeEthtoolStats, parseEthtoolDriver, parseEthtoolStats, statsDelta,
} from '../../src/tools/ethtool.js';
import { ToolOutputError } from '../../src/tools/json.js';
import { validIfname } from '../../src/tools/names.js';

const rec = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../recordings/ethtool/${name}`, import.meta.url)), 'utf8');

describe('parseEthtoolStats', () => {
  it('reads every veth counter, peer_ifindex included (l0 after XDP_TX towards a peer without XDP)', () => {
    expect(parseEthtoolStats(rec('veth-l0-enxio.txt'))).toEqual({
      peer_ifindex: 2,
      rx_queue_0_xdp_packets: 16, rx_queue_0_xdp_bytes: 1056, rx_queue_0_drops: 0, rx_queue_0_xdp_redirect: 0,
      rx_queue_0_xdp_drops: 0, rx_queue_0_xdp_tx: 0, rx_queue_0_xdp_tx_errors: 2,
      tx_queue_0_xdp_xmit: 0, tx_queue_0_xdp_xmit_errors: 0,
    });
  });

  it('reads virtio_net, which prints device totals and per-queue counters', () => {
    const s = parseEthtoolStats(rec('virtio-net-eth0.txt'));
    expect(s.rx_kicks).toBeGreaterThan(0);
    expect(s.rx_kicks).toBe(s.rx0_kicks);
    expect(Object.keys(s)).toContain('tx0_xdp_tx_drops');
  });

  it('refuses what is not ethtool -S output', () => {
    expect(() => parseEthtoolStats('')).toThrow(ToolOutputError);
    expect(() => parseEthtoolStats(rec('lo-no-stats-stderr.txt'))).toThrow(/NIC statistics/);
    // Cut in the middle of a line (a killed ethtool): the last line has no value.
    const cut = rec('veth-l0-enxio.txt').slice(0, rec('veth-l0-enxio.txt').indexOf('xdp_tx_errors') + 8);
    expect(() => parseEthtoolStats(cut)).toThrow(/unexpected statistics line/);
  });
});

describe('parseEthtoolDriver', () => {
  it('reads the driver of a veth and of the VM NIC', () => {
    expect(parseEthtoolDriver(rec('driver-veth-l0.txt'))).toEqual({
      driver: 'veth', version: '1.0', firmwareVersion: undefined, busInfo: undefined, supportsStatistics: true,
    });
    expect(parseEthtoolDriver(rec('driver-virtio-net-eth0.txt'))).toMatchObject({ driver: 'virtio_net', busInfo: '0000:00:03.0' });
  });

  it('throws on the error lo gives', () => {
    expect(() => parseEthtoolDriver(rec('driver-lo-stderr.txt'))).toThrow(ToolOutputError);
  });
});

describe('normalizeEthtoolStats', () => {
  it('maps veth rx_queue_N_/tx_queue_N_ names to common names', () => {
    expect(normalizeEthtoolStats(parseEthtoolStats(rec('veth-l0-enxio.txt')))).toEqual({
      xdp_packets: 16, xdp_bytes: 1056, drops: 0, xdp_redirect: 0, xdp_drops: 0, xdp_tx: 0, xdp_tx_errors: 2,
      xdp_xmit: 0, xdp_xmit_errors: 0,
    });
  });

  it('sums veth queues', () => {
    const two = parseEthtoolStats(rec('veth-l0-enxio.txt'));
    two.rx_queue_1_xdp_tx_errors = 5;
    two.rx_queue_1_xdp_packets = 4;
    expect(normalizeEthtoolStats(two)).toMatchObject({ xdp_tx_errors: 7, xdp_packets: 20 });
  });

  it('uses virtio_net per-queue counters and not the device totals as well (no double counting)', () => {
    const raw = parseEthtoolStats(rec('virtio-net-eth0.txt'));
    const n = normalizeEthtoolStats(raw);
    expect(n).toEqual({
      drops: raw.rx0_drops, xdp_packets: raw.rx0_xdp_packets, xdp_tx: raw.rx0_xdp_tx, xdp_redirect: raw.rx0_xdp_redirects,
      xdp_drops: raw.rx0_xdp_drops, xdp_xmit: raw.tx0_xdp_tx, xdp_xmit_errors: raw.tx0_xdp_tx_drops,
    });
    // Totals alone (a driver build that prints no queues) still give the common names.
    const totals = Object.fromEntries(Object.entries(raw).filter(([k]) => !/^(rx|tx)\d/.test(k)));
    expect(normalizeEthtoolStats(totals)).toEqual(n);
  });

  it('knows the mlx5 and older virtio_net spellings (names from the drivers\' stats tables)', () => {
    // Names as mlx5 en_stats.c and virtio_net before 2024 print them; values made up for the sum.
    expect(normalizeEthtoolStats({
      rx0_xdp_drop: 1, rx1_xdp_drop: 2, rx0_xdp_redirect: 3, rx0_xdp_tx_xmit: 4, rx0_xdp_tx_full: 5, rx0_xdp_tx_err: 6,
      rx0_xdp_tx_cqe: 99, tx0_xdp_xmit: 7, tx0_xdp_full: 8, tx0_xdp_err: 9, rx_xdp_drop: 3,
    })).toEqual({ xdp_drops: 3, xdp_redirect: 3, xdp_tx: 4, xdp_tx_errors: 11, xdp_xmit: 7, xdp_xmit_errors: 17 });
    expect(normalizeEthtoolStats({
      rx_queue_0_xdp_redirects: 2, tx_queue_0_xdp_tx: 3, tx_queue_0_xdp_tx_drops: 1, tx_queue_0_kicks: 50,
    })).toEqual({ xdp_redirect: 2, xdp_xmit: 3, xdp_xmit_errors: 1 });
  });

  it('gives nothing for a driver without XDP counters', () => {
    expect(normalizeEthtoolStats({ rx_packets: 10, tx_packets: 3, peer_ifindex: 2 })).toEqual({});
  });
});

describe('statsDelta', () => {
  it('keeps what changed, across the recorded fault and fixed runs of l0', () => {
    const before = normalizeEthtoolStats(parseEthtoolStats(rec('veth-l0-enxio.txt')));
    const after = normalizeEthtoolStats(parseEthtoolStats(rec('veth-l0-healthy-xdp-tx.txt')));
    const d = statsDelta(before, after);
    expect(d.xdp_tx).toBe(12);
    expect(d.xdp_tx_errors).toBe(22);
    expect(d.drops).toBeUndefined();
  });
});

describe('createEthtool', () => {
  it('samples in the namespace and normalizes', async () => {
    const exec = fakeExec([{ argv: ['ethtool', '-S', 'g1'], netns: 'h3-gw', stdout: rec('veth-g1-peer-no-xdp.txt') }]);
    const s = await createEthtool(exec).stats('g1', { kind: 'name', name: 'h3-gw' });
    expect(exec.calls.map((c) => ({ argv: c.argv, netns: c.netns }))).toEqual([{ argv: ['ethtool', '-S', 'g1'], netns: { kind: 'name', name: 'h3-gw' } }]);
    expect(s.xdp).toMatchObject({ xdp_tx_errors: 0, xdp_packets: 0 });
  });

  it('reports a device without statistics as unsupported, not as a crash (lo: exit 94)', async () => {
    const exec = fakeExec([{ argv: ['ethtool', '-S', 'lo'], netns: null, exitCode: 94, stderr: rec('lo-no-stats-stderr.txt') }]);
    const s = await createEthtool(exec).stats('lo');
    expect(s).toMatchObject({ iface: 'lo', unsupported: true, error: 'no stats available' });
    expect(s.xdp).toBeUndefined();
  });

  it('gives no driver for lo (exit 71) and refuses bad names before running anything', async () => {
    const exec = fakeExec([{ argv: ['ethtool', '-i', 'lo'], netns: null, exitCode: 71, stderr: rec('driver-lo-stderr.txt') }]);
    expect(await createEthtool(exec).driver('lo')).toBeUndefined();
    await expect(createEthtool(exec).stats('../etc')).rejects.toThrow(/not an interface name/);
    await expect(createEthtool(exec).stats('a-very-long-ifname')).rejects.toThrow(/not an interface name/);
    expect(validIfname('l0')).toBe(true);
    expect(validIfname('eth0 x')).toBe(false);
  });
});

describe('createEthtool().features: ethtool -k, recorded on a veth of this machine', () => {
  it('reads the VLAN offloads and GRO the rungs ask for; a refused device is undefined, not a throw', async () => {
    const exec = fakeExec([
      { argv: ['ethtool', '-k', 'va'], netns: 'ns', stdout: rec('features-veth.txt') },
      { argv: ['ethtool', '-k', 'vb'], netns: 'ns', stdout: rec('features-veth-txvlan-off.txt') },
      { argv: ['ethtool', '-k', 'gone'], exitCode: 1, stderr: rec('features-missing-dev-stderr.txt') },
    ]);
    const tool = createEthtool(exec);
    const ns = { kind: 'name', name: 'ns' } as const;
    const on = (await tool.features('va', ns))!;
    expect([on.get('tx-vlan-offload'), on.get('rx-vlan-offload'), on.get('generic-receive-offload'), on.get('rx-vlan-filter')])
      .toEqual([{ on: true, fixed: false }, { on: true, fixed: false }, { on: false, fixed: false }, { on: false, fixed: true }]);
    expect((await tool.features('vb', ns))!.get('tx-vlan-offload')).toEqual({ on: false, fixed: false });
    expect(await tool.features('gone')).toBeUndefined();
    await expect(tool.features('no/such')).rejects.toThrow(/not an interface name/);
  });
});
