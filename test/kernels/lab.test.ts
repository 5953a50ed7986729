// The lab on this kernel: healthy and each of its four faults through the built CLI (`--lab --json --skip
// trace-pipe`), as the host's e2e tests run it. What differs between kernels is asserted from what the kernel
// can do: the xdpdump rung takes its verdicts from xdpdump's own entry/exit capture where fentry loads and from
// the BPF_PROG_TEST_RUN replay where it does not; the tracepoints rung attaches the xdp:* tracepoints this
// kernel has and names the ones it lacks.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readPcap } from '../../src/tools/pcap.js';
import { XDP_TRACEPOINTS } from '../../src/tools/bpftrace.js';
import { runCli } from '../e2e/helpers/cli.js';
import { KERNEL, byId, kernelCan, doctorJson, keepReport, kernelXdpTracepoints, record, recordFile, sh, xdpdumpDuring } from './helpers.js';

const LAB = 'k';
const ARTIFACTS = mkdtempSync(join(tmpdir(), 'xdpd-kernels-'));
const lab = (...args: string[]) => runCli(['lab', ...args, '--lab-name', LAB], { timeoutMs: 300_000 });
const doctor = (tag: string) => doctorJson(['--lab', '--lab-name', LAB, '--skip', 'trace-pipe', '--artifacts', join(ARTIFACTS, tag)]);


function exitPcapOf(xdpdump: any): string {
  const pcaps = xdpdump.evidence.find((e: any) => e.label === 'pcaps')?.data;
  const path = /\bexit (\/\S+\.pcap)/.exec(String(pcaps))?.[1];
  if (!path) throw new Error(`no exit pcap in the xdpdump evidence: ${JSON.stringify(xdpdump.evidence)}`);
  return path;
}

let fentry: boolean | undefined;

/** The xdpdump rung took its verdicts from the capture this kernel allows. */
function expectVerdictSource(xd: any, expectTx = true): void {
  expect(fentry, 'preflight ran first').toBeDefined();
  if (fentry) {
    expect(xd.summary, JSON.stringify(xd.evidence)).toMatch(/\(xdpdump entry\/exit\)/);
    expect(xd.evidence.find((e: any) => e.label === 'xdpdump').data).toMatch(/^attached: listening on/);
    expect(xd.degraded).toBeUndefined();
  } else {
    expect(xd.summary).toMatch(/replayed through BPF_PROG_TEST_RUN/);
    expect(xd.degraded).toMatch(/xdpdump cannot attach/);
  }
  if (expectTx) expect(xd.summary).toMatch(/^\d+ packet\(s\): XDP_TX ×\d+, 74 → 94/);
}

function expectTracepointsOfThisKernel(tp: any): void {
  const has = kernelXdpTracepoints();
  const attached = XDP_TRACEPOINTS.filter((s) => has.includes(s.name));
  // An alias (xdp_redirect_map_err) is not reported absent: newer kernels are expected to lack it.
  const absent = XDP_TRACEPOINTS.filter((s) => !has.includes(s.name) && !s.alias).map((s) => s.name);
  const bt = tp.evidence.find((e: any) => e.label === 'bpftrace')?.data ?? '';
  expect(bt).toMatch(new RegExp(`^${attached.length} tracepoint\\(s\\) attached`));
  if (absent.length) expect(bt).toContain(`absent on this kernel: ${absent.join(', ')}`);
  else expect(bt).not.toContain('absent on this kernel');
}

beforeAll(async () => {
  await lab('down');
  const up = await lab('up');
  if (up.exitCode !== 0) throw new Error(`lab up failed (exit ${up.exitCode}): ${up.stderr}${up.stdout}`);
});

afterAll(async () => {
  await lab('down');
});

