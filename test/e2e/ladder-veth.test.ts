// The blog's hardest bug end to end, through the built CLI as root on the real kernel: XDP_TX on a veth whose
// peer has no XDP program. ethtool-stats sees rx_queue_N_xdp_tx_errors rise, tracepoints sees xdp_bulk_tx
// err -6, and the diagnosis names veth-peer-no-xdp with ENXIO, the peer g1 and three fixes. After `lab fix` the
// same rungs pass (no false alarm). trace-pipe is skipped: it is a consuming reader other runs on this machine use.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshLab, runCli, uniqueLabName } from './helpers/cli.js';
import { expectNoMissingTool } from './helpers/rungs.js';

const LAB = uniqueLabName('lv');
const cli = (args: string[]) => runCli(args);
const lab = (...args: string[]) => cli(['lab', ...args, '--lab-name', LAB]);
const doctor = async (...extra: string[]) => {
  const r = await cli(['--lab', '--lab-name', LAB, '--skip', 'trace-pipe', '--json', ...extra]);
  let report: any;
  try { report = JSON.parse(r.stdout); } catch { throw new Error(`--json printed no report (exit ${r.exitCode}): ${r.stderr.slice(0, 500)}`); }
  // Every run of this file: a rung skipped for a missing tool fails it, naming the tool.
  expectNoMissingTool(report);
  return { ...r, report };
};

beforeAll(async () => {
  await freshLab(LAB, ['veth-peer']);
});

afterAll(async () => {
  await lab('down');
});

describe('veth peer without XDP (lab fault veth-peer)', () => {
  test('exit 1; top cause veth-peer-no-xdp with ENXIO, the peer g1 and three fixes', async () => {
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(1);
    const byId = Object.fromEntries(report.checks.map((c: any) => [c.id, c]));
    expect(byId['ethtool-stats'].status, byId['ethtool-stats'].summary).toBe('fail');
    expect(byId['ethtool-stats'].summary).toMatch(/xdp_tx_errors \+\d+ on l0/);
    expect(byId.tracepoints.status, byId.tracepoints.summary).toBe('fail');
    expect(byId.tracepoints.summary).toMatch(/xdp_bulk_tx err -6 \(ENXIO\) ×\d+ on l0 \(veth\)/);

    expect(report.diagnosis[0].cause).toBe('veth-peer-no-xdp');
    expect(report.diagnosis[0].errno).toEqual({ value: 6, name: 'ENXIO' });
    expect(report.diagnosis[0].fixes).toHaveLength(3);

    const findings = report.checks.flatMap((c: any) => c.findings.map((f: any) => ({ check: c.id, ...f })));
    expect(findings.some((f: any) => f.errno?.name === 'ENXIO')).toBe(true);
    for (const check of ['tracepoints', 'ethtool-stats']) {
      const f = findings.find((x: any) => x.check === check && x.cause === 'veth-peer-no-xdp');
      expect(f, `${check} raises veth-peer-no-xdp`).toBeDefined();
      expect(f.message).toContain('g1');
      expect(f.iface).toBe('l0');
      expect(f.fixes).toHaveLength(3);
      // The first fix puts a dummy XDP_PASS on the peer, in the peer's namespace.
      expect(f.fixes[0].commands[0]).toEqual(expect.arrayContaining(['ip', 'link', 'set', 'dev', 'g1', 'xdpdrv']));
      expect(f.fixes[0].netns).toEqual({ kind: 'name', name: `${LAB}-gw` });
    }
    const tp = findings.find((x: any) => x.check === 'tracepoints' && x.cause === 'veth-peer-no-xdp');
    expect(tp.errno).toEqual({ value: 6, name: 'ENXIO' });
    expect(tp.severity).toBe('critical');
  });

  test('--json and --report x.md carry the per-hop route and the errno explained (what the wizard shows)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xdpd-veth-report-'));
    try {
      const md = join(dir, 'x.md');
      const { report } = await doctor('--report', md);
      expect(report.schemaVersion).toBe(2);
      const states = Object.fromEntries(report.route.hops.map((h: any) => [h.iface, h.state]));
      expect(states).toMatchObject({ c0: 'seen', g1: 'seen', l0: 'xdp', g2: 'lost' });
      expect(report.route.check).toBe('routing');
      expect(report.errnos[0]).toMatchObject({ value: 6, name: 'ENXIO', tracepoint: 'xdp_bulk_tx', driver: 'veth', iface: 'l0', observed: true });
      expect(report.errnos[0].source).toMatch(/drivers\/net\/veth\.c/);
      const text = readFileSync(md, 'utf8');
      expect(text).toContain('## Errno explained');
      expect(text).toContain('**ENXIO (errno 6, the kernel reports -6): No such device or address**');
      expect(text).toMatch(/## Route[\s\S]*\| ◆ \| lb l0[^\n]*\| l0 \|[\s\S]*\| ✗ \| gw g2[^\n]*lost here/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('after `lab fix veth-peer`: exit 0, no rung fails, ethtool-stats and tracepoints pass', async () => {
    const fix = await lab('fix', 'veth-peer');
    expect(fix.exitCode, fix.stderr).toBe(0);
    const { exitCode, report } = await doctor();
    const bad = report.checks.filter((c: any) => c.status === 'fail' || c.status === 'error').map((c: any) => `${c.id}: ${c.summary}`);
    expect(bad).toEqual([]);
    expect(exitCode).toBe(0);
    const byId = Object.fromEntries(report.checks.map((c: any) => [c.id, c]));
    expect(byId['ethtool-stats'].status).toBe('pass');
    expect(byId['ethtool-stats'].summary).toMatch(/xdp_tx \+\d+/);
    expect(byId.tracepoints.status).toBe('pass');
    expect(report.diagnosis.map((d: any) => d.cause)).not.toContain('veth-peer-no-xdp');
  });
});