describe(`the lab on ${KERNEL}`, () => {
  test('healthy: exit 0, no rung fails; preflight as measured for this kernel', async () => {
    const { exitCode, report } = await doctor('healthy');
    keepReport('healthy', report);
    const c = byId(report);
    fentry = c.preflight.evidence.find((e: any) => e.label === 'fentry')?.data === 'loads';
    expect(fentry, `fentry on ${KERNEL}: ${JSON.stringify(c.preflight.evidence.find((e: any) => e.label === 'fentry'))}`).toBe(kernelCan().fentry);
    if (fentry) expect(c.preflight.summary).toBe('root, bpffs, tracefs, BTF, fentry and every tool present');
    const bad = report.checks.filter((x: any) => x.status === 'fail' || x.status === 'error').map((x: any) => `${x.id}: ${x.summary}`);
    expect(bad).toEqual([]);
    expect(exitCode).toBe(0);
    expectVerdictSource(c.xdpdump);
    expectTracepointsOfThisKernel(c.tracepoints);
    expect(c.tracepoints.status).toBe('pass');
  });

  describe('veth-peer', () => {
    beforeAll(async () => { expect((await lab('break', 'veth-peer')).exitCode).toBe(0); });
    afterAll(async () => { await lab('fix', 'veth-peer'); });
    test('ENXIO: xdp_bulk_tx err -6 and xdp_tx_errors; veth-peer-no-xdp first', async () => {
      const { exitCode, report } = await doctor('veth-peer');
      keepReport('veth-peer', report);
      const c = byId(report);
      expect(exitCode).toBe(1);
      expect(report.diagnosis[0].cause).toBe('veth-peer-no-xdp');
      expect(report.diagnosis[0].errno).toEqual({ value: 6, name: 'ENXIO' });
      expect(c['ethtool-stats'].summary).toMatch(/xdp_tx_errors \+\d+ on l0/);
      expect(c.tracepoints.summary).toMatch(/xdp_bulk_tx err -6 \(ENXIO\) ×\d+ on l0 \(veth\)/);
      expectTracepointsOfThisKernel(c.tracepoints);
      expectVerdictSource(c.xdpdump);
    });

    test('recorded: xdpdump entry/exit on l0 (hex and pcapng) while `lab probe` runs; the xdp tracepoints', async () => {
      const probe = () => lab('probe', '--timeout', '3000');
      const hex = await xdpdumpDuring(`${LAB}-lb`, ['-i', 'l0', '--rx-capture', 'entry,exit', '-x'], probe);
      record('xdpdump/lab-veth-peer-entry-exit-stdout.txt', hex.stdout);
      record('xdpdump/lab-veth-peer-entry-exit-stderr.txt', hex.stderr);
      const file = '/tmp/lab-veth-peer.pcapng';
      const w = await xdpdumpDuring(`${LAB}-lb`, ['-i', 'l0', '--rx-capture', 'entry,exit', '-w', file], probe);
      record('xdpdump/lab-veth-peer-entry-exit-w-stderr.txt', w.stderr);
      // The second capture attaches exactly where the first does: where fentry loads. Checked, so a kernel where it
      // silently failed cannot pass with nothing read back.
      expect(w.listening, w.stderr).toBe(kernelCan().fentry);
      if (w.listening) {
        recordFile('xdpdump/lab-veth-peer-entry-exit.pcapng', file);
        record('tshark/lab-veth-peer-pcapng-V.txt', (await sh(['tshark', '-r', file, '-V', '-c', '4'])).stdout);
        // xdpdump's own pcapng carries each exit frame's verdict (EPB verdict option): read it back.
        const fields = (await sh(['tshark', '-r', file, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.interface_name', '-e', 'frame.verdict.ebpf_xdp'])).stdout;
        record('tshark/lab-veth-peer-pcapng-verdicts.tsv', fields);
        const rows = fields.trim().split('\n').map((l) => l.split('\t'));
        const exits = rows.filter((r) => r[1] === 'l0:xdp_prog_func()@fexit');
        expect(exits.length).toBeGreaterThan(0);
        for (const r of exits) expect([r[0], r[2]]).toEqual(['94', '3']); // 94 bytes, XDP_TX
        for (const r of rows.filter((x) => x[1] === 'l0:xdp_prog_func()@fentry')) expect(r[0]).toBe('74');
      }
      record('tracefs/events-xdp.txt', kernelXdpTracepoints().join('\n'));
      expect(hex.listening).toBe(fentry);
    });
  });

  describe('params-unset', () => {
    beforeAll(async () => { expect((await lab('break', 'params-unset')).exitCode).toBe(0); });
    afterAll(async () => { await lab('fix', 'params-unset'); });
    test('map-params-unset first, vip 0 in the map dump; the verdicts are XDP_PASS', async () => {
      const { exitCode, report } = await doctor('params-unset');
      keepReport('params-unset', report);
      const c = byId(report);
      expect(exitCode).toBe(1);
      expect(report.diagnosis[0].cause).toBe('map-params-unset');
      expect(JSON.stringify(c['map-dump'].evidence)).toMatch(/vip=0\.0\.0\.0 \(0\)/);
      expectVerdictSource(c.xdpdump, false);
      expect(c.xdpdump.summary).toMatch(/XDP_PASS ×\d+/);
    });
  });

  describe('bad-iphdr', () => {
    beforeAll(async () => { expect((await lab('break', 'bad-iphdr')).exitCode).toBe(0); });
    afterAll(async () => { await lab('fix', 'bad-iphdr'); });
    test('malformed-packet first; the exit pcap holds tot_len 0x5000 as the program wrote it', async () => {
      const { exitCode, report } = await doctor('bad-iphdr');
      keepReport('bad-iphdr', report);
      const c = byId(report);
      expect(exitCode).toBe(1);
      expect(report.diagnosis[0].cause).toBe('malformed-packet');
      expectVerdictSource(c.xdpdump);
      const exit = readPcap(readFileSync(exitPcapOf(c.xdpdump)));
      expect(exit.packets.length).toBeGreaterThan(0);
      for (const p of exit.packets) {
        expect(p.data.length).toBe(94);
        expect(p.data.readUInt16BE(16)).toBe(0x5000);
      }
      expect(c['packet-sanity'].findings[0]).toMatchObject({ cause: 'malformed-packet', severity: 'critical' });
      // The gateway's ip_rcv_core drops the frames as too small; drop-reasons reads the skb at this kernel's
      // offsets (from its BTF), not the host's: the drop is found only if they are right.
      const dr = c['drop-reasons'];
      if (kernelCan().dropReasons) {
        expect(dr.evidence.find((e: any) => e.label === 'skb layout')?.data).toMatch(/^fields read at this kernel's offsets, from /);
        expect(dr.summary).toMatch(/PKT_TOO_SMALL ×\d+ at g1/);
      } else {
        expect(dr.summary).toMatch(/^drop reasons not available on this kernel \(this kernel's skb:kfree_skb has no reason field/);
      }
    });
  });

  describe('csum-offload', () => {
    beforeAll(async () => { expect((await lab('break', 'csum-offload')).exitCode).toBe(0); });
    afterAll(async () => { await lab('fix', 'csum-offload'); });
    test('tx-checksum-partial first, TcpInCsumErrors as evidence', async () => {
      const { exitCode, report } = await doctor('csum-offload');
      keepReport('csum-offload', report);
      expect(exitCode).toBe(1);
      expect(report.diagnosis[0].cause).toBe('tx-checksum-partial');
      expect(report.diagnosis[0].evidence.map((e: any) => e.message).join('\n')).toMatch(/TcpInCsumErrors/);
      expectVerdictSource(byId(report).xdpdump);
    });
  });
});
